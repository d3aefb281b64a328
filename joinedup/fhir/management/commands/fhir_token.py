from django.core.management.base import BaseCommand, CommandError

from joinedup.fhir.auth import TokenRefused
from joinedup.fhir.models import SystemClient
from joinedup.fhir.services import access_token_issue


class Command(BaseCommand):
    help = (
        "Print a short-lived FHIR access token for an organisation's system client (for operators and tests; "
        "clients themselves use the token endpoint with a signed assertion)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="the organisation's code (ODS code for the NHS)")
        parser.add_argument("--scope", required=True, help='system scopes, e.g. "system/Patient.read"')
        parser.add_argument("--client", help="the client id, when the organisation has more than one client")

    def handle(self, *args, organisation, scope, client=None, **options):
        clients = SystemClient.objects.filter(organisation__code__iexact=organisation, active=True)
        if client:
            clients = clients.filter(client_id=client)
        clients = list(clients.select_related("user")[:2])
        if not clients:
            raise CommandError(f"No active FHIR system client for organisation {organisation!r}")
        if len(clients) > 1:
            raise CommandError(f"{organisation} has more than one client: name one with --client")
        try:
            token, _ = access_token_issue(client=clients[0], scope=scope)
        except TokenRefused as e:
            raise CommandError(e.description) from None
        self.stdout.write(token)
