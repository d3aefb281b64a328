from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "joinedup.care"
    label = "care"
    verbose_name = "Care teams and key working"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item, person_nav_item

        from . import (
            access,  # noqa: F401  (registers the care team relationship)
            tasks,  # noqa: F401  (registers care plan actions as a task source)
        )

        nav_item(perm=Perm.VIEW_CASELOAD, url_name="care:caseload", text="My caseload", order=30)
        person_nav_item(perm=Perm.VIEW_RECORD, url_name="care:plan", text="Care and support plan", order=30)
        person_nav_item(perm=Perm.VIEW_RECORD, url_name="care:outcomes", text="Outcomes", order=35)
        person_nav_item(perm=Perm.EDIT_CARE_TEAM, url_name="care:team", text="Care team", order=40)
