"""manage.py issue_enrolment_code USER: a one-time code for USER to set up their authenticator app."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from joinedup.accounts.models import User
from joinedup.accounts.services import enrolment_code_issue


class Command(BaseCommand):
    help = (
        "Issue a member of staff a one-time set-up code for their authenticator app (stored hashed, shown once, "
        "works once, expires in 72 hours; any earlier code is withdrawn). Issuing is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="they have lost their authenticator app or changed phone: remove the old one",
        )

    def handle(self, *args, username, replace, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active member of staff with the user name {username!r}")
        try:
            code, row = enrolment_code_issue(by=None, user=user, replace_device=replace)
        except ValidationError as error:
            message = " ".join(error.messages)
            raise CommandError(message + (" Use --replace." if not replace else "")) from error
        self.stdout.write(f"Set-up code for {user} ({user.username}): {code}")
        expires = timezone.localtime(row.expires_at)
        self.stdout.write(f"It works once, until {expires:%Y-%m-%d %H:%M %Z}. It is not shown again.")
