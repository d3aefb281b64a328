from pathlib import Path

from joinedup.accounts.management.commands.roles_table import roles_table
from joinedup.accounts.roles import ROLE_PERMISSIONS, Perm, Role

DOC = Path(__file__).resolve().parents[3] / "docs" / "roles.md"


def test_every_role_has_its_permissions_listed():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_roles_that_never_see_a_named_person_cannot_read_records():
    for role in (Role.COMMISSIONER, Role.ADMINISTRATOR, Role.IG_LEAD):
        assert Perm.VIEW_RECORD not in ROLE_PERMISSIONS[role]
        assert Perm.SEARCH_PEOPLE not in ROLE_PERMISSIONS[role]


def test_the_published_table_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == roles_table(), "run: python manage.py roles_table > docs/roles.md"
