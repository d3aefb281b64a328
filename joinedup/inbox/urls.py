from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("practice/", views.practice, name="practice"),
    path("done/", views.done, name="done"),
]
