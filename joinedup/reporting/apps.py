from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "joinedup.reporting"
    label = "reporting"
    verbose_name = "Reporting for commissioners"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item

        from . import monthly, store  # noqa: F401  (register the scheduled jobs)

        nav_item(perm=Perm.VIEW_REPORTS, url_name="reporting:index", text="Reports", order=90)
