from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    label = "people"
    verbose_name = "People receiving care"

    def ready(self):
        from . import access  # noqa: F401  (registers the practice and emergency access relationships)
