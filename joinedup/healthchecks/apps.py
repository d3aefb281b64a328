from django.apps import AppConfig


class HealthchecksConfig(AppConfig):
    name = "joinedup.healthchecks"
    label = "healthchecks"
    verbose_name = "SMI physical health checks"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item, person_nav_item

        from . import access, tasks  # noqa: F401  (the outreach relationship; the task source)

        nav_item(perm=Perm.HC_VIEW, url_name="healthchecks:worklist", text="Health checks", order=60)
        person_nav_item(perm=Perm.HC_VIEW, url_name="healthchecks:person", text="Physical health checks", order=70)
