from django.apps import AppConfig


class HealthchecksConfig(AppConfig):
    name = "joinedup.healthchecks"
    label = "healthchecks"
