from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "joinedup.fhir"
    label = "fhir"
    verbose_name = "FHIR R4 UK Core API"

    def ready(self):
        from .history import connect

        connect()
