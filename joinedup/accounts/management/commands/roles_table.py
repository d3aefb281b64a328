"""Print who may do what, as a Markdown table, for the information governance lead: docs/roles.md."""

from django.core.management.base import BaseCommand

from joinedup.accounts.roles import ALL_PERMISSIONS, ROLE_PERMISSIONS, Role


def roles_table() -> str:
    perms = sorted(ALL_PERMISSIONS)
    lines = [
        "# Who may do what",
        "",
        "Made by `python manage.py roles_table` from `joinedup/accounts/roles.py`; a test fails when it is out of",
        "date. A tick means the role carries the permission at all. Whether a user may use it for a particular",
        "person is then decided by the access policy (a legitimate relationship, and the person's consent for",
        "non-NHS and peer support staff): see `docs/how-it-works.md`.",
        "",
        "| permission | " + " | ".join(Role(r).label for r in Role) + " |",
        "|---|" + "---|" * len(Role),
    ]
    for perm in perms:
        ticks = ["✓" if perm in ROLE_PERMISSIONS[r] else "" for r in Role]
        lines.append(f"| `{perm}` | " + " | ".join(ticks) + " |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the roles and their permissions as a Markdown table"

    def handle(self, *args, **options):
        self.stdout.write(roles_table(), ending="")
