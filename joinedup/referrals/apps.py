from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "joinedup.referrals"
    label = "referrals"
    verbose_name = "EMDT requests"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item, person_nav_item

        from . import access, tasks  # noqa: F401  (registers the relationship and the task source)

        nav_item(perm=Perm.TRIAGE_EMDT, url_name="referrals:queue", text="EMDT requests", order=30)
        person_nav_item(perm=Perm.VIEW_RECORD, url_name="referrals:person", text="EMDT", order=45)
