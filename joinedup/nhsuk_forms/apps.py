from django.apps import AppConfig


class NhsukFormsConfig(AppConfig):
    name = "joinedup.nhsuk_forms"
    label = "nhsuk_forms"
