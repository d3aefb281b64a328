from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("triage/<int:request_id>/", views.triage, name="triage"),
    path("<int:person_id>/", views.person_emdt, name="person"),
    path("<int:person_id>/new/", views.new, name="new"),
    path("<int:person_id>/requests/<int:request_id>/", views.detail, name="detail"),
    path("<int:person_id>/requests/<int:request_id>/answer/", views.answer, name="answer"),
]
