"""Demo: three people with rich records get NHS login sign-ins at the stand-in provider, one with a carer.

Called by seed_demo (after care, meetings and health checks have made their histories). The sign-ins are written to
var/portal-demo-sign-ins.json and the stand-in's configuration (var/oidc-standin.json), so `make demo` can start the
provider and print them beside the staff sign-ins (`manage.py portal_demo_sign_ins`).
"""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings

from joinedup.core.validators import validate_nhs_number

SIGN_INS_FILE = "portal-demo-sign-ins.json"
STANDIN_CONFIG = "oidc-standin.json"
DEMO_ISSUER_PORT = 9000
CALLBACKS = ["http://127.0.0.1:8000/my/sign-in/callback/", "http://localhost:8000/my/sign-in/callback/"]


class _Person:
    """The demo grants access as the person would, through the same service."""

    is_authenticated = False
    done_by = "by the person themself"

    def __init__(self, person):
        self.audit_username = f"the person themself (demo set-up for {person.pk})"


def _unused_nhs_number(start: int) -> str:
    from django.core.exceptions import ValidationError

    from joinedup.people.models import Person

    for n in range(start, start + 1000):
        candidate = f"{9990000000 + n:010d}"
        try:
            validate_nhs_number(candidate)
        except ValidationError:
            continue
        if not Person.objects.filter(nhs_number=candidate).exists():
            return candidate
    raise RuntimeError("no free synthetic NHS number")


def _rich_people(ctx, count=3):
    """People with a key worker and a plan, most timeline first."""
    from django.db.models import Count

    from joinedup.people.models import Person

    ids = [p.pk for p in ctx.people]
    return list(
        Person.objects.filter(
            pk__in=ids, nhs_number__isnull=False, care_team__is_key_worker=True, care_team__ended__isnull=True
        )
        .annotate(entries=Count("timeline", distinct=True))
        .order_by("-entries", "pk")[:count]
    )


def seed(ctx) -> None:
    people = _rich_people(ctx)
    if not people:
        return
    rows = []
    for person in people:
        rows.append(
            {
                "id": f"person-{person.pk}",
                "label": f"{person.full_name} (P9)",
                "who": f"{person.full_name}, born {person.date_of_birth:%d %B %Y}",
                "claims": {
                    "nhs_number": person.nhs_number,
                    "birthdate": person.date_of_birth.isoformat(),
                    "given_name": person.given_name,
                    "family_name": person.family_name,
                    "identity_proofing_level": "P9",
                },
            }
        )
    carer_number = _unused_nhs_number(9_000)
    carer_birth = dt.date(1962, 5, 14)
    with ctx.at(ctx.today - dt.timedelta(days=3)):  # given a few days ago, as the rest of the history is dated
        _grant(ctx, people[0], carer_number, carer_birth)
    rows.append(
        {
            "id": "carer",
            "label": f"Pat Carer, carer for {people[0].full_name} (P9)",
            "who": f"Pat Carer, carer for {people[0].full_name}",
            "claims": {
                "nhs_number": carer_number,
                "birthdate": carer_birth.isoformat(),
                "given_name": "Pat",
                "family_name": "Carer",
                "identity_proofing_level": "P9",
            },
        }
    )
    rows.append(
        {
            "id": "not-proven",
            "label": f"{people[-1].full_name}, identity not proven (P5)",
            "who": f"{people[-1].full_name}, proven only to P5: sees what to do next",
            "claims": {**rows[len(people) - 1]["claims"], "identity_proofing_level": "P5"},
        }
    )
    write_demo_files(rows)


def write_demo_files(rows) -> Path:
    """The sign-ins file, and the stand-in's configuration: the portal client (its public keys from the key made at
    run time into var/) and these identities."""
    from .oidc import write_demo_client_key, write_jwks

    var = Path(settings.VAR_DIR)
    var.mkdir(parents=True, exist_ok=True)
    key_path = Path(settings.PORTAL_OIDC_PRIVATE_KEY_FILE)
    jwks_path = write_jwks(key_path) if key_path.exists() else write_demo_client_key(key_path)
    (var / SIGN_INS_FILE).write_text(json.dumps(rows, indent=2))
    config = {
        "clients": [
            {
                "client_id": settings.PORTAL_OIDC_CLIENT_ID or "joinedup-portal-demo",
                "redirect_uris": CALLBACKS,
                "jwks_file": str(jwks_path.resolve()),
                "profile": "nhslogin",
            }
        ],
        "identities": [{"id": r["id"], "label": r["label"], "claims": r["claims"]} for r in rows],
    }
    path = var / STANDIN_CONFIG
    path.write_text(json.dumps(config, indent=2))
    return path


def sign_in_rows() -> list[dict]:
    path = Path(settings.VAR_DIR) / SIGN_INS_FILE
    return json.loads(path.read_text()) if path.exists() else []


def _grant(ctx, person, nhs_number, birthdate):
    from .services import helper_grant

    helper_grant(
        by=_Person(person),
        person=person,
        kind="carer",
        name="Pat Carer",
        nhs_number=nhs_number,
        birthdate=birthdate,
        may_act=True,
        until=ctx.today + dt.timedelta(days=180),
    )
