"""manage.py demo_sign_ins: the demo's staff sign-ins, one line per role, and where to sign in."""

from django.conf import settings
from django.core.management.base import BaseCommand

from joinedup.demo.personas import CIS2_STANDIN_FILE, DEMO_URL, NORTHSHIRE_PERSONAS, sign_in_rows, sign_ins_path


class Command(BaseCommand):
    help = "Print the demo personas' user names, roles, teams and passwords (made by seed_demo)."

    def handle(self, *args, **options):
        rows = sign_in_rows()
        if not rows:
            self.stdout.write("No demo sign-ins yet: run `manage.py seed_demo` first.")
            return
        self.stdout.write(f"Joined Up demo: sign in at {DEMO_URL}")
        self.stdout.write("")
        self._table(rows)
        north = sign_in_rows(NORTHSHIRE_PERSONAS)
        if north:
            self.stdout.write("")
            self.stdout.write(
                "Northshire, a made-up second region (synthetic): its staff see only Northshire's people, and "
                "Lancashire's staff none of them."
            )
            self.stdout.write("")
            self._table(north)
        self.stdout.write("")
        self.stdout.write(f"Passwords are kept in {sign_ins_path()} (made at random on the first seed).")
        cis2_users = [r.username for r in rows if r.cis2_uid]
        if cis2_users and settings.CIS2_OIDC_ISSUER:
            self.stdout.write("")
            self.stdout.write(
                f'NHS staff ({", ".join(cis2_users)}) can also press "Sign in with NHS CIS2" and choose themselves '
                f"at the stand-in CIS2 provider ({settings.CIS2_OIDC_ISSUER}), which `make demo` starts; on its own: "
                f"python -m standins.oidc --port 9000 --config var/{CIS2_STANDIN_FILE}"
            )
        if not settings.SKIP_SECOND_FACTOR:
            self.stdout.write(
                "The second factor is on: before their first sign-in, give each persona a set-up code for their "
                "authenticator app with `manage.py issue_enrolment_code USERNAME`."
            )

    def _table(self, rows):
        table = [("User name", "Role", "Team", "Password")]
        table += [(r.username, r.role_label, r.team, r.password or "(not on file: run seed_demo)") for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(3)]
        for number, row in enumerate(table):
            self.stdout.write(
                "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False)) + "  " + row[3]
            )
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths) + "  " + "-" * len(row[3]))
