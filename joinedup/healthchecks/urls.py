from django.urls import path

from . import views

app_name = "healthchecks"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("registers/upload/", views.upload, name="upload"),
    path("registers/<int:import_id>/", views.import_result, name="import_result"),
    path("updates/", views.updates, name="updates"),
    path("updates/<int:file_id>/download/", views.update_download, name="update_download"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:person_id>/", views.person, name="person"),
    path("<int:person_id>/claim/", views.claim, name="claim"),
    path("<int:person_id>/contact/", views.contact, name="contact"),
    path("<int:person_id>/book/", views.book, name="book"),
    path("<int:person_id>/bookings/<int:booking_id>/missed/", views.booking_missed, name="booking_missed"),
    path("<int:person_id>/check/", views.record_check, name="record_check"),
    path("<int:person_id>/follow-ups/<int:follow_up_id>/", views.follow_up, name="follow_up"),
    path("<int:person_id>/plan/", views.plan, name="plan"),
]
