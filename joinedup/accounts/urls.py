from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("cis2/", views.cis2_start, name="cis2_start"),
    path("cis2/callback/", views.cis2_callback, name="cis2_callback"),
    path("set-up-codes/", views.enrolment_codes, name="enrolment_codes"),
]
