from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_new, name="new"),
    path("import/", views.staff_import_page, name="import"),
    path("without-key-worker/", views.without_key_worker, name="without_key_worker"),
    path("access-review/", views.access_review, name="access_review"),
    path("<int:staff_id>/", views.staff_member, name="member"),
    path("<int:staff_id>/details/", views.details, name="details"),
    path("<int:staff_id>/add-role/", views.grant, name="grant"),
    path("<int:staff_id>/move/", views.move, name="move"),
    path("<int:staff_id>/end-role/", views.end_role, name="end_role"),
    path("<int:staff_id>/end-date/", views.end_date, name="end_date"),
    path("<int:staff_id>/end-account/", views.end_account, name="end_account"),
    path("<int:staff_id>/second-factor/", views.reset_second_factor, name="second_factor"),
    path("<int:staff_id>/unlock/", views.unlock, name="unlock"),
    path("<int:staff_id>/hand-over/", views.hand_over, name="hand_over"),
]
