from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.accounts.models import User
from joinedup.fhir.models import SystemClient
from joinedup.fhir.services import system_client_deactivate
from joinedup.people.services import NotAllowed


class Command(BaseCommand):
    help = "Switch a FHIR system client off at once: its tokens and assertions stop working."

    def add_arguments(self, parser):
        parser.add_argument("--client", required=True, help="the client id (jc-...)")
        parser.add_argument("--reason", required=True, help="why, for the audit trail")
        parser.add_argument("--by", required=True, help="the user name of the administrator")

    def handle(self, *args, client, reason, by, **options):
        admin = User.objects.filter(username=by, is_active=True).first()
        found = SystemClient.objects.select_related("user").filter(client_id=client, active=True).first()
        if admin is None or found is None:
            raise CommandError(f"No active user {by!r}" if admin is None else f"No active client {client!r}")
        try:
            system_client_deactivate(by=admin, client=found, reason=reason)
        except (NotAllowed, ValidationError) as e:
            raise CommandError("; ".join(getattr(e, "messages", [str(e)]))) from None
        self.stdout.write(f"{found.name} ({found.client_id}) switched off")
