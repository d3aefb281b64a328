import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from joinedup.accounts.models import User
from joinedup.directory.models import Organisation, Team
from joinedup.fhir.services import system_client_register
from joinedup.people.services import NotAllowed


class Command(BaseCommand):
    help = (
        "Register a FHIR system client for one organisation, with its public keys (a JWKS file). "
        "Prints the client id the client puts in its assertions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="the organisation's code (ODS code for the NHS)")
        parser.add_argument("--name", required=True, help="what the client is, e.g. 'Practice clinical system'")
        parser.add_argument("--role", required=True, help="the role it acts in, e.g. gp_practice_staff")
        parser.add_argument("--jwks", required=True, help="a file holding the client's JSON Web Key Set")
        parser.add_argument("--scope", required=True, help='granted system scopes, e.g. "system/Patient.read"')
        parser.add_argument("--team", action="append", help="a team code to act in (default: all the organisation's)")
        parser.add_argument("--by", required=True, help="the user name of the administrator registering it")

    def handle(self, *args, organisation, name, role, jwks, scope, team, by, **options):
        admin = User.objects.filter(username=by, is_active=True).first()
        if admin is None:
            raise CommandError(f"No active user {by!r}")
        org = Organisation.objects.filter(code__iexact=organisation).first()
        if org is None:
            raise CommandError(f"No organisation with code {organisation!r}")
        path = Path(jwks)
        try:
            keys = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise CommandError(f"Could not read a JSON Web Key Set from {path}: {e}") from None
        teams = None
        if team:
            teams = list(Team.objects.filter(code__in=team))
            missing = set(team) - {t.code for t in teams}
            if missing:
                raise CommandError(f"No team with code {', '.join(sorted(missing))}")
        try:
            client = system_client_register(
                by=admin, organisation=org, name=name, role=role, jwks=keys, scopes=scope, teams=teams
            )
        except NotAllowed as e:
            raise CommandError(str(e)) from None
        except ValidationError as e:
            raise CommandError("; ".join(m for ms in e.message_dict.values() for m in ms)) from None
        self.stdout.write(client.client_id)
