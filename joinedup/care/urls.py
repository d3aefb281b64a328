from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("<int:person_id>/team/", views.team, name="team"),
    path("<int:person_id>/team/<int:member_id>/end/", views.end_member, name="end_member"),
    path("<int:person_id>/key-worker/", views.key_worker, name="key_worker"),
    path("<int:person_id>/level/", views.level, name="level"),
    path("<int:person_id>/plan/", views.plan, name="plan"),
    path("<int:person_id>/plan/versions/<int:version_number>/", views.version, name="version"),
    path("<int:person_id>/plan/actions/<int:plan_action_id>/done/", views.action_done, name="action_done"),
    path("<int:person_id>/plan/compare/", views.compare, name="compare"),
    path("<int:person_id>/plan/print/", views.plan_print, name="plan_print"),
    path("<int:person_id>/plan/print/pdf/", views.plan_pdf, name="plan_pdf"),
    path("<int:person_id>/plan/draft/start/", views.draft_start, name="draft_start"),
    path("<int:person_id>/plan/draft/share/", views.draft_share, name="draft_share"),
    path("<int:person_id>/plan/draft/", views.draft, name="draft"),
    path("<int:person_id>/plan/draft/goals/", views.draft_goals, name="draft_goals"),
    path("<int:person_id>/plan/draft/actions/", views.draft_actions, name="draft_actions"),
    path("<int:person_id>/plan/draft/agree/", views.draft_agree, name="draft_agree"),
    path("<int:person_id>/plan/outcomes/", views.outcomes, name="outcomes"),
    path("<int:person_id>/plan/outcomes/dialog/", views.dialog_new, name="dialog_new"),
    path("<int:person_id>/plan/outcomes/goals/", views.gbo_new, name="gbo_new"),
]
