"""manage.py portal_demo_sign_ins: the demo's person sign-ins at the stand-in NHS login (made by seed_demo)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from joinedup.portal.demo_data import sign_in_rows, write_demo_files


class Command(BaseCommand):
    help = "Print the people who can sign in to their own Joined Up through the stand-in NHS login."

    def handle(self, *args, **options):
        rows = sign_in_rows()
        if not rows:
            self.stdout.write("No person sign-ins yet: run `manage.py seed_demo` first.")
            return
        write_demo_files(rows)  # the stand-in's configuration, with the client key of this checkout
        self.stdout.write("")
        self.stdout.write("People: sign in to their own Joined Up at http://127.0.0.1:8000/my/")
        self.stdout.write(f"(through the stand-in NHS login at {settings.PORTAL_OIDC_ISSUER}: choose who to be)")
        self.stdout.write("")
        width = max(len(r["id"]) for r in rows)
        self.stdout.write(f"{'Choose'.ljust(width)}  Who")
        self.stdout.write(f"{'-' * width}  ---")
        for row in rows:
            self.stdout.write(f"{row['id'].ljust(width)}  {row['who']}")
