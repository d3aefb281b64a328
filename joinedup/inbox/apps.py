from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "joinedup.inbox"
    label = "inbox"
    verbose_name = "Tasks handed to staff and organisations"

    def ready(self):
        from . import tasks  # noqa: F401  (registers the handed-over tasks as a "My tasks" source)
