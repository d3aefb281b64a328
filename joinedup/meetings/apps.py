from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "joinedup.meetings"
    label = "meetings"
    verbose_name = "EMDT meetings and case discussions"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item

        from . import access, tasks  # noqa: F401  (registers the relationships and the task source)

        nav_item(perm=Perm.RUN_EMDT_MEETINGS, url_name="meetings:list", text="EMDT meetings", order=31)
