from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("emergency-access/", views.emergency_access_list, name="emergency_access"),
    path("emergency-access/<int:access_id>/", views.emergency_access_review, name="emergency_access_review"),
    path("audit/", views.audit_trail, name="audit"),
]
