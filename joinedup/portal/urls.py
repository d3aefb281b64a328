from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/nhs-login/", views.sign_in_start, name="sign_in_start"),
    path("sign-in/callback/", views.callback, name="callback"),
    path("sign-in/choose/", views.choose, name="choose"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("timed-out/", views.timed_out, name="timed_out"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("", views.home, name="home"),
    path("plan/", views.plan, name="plan"),
    path("plan/answer/", views.plan_respond, name="plan_respond"),
    path("plan/pdf/", views.plan_pdf, name="plan_pdf"),
    path("plan/actions/<int:plan_action_id>/done/", views.action_done, name="action_done"),
    path("discussion/<int:item_id>/prepare/", views.prepare, name="prepare"),
    path("health-check/<int:booking_id>/", views.booking, name="booking"),
    path("about-me/", views.about_me, name="about_me"),
    path("how-am-i-doing/", views.dialog, name="dialog"),
    path("sharing/", views.sharing, name="sharing"),
    path("who-has-looked/", views.who_looked, name="who_looked"),
    path("who-has-looked/concern/", views.concern, name="concern"),
    path("download/", views.download, name="download"),
    path("download/fhir/", views.download_fhir, name="download_fhir"),
    path("helpers/", views.helpers, name="helpers"),
    path("helpers/<int:helper_id>/end/", views.helper_end, name="helper_end"),
]
