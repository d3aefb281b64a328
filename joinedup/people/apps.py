from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    label = "people"
    verbose_name = "People receiving care"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item, person_nav_item

        from . import access  # noqa: F401  (registers the practice and emergency access relationships)

        nav_item(perm=Perm.SEARCH_PEOPLE, url_name="people:search", text="Find a person", order=10)
        person_nav_item(perm=Perm.VIEW_RECORD, url_name="people:record", text="Record", order=10)
        person_nav_item(perm=Perm.VIEW_RECORD, url_name="people:timeline", text="Timeline", order=20)
