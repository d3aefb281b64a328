from django.urls import path, re_path

from . import views
from .decorators import by_method
from .sources import COMPARTMENTS, OBSERVATION

app_name = "fhir"

# FHIR URLs have no trailing slash; anything else under the base answers a 404 OperationOutcome.
urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path(".well-known/smart-configuration", views.smart_config, name="smart_configuration"),
    path("auth/token", views.token, name="token"),
    path("", by_method(get=views.unknown, post=views.transaction), name="transaction"),
    path("$export", views.export_system, name="export"),
    path("Patient/$export", views.export_patients, name="export_patients"),
    path("Group/<str:group_id>/$export", views.export_group, name="export_group"),
    path(
        "$export-status/<str:job_id>",
        by_method(get=views.export_status_poll, delete=views.export_cancel),
        name="export_status",
    ),
    path("$export-file/<str:job_id>/<str:name>", views.export_file, name="export_file"),
    path("Patient", by_method(get=views.patient_search, post=views.patient_create), name="patient_search"),
    path("Patient/<str:resource_id>", by_method(get=views.patient_read, put=views.patient_update), name="patient_read"),
    path("Patient/<str:resource_id>/_history", views.patient_history, name="patient_history"),
    path("Patient/<str:resource_id>/_history/<str:version_id>", views.patient_vread, name="patient_vread"),
    path("Group/<str:group_id>", views.group_read, name="group_read"),
    path("Organization", views.organization_search, name="organization_search"),
    path("Organization/<str:resource_id>", views.organization_read, name="organization_read"),
    path("Condition", views.condition_search, name="condition_search"),
    path("Condition/<str:resource_id>", views.condition_read, name="condition_read"),
    path("Practitioner", views.practitioner_search, name="practitioner_search"),
    path("Practitioner/<str:resource_id>", views.practitioner_read, name="practitioner_read"),
    path("PractitionerRole", views.practitionerrole_search, name="practitionerrole_search"),
    path("PractitionerRole/<str:resource_id>", views.practitionerrole_read, name="practitionerrole_read"),
    path("AuditEvent", views.auditevent_search, name="auditevent_search"),
    path("AuditEvent/<str:resource_id>", views.auditevent_read, name="auditevent_read"),
    *[
        route
        for c in COMPARTMENTS.values()
        for route in views.compartment_views(c, create=views.observation_create if c is OBSERVATION else None)
    ],
    re_path(r".*", views.unknown, name="unknown"),
]
