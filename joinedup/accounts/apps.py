from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "joinedup.accounts"
    label = "accounts"
    verbose_name = "Staff, roles and sign-in"

    def ready(self):
        from joinedup.core.navigation import nav_item

        from .roles import Perm

        nav_item(perm=Perm.MANAGE_USERS, url_name="accounts:enrolment_codes", text="Set-up codes", order=90)
