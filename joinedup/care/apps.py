from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "joinedup.care"
    label = "care"
    verbose_name = "Care teams and key working"

    def ready(self):
        from . import access  # noqa: F401  (registers the care team relationship)
