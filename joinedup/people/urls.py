from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("emergency-access/", views.emergency_access, name="emergency_access"),
    path("<int:person_id>/", views.record, name="record"),
    path("<int:person_id>/edit/", views.edit, name="edit"),
    path("<int:person_id>/story/", views.story, name="story"),
    path("<int:person_id>/communication-needs/", views.communication_needs, name="communication_needs"),
    path("<int:person_id>/consent/", views.consent, name="consent"),
    path("<int:person_id>/timeline/", views.timeline, name="timeline"),
]
