from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "joinedup.staff"
    label = "staff"
    verbose_name = "Staff administration: joiners, movers and leavers"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item

        from . import jobs  # noqa: F401  (registers the access review's scheduled job)

        nav_item(perm=Perm.MANAGE_USERS, url_name="staff:list", text="Staff", order=88)
        nav_item(perm=Perm.REVIEW_ACCESS, url_name="staff:access_review", text="Access review", order=89)
