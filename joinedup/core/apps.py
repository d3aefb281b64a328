from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "joinedup.core"
    label = "core"
    verbose_name = "Core: audit, timeline, access policy"

    def ready(self):
        from joinedup.accounts.roles import Perm

        from .navigation import nav_item

        nav_item(perm=Perm.SEARCH_PEOPLE, url_name="my_tasks", text="My tasks", order=20)
        nav_item(
            perm=Perm.REVIEW_AUDIT, url_name="governance:emergency_access", text="Emergency access review", order=900
        )
        nav_item(perm=Perm.REVIEW_AUDIT, url_name="governance:audit", text="Audit trail", order=910)
