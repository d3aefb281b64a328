from django.apps import AppConfig


class PrimarycareConfig(AppConfig):
    name = "joinedup.primarycare"
    label = "primarycare"
