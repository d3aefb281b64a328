"""The demo's staff: one persona for every role, placed in the teams around one Blackpool practice, and an
outsider, a practitioner far away who must see none of the Blackpool people.

Teams are looked up in the loaded region pack by kind, place and organisation, never by a code the pack might
not hold. Where the pack has no Blackpool (another region), the first locality with a PCN practice stands in.

Passwords are made at random the first time and kept in `var/demo-sign-ins.json` (settings.VAR_DIR, outside
git), so `make demo` prints the same ones every time. The file also keeps each password's hash, so a later run
can tell cheaply that the database still matches it without hashing sixteen passwords again.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from joinedup.accounts.models import User
from joinedup.accounts.roles import Role
from joinedup.accounts.services import staff_create
from joinedup.directory.models import (
    Locality,
    OrganisationKind,
    OutreachCoverage,
    Practice,
    Region,
    Team,
    TeamKind,
)

DEMO_URL = "http://127.0.0.1:8000/"
SIGN_INS_FILE = "demo-sign-ins.json"
OUTSIDER = "outsider"

# Where the demo is set; both fall back to another place if the loaded pack does not have them.
HOME_LOCALITY = "blackpool"
FAR_LOCALITY = "furness"
PARTNER_NAME = "Mind"  # the VCFSE partner team preferred for the partner professional


@dataclass(frozen=True)
class PersonaSpec:
    key: str  # the role, or OUTSIDER
    username: str
    first_name: str
    last_name: str
    job_title: str
    role: str
    team: str  # which of DemoPlaces' teams

    @property
    def role_label(self) -> str:
        return Role(self.role).label


PERSONAS = (
    PersonaSpec(Role.MHP, "demo.mhp", "Priya", "Sharma", "Mental health practitioner", Role.MHP, "pcn"),
    PersonaSpec(Role.TRAINEE_PSYCHOLOGIST, "demo.trainee", "Tom", "Whittaker",
                "Trainee clinical associate psychologist", Role.TRAINEE_PSYCHOLOGIST, "pcn"),
    PersonaSpec(Role.COMMUNITY_CLINICIAN, "demo.clinician", "Gemma", "Holden", "Community mental health nurse",
                Role.COMMUNITY_CLINICIAN, "cmht"),
    PersonaSpec(Role.EMDT_COORDINATOR, "demo.coordinator", "Rashid", "Patel", "EMDT coordinator",
                Role.EMDT_COORDINATOR, "emdt"),
    PersonaSpec(Role.KEY_WORKER, "demo.keyworker", "Dawn", "Fairclough", "Key worker", Role.KEY_WORKER, "cmht"),
    PersonaSpec(Role.PARTNER_PROFESSIONAL, "demo.partner", "Siân", "Roberts", "Wellbeing and recovery practitioner",
                Role.PARTNER_PROFESSIONAL, "partner"),
    PersonaSpec(Role.PEER_SUPPORT_WORKER, "demo.peer", "Liam", "Cartwright", "Peer support worker",
                Role.PEER_SUPPORT_WORKER, "peer"),
    PersonaSpec(Role.SENIOR_PEER_SUPPORT_WORKER, "demo.seniorpeer", "Nicola", "Barnes", "Senior peer support worker",
                Role.SENIOR_PEER_SUPPORT_WORKER, "peer"),
    PersonaSpec(Role.VOLUNTEER, "demo.volunteer", "Kevin", "Ashton", "Lived-experience volunteer", Role.VOLUNTEER,
                "peer"),
    PersonaSpec(Role.OUTREACH_WORKER, "demo.outreach", "Hannah", "Kowalczyk", "Health check outreach worker",
                Role.OUTREACH_WORKER, "outreach"),
    PersonaSpec(Role.HEALTH_CHECK_PROVIDER, "demo.healthcheck", "Farah", "Iqbal", "Healthcare assistant",
                Role.HEALTH_CHECK_PROVIDER, "practice"),
    PersonaSpec(Role.GP_PRACTICE_STAFF, "demo.gp", "Julie", "Singleton", "Care navigator", Role.GP_PRACTICE_STAFF,
                "practice"),
    PersonaSpec(Role.COMMISSIONER, "demo.commissioner", "Andrew", "Pemberton",
                "Senior commissioning manager, mental health", Role.COMMISSIONER, "commissioning"),
    PersonaSpec(Role.ADMINISTRATOR, "demo.admin", "Chris", "Rigby", "System administrator", Role.ADMINISTRATOR,
                "administration"),
    PersonaSpec(Role.IG_LEAD, "demo.ig", "Margaret", "Dewhurst", "Information governance lead", Role.IG_LEAD,
                "administration"),
    PersonaSpec(OUTSIDER, "demo.outsider", "Olivia", "Nelson", "Mental health practitioner", Role.MHP, "far_pcn"),
)  # fmt: skip
PERSONA_USERNAMES = tuple(spec.username for spec in PERSONAS)
# Northshire, the synthetic second region (joinedup/directory/regions/northshire): a few staff, so the demo shows
# that one region's staff never see another's people (seeded by second_region.py).
NORTHSHIRE_PERSONAS = (
    PersonaSpec(Role.MHP, "north.mhp", "Aled", "Morgan", "Mental health practitioner", Role.MHP, "pcn"),
    PersonaSpec(Role.COMMUNITY_CLINICIAN, "north.clinician", "Bethan", "Lloyd", "Community mental health nurse",
                Role.COMMUNITY_CLINICIAN, "cmht"),
    PersonaSpec(Role.GP_PRACTICE_STAFF, "north.gp", "Carys", "Hughes", "Care navigator", Role.GP_PRACTICE_STAFF,
                "practice"),
    PersonaSpec(Role.COMMISSIONER, "north.commissioner", "Dafydd", "Price", "Commissioning manager, mental health",
                Role.COMMISSIONER, "commissioning"),
    PersonaSpec(Role.IG_LEAD, "north.ig", "Eira", "Jenkins", "Information governance lead", Role.IG_LEAD,
                "administration"),
)  # fmt: skip
NORTHSHIRE_USERNAMES = tuple(spec.username for spec in NORTHSHIRE_PERSONAS)
# CIS2 user ids of Northshire's personas follow Lancashire's.
NORTHSHIRE_FIRST_NUMBER = 101
STAFF_PHONE = "01632 960{:03d}"  # Ofcom's drama range for landlines
# NHS personas sign in with CIS2 through the stand-in provider (standins/oidc): made-up CIS2 user ids.
CIS2_UID = "5550{:08d}"
CIS2_STANDIN_FILE = "oidc-standin-cis2.json"


@dataclass
class DemoPlaces:
    """The places and teams the demo is set in, found in the loaded region pack."""

    home_locality: Locality
    home_practice: Practice
    far_practice: Practice | None
    teams: dict[str, Team | None]

    @property
    def home_pcn(self):
        return self.home_practice.pcn

    @property
    def home_pcn_practices(self) -> list[Practice]:
        return list(Practice.objects.filter(pcn=self.home_pcn).order_by("ods_code"))


class DemoSetupError(Exception):
    pass


def home_region() -> Region | None:
    """The region the demo is set in: Blackpool's, else the first real (not synthetic) region loaded."""
    home = Locality.objects.filter(code=HOME_LOCALITY).select_related("area__region").first()
    if home is not None:
        return home.area.region
    return Region.objects.order_by("synthetic", "pk").first()


def find_places(region: Region | None = None) -> DemoPlaces:
    """The demo's places in `region` (the home region by default): every team and practice is that region's, so
    another loaded region's teams are never picked."""
    region = region or home_region()
    with_pcn = Practice.objects.filter(pcn__isnull=False, region=region).select_related("pcn", "locality")
    home = Locality.objects.filter(code=HOME_LOCALITY, area__region=region).first()
    if home is None or not with_pcn.filter(locality=home).exists():
        first = with_pcn.order_by("locality__code", "ods_code").first()
        if first is None:
            raise DemoSetupError("The region has no GP practice in a PCN: load a region pack first (load_region)")
        home = first.locality
    home_practice = with_pcn.filter(locality=home).order_by("ods_code").first()

    far_practices = with_pcn.exclude(locality=home).order_by("ods_code")
    far_practice = (
        far_practices.filter(locality__code=FAR_LOCALITY).first()
        or far_practices.exclude(locality__area=home.area).first()
        or far_practices.first()
    )

    provider = OutreachCoverage.objects.filter(locality=home).values_list("provider_id", flat=True).first()

    def team(kind, *preferred, **required):
        found = Team.objects.filter(kind=kind, region=region, **required).order_by("code")
        for extra in preferred:
            match = found.filter(**extra).first()
            if match:
                return match
        return found.first()

    teams = {
        "pcn": team(TeamKind.PCN_MENTAL_HEALTH, pcn=home_practice.pcn),
        "cmht": team(TeamKind.COMMUNITY_MENTAL_HEALTH, locality=home),
        "emdt": team(TeamKind.EMDT, locality=home),
        "practice": team(TeamKind.PRACTICE, practice=home_practice),
        "peer": team(TeamKind.PEER_SUPPORT, {"organisation_id": provider}),
        "outreach": team(TeamKind.OUTREACH, {"organisation_id": provider}),
        "partner": team(
            TeamKind.PARTNER,
            {"organisation__name__icontains": PARTNER_NAME},
            {"locality": home},
            organisation__kind=OrganisationKind.VCFSE,
        ),
        "commissioning": team(TeamKind.COMMISSIONING),
        "administration": team(TeamKind.ADMINISTRATION),
        "far_pcn": team(TeamKind.PCN_MENTAL_HEALTH, pcn=far_practice.pcn) if far_practice else None,
    }
    if teams["partner"] is None:
        teams["partner"] = team(TeamKind.PARTNER)
    if teams["outreach"] is None:
        teams["outreach"] = team(TeamKind.OUTREACH)
    return DemoPlaces(home, home_practice, far_practice, teams)


# The sign-ins file ------------------------------------------------------------------------------------------


def sign_ins_path() -> Path:
    return Path(settings.VAR_DIR) / SIGN_INS_FILE


def load_sign_ins() -> dict[str, dict[str, str]]:
    """username -> {"password": ..., "hash": ...}; empty when there is no file yet."""
    path = sign_ins_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    sign_ins = data.get("sign_ins", {}) if isinstance(data, dict) else {}
    return {name: entry for name, entry in sign_ins.items() if isinstance(entry, dict) and entry.get("password")}


def save_sign_ins(sign_ins: dict[str, dict[str, str]]) -> Path:
    path = sign_ins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "about": "Demo sign-ins made by `manage.py seed_demo`. Synthetic accounts for a local demo only.",
        "url": DEMO_URL,
        "sign_ins": sign_ins,
    }
    # Written readable by the owner only, then moved into place so a reader never sees half a file.
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    temporary.replace(path)
    return path


def new_password() -> str:
    return secrets.token_urlsafe(12)


# Creating the personas --------------------------------------------------------------------------------------


@dataclass
class PersonasResult:
    users: dict[str, User]  # key (role or OUTSIDER) -> user
    created: list[str]
    passwords_set: list[str]
    missing_teams: list[str]


def create_personas(places: DemoPlaces, specs=PERSONAS, first_number: int = 1) -> PersonasResult:
    """Create any persona that does not exist yet and make sure each signs in with the password on file."""
    sign_ins = load_sign_ins()
    existing = {u.username: u for u in User.objects.filter(username__in=[spec.username for spec in specs])}
    result = PersonasResult({}, [], [], [])
    for number, spec in enumerate(specs, start=first_number):
        user = existing.get(spec.username)
        entry = sign_ins.get(spec.username) or {"password": new_password()}
        if user is None:
            team = places.teams.get(spec.team)
            if team is None:
                result.missing_teams.append(spec.username)
                continue
            user = staff_create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@example.com",
                job_title=spec.job_title,
                phone=STAFF_PHONE.format(100 + number),
                memberships=[(team, spec.role)],
                password=entry["password"],
            )
            result.created.append(spec.username)
        elif entry.get("hash") != user.password and not user.check_password(entry["password"]):
            # The file and the database disagree (a new file, or another database): the file wins.
            user.set_password(entry["password"])
            user.save(update_fields=["password"])
            result.passwords_set.append(spec.username)
        sign_ins[spec.username] = {"password": entry["password"], "hash": user.password}
        result.users[spec.key] = user
        _mark_cis2(user, number)
    save_sign_ins(sign_ins)
    write_cis2_standin_config()
    return result


def _mark_cis2(user, number) -> None:
    """Staff of NHS organisations (the trust, GP practices, the ICB) are CIS2 users."""
    membership = user.primary_membership
    if user.cis2_uid or membership is None or membership.team.organisation.kind != OrganisationKind.NHS:
        return
    user.cis2_uid = CIS2_UID.format(number)
    User.objects.filter(pk=user.pk).update(cis2_uid=user.cis2_uid)


def write_cis2_standin_config() -> Path:
    """The stand-in provider's clients and identities for CIS2: this demo's client key and one identity per CIS2
    persona (the stand-in re-reads the file, so seeding after it started is fine)."""
    from joinedup.accounts.cis2 import client_public_jwks

    users = User.objects.filter(username__in=PERSONA_USERNAMES + NORTHSHIRE_USERNAMES, cis2_uid__isnull=False).order_by(
        "username"
    )
    data = {
        "about": "Made by seed_demo: the demo's CIS2 client and its NHS personas, for standins/oidc only.",
        "clients": [
            {
                "client_id": settings.CIS2_OIDC_CLIENT_ID,
                "redirect_uris": [f"{DEMO_URL}account/cis2/callback/", "http://localhost:8000/account/cis2/callback/"],
                "profile": "cis2",
                "jwks": client_public_jwks(),
            }
        ],
        "identities": [
            {
                "id": user.username,
                "label": f"{user.get_full_name()}, {user.job_title}",
                "profile": "cis2",
                "sub": user.cis2_uid,
                "claims": {"uid": user.cis2_uid, "given_name": user.first_name, "family_name": user.last_name},
            }
            for user in users
        ],
    }
    path = Path(settings.VAR_DIR) / CIS2_STANDIN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def personas_in_place(usernames=PERSONA_USERNAMES) -> bool:
    """Whether every persona exists and signs in with the password on file (checked without hashing)."""
    sign_ins = load_sign_ins()
    hashes = dict(User.objects.filter(username__in=usernames).values_list("username", "password"))
    return all(name in hashes and sign_ins.get(name, {}).get("hash") == hashes[name] for name in usernames)


@dataclass(frozen=True)
class SignIn:
    username: str
    role_label: str
    team: str
    password: str
    outsider: bool
    cis2_uid: str = ""


def sign_in_rows(specs=PERSONAS) -> list[SignIn]:
    """One row per persona, in the order of `specs` (Lancashire's PERSONAS by default), for the ones that exist."""
    sign_ins = load_sign_ins()
    names = [spec.username for spec in specs]
    users = {u.username: u for u in User.objects.filter(username__in=names).prefetch_related("memberships__team")}
    rows = []
    for spec in specs:
        user = users.get(spec.username)
        if user is None:
            continue
        membership = next((m for m in user.memberships.all() if m.ended is None), None)
        rows.append(
            SignIn(
                username=spec.username,
                role_label=spec.role_label + (" (outsider)" if spec.key == OUTSIDER else ""),
                team=str(membership.team) if membership else "",
                password=sign_ins.get(spec.username, {}).get("password", ""),
                outsider=spec.key == OUTSIDER,
                cis2_uid=user.cis2_uid or "",
            )
        )
    return rows
