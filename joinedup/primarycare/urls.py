from django.urls import path

from . import views

app_name = "primarycare"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("advice/", views.advice_list, name="advice_list"),
    path("supervision/", views.supervision, name="supervision"),
    path("<int:person_id>/", views.person, name="person"),
    path("<int:person_id>/ask/", views.ask, name="ask"),
    path("<int:person_id>/advice/new/", views.advice_new, name="advice_new"),
    path("<int:person_id>/add/", views.add, name="add"),
    path("<int:person_id>/assessment/", views.assess, name="assess"),
    path("<int:person_id>/sessions/new/", views.session_new, name="session_new"),
    path("<int:person_id>/sessions/<int:session_id>/review/", views.review, name="review"),
    path("<int:person_id>/refer/", views.refer, name="refer"),
    path("<int:person_id>/discharge/", views.discharge, name="discharge"),
    path("<int:person_id>/discharge-summary/<int:episode_id>/", views.discharge_summary, name="discharge_summary"),
]
