from django.apps import AppConfig


class PrimarycareConfig(AppConfig):
    name = "joinedup.primarycare"
    label = "primarycare"
    verbose_name = "Primary care mental health"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item, person_nav_item

        from . import tasks  # noqa: F401  (registers the MHP task sources)

        nav_item(perm=Perm.PC_VIEW_CASELOAD, url_name="primarycare:caseload", text="Primary care caseload", order=30)
        nav_item(perm=Perm.PC_SUPERVISE, url_name="primarycare:supervision", text="Sessions to review", order=31)
        person_nav_item(perm=Perm.PC_VIEW, url_name="primarycare:person", text="Primary care", order=50)
