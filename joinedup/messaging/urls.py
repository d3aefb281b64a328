from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("failures/", views.failures, name="failures"),
    path("sent/", views.sent, name="sent"),
    path("mailboxes/", views.mailboxes, name="mailboxes"),
    path("notify/callback/", views.notify_callback, name="notify_callback"),
]
