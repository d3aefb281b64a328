from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "joinedup.messaging"
    label = "messaging"
    verbose_name = "Messages to people and files to practices"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item

        from . import jobs  # noqa: F401  (registers the outbox and MESH mailbox jobs with the scheduler)

        nav_item(perm=Perm.MESSAGING_ADMIN, url_name="messaging:sent", text="Messages sent", order=95)
