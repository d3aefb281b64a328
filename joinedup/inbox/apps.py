from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "joinedup.inbox"
    label = "inbox"
    verbose_name = "Tasks handed to staff and organisations"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item

        from . import tasks  # noqa: F401  (registers the handed-over tasks as a "My tasks" source)

        nav_item(perm=Perm.PC_ASK_ADVICE, url_name="inbox:practice", text="Practice inbox", order=25)
