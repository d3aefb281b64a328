from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("meeting/<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("meeting/<int:meeting_id>/change/", views.meeting_change, name="change"),
    path("meeting/<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("meeting/<int:meeting_id>/attendance/", views.attendance_add, name="attendance"),
    path("items/<int:item_id>/move/", views.item_move, name="move"),
    path("items/<int:item_id>/outcome/", views.item_outcome, name="outcome"),
    path("<int:person_id>/items/<int:item_id>/words/", views.words, name="words"),
    path("<int:person_id>/discussions/<int:discussion_id>/", views.discussion, name="discussion"),
    path(
        "<int:person_id>/discussions/<int:discussion_id>/for-the-person/",
        views.summary_for_person,
        name="summary_person",
    ),
    path("<int:person_id>/discussions/<int:discussion_id>/for-the-gp/", views.summary_for_gp, name="summary_gp"),
    path("<int:person_id>/actions/<int:action_id>/", views.action, name="action"),
]
