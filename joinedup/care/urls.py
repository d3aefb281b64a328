from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("<int:person_id>/team/", views.team, name="team"),
    path("<int:person_id>/team/<int:member_id>/end/", views.end_member, name="end_member"),
]
