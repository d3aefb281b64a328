from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "joinedup.messaging"
    label = "messaging"
    verbose_name = "Messages to people and files to practices"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the outbox and MESH mailbox jobs with the scheduler)
