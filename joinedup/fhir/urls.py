from django.urls import path, re_path

from . import views

app_name = "fhir"

# FHIR URLs have no trailing slash; anything else under the base answers a 404 OperationOutcome.
urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path(".well-known/smart-configuration", views.smart_config, name="smart_configuration"),
    path("auth/token", views.token, name="token"),
    path("Patient", views.patient_search, name="patient_search"),
    path("Patient/<str:resource_id>", views.patient_read, name="patient_read"),
    path("Organization", views.organization_search, name="organization_search"),
    path("Organization/<str:resource_id>", views.organization_read, name="organization_read"),
    path("Observation", views.observation_search, name="observation_search"),
    path("Observation/<str:resource_id>", views.observation_read, name="observation_read"),
    path("Condition", views.condition_search, name="condition_search"),
    path("Condition/<str:resource_id>", views.condition_read, name="condition_read"),
    re_path(r".*", views.unknown, name="unknown"),
]
