"""Shared test fixtures: the region, a person, and a persona for every role plus an outsider.

Everything is built through the services, so tests only meet states the application can reach.
"""

import datetime as dt

import pytest
from django.conf import settings

from joinedup.accounts.roles import ConsentKind, Role

# Each app's shared fixtures, including the `url_arg_<name>` values the URL walk needs.
pytest_plugins = [
    "joinedup.people.tests.fixtures",
    "joinedup.care.tests.fixtures",
    "joinedup.referrals.tests.fixtures",
    "joinedup.meetings.tests.fixtures",
    "joinedup.primarycare.tests.fixtures",
    "joinedup.peersupport.tests.fixtures",
    "joinedup.healthchecks.tests.fixtures",
    "joinedup.fhir.tests.fixtures",
    "joinedup.staff.tests.fixtures",
    "joinedup.portal.tests.fixtures",
    "joinedup.messaging.tests.fixtures",
]


def pytest_configure(config):
    # On PostgreSQL the audit table refuses TRUNCATE; the suite's own flush between journeys may still empty it.
    from joinedup.core.testing import let_test_teardown_empty_the_audit_table

    let_test_teardown_empty_the_audit_table()


NORTHSHIRE_PACK = settings.BASE_DIR / "joinedup" / "directory" / "regions" / "northshire"


def _loaded_region(folder):
    from joinedup.directory.loading import load_region, read_pack
    from joinedup.directory.models import Region

    code = read_pack(folder).region["code"]
    if not Region.objects.filter(code=code).exists():
        load_region(folder)
    return Region.objects.get(code=code)


@pytest.fixture
def region(db):
    """The LSC region pack. Loaded once per test database; reloaded if a transactional test emptied it."""
    return _loaded_region(settings.REGION_PACK)


@pytest.fixture
def second_region(region):
    """Northshire, the synthetic second region (joinedup/directory/regions/northshire), loaded beside LSC."""
    return _loaded_region(NORTHSHIRE_PACK)


def _team(kind, region=None, **filters):
    from joinedup.directory.models import Team

    if region is not None:
        filters["region"] = region
    return Team.objects.filter(kind=kind, **filters).order_by("code").first()


@pytest.fixture
def practice(region):
    """A Blackpool practice that belongs to a PCN."""
    from joinedup.directory.models import Practice

    return Practice.objects.filter(locality__code="blackpool", pcn__isnull=False).order_by("ods_code").first()


@pytest.fixture
def far_practice(region):
    from joinedup.directory.models import Practice

    return Practice.objects.filter(locality__code="furness", pcn__isnull=False).order_by("ods_code").first()


class Personas:
    """One member of staff per role, attached to the Blackpool teams around `practice`, and an outsider. All in the
    practice's region; `prefix` names a second set (another region's personas)."""

    def __init__(self, practice, far_practice, prefix="test"):
        from joinedup.accounts.services import staff_create
        from joinedup.directory.models import Organisation, TeamKind

        blackpool = practice.locality
        region = practice.region
        peer_team = _team(TeamKind.PEER_SUPPORT, region, organisation__code__icontains="calico") or _team(
            TeamKind.PEER_SUPPORT, region
        )
        partner_vcfse = _team(TeamKind.PARTNER, region, organisation__kind="vcfse")
        partner_la = _team(TeamKind.PARTNER, region, organisation__kind="local_authority")
        teams = {
            Role.MHP: _team(TeamKind.PCN_MENTAL_HEALTH, pcn=practice.pcn),
            Role.TRAINEE_PSYCHOLOGIST: _team(TeamKind.PCN_MENTAL_HEALTH, pcn=practice.pcn),
            Role.COMMUNITY_CLINICIAN: _team(TeamKind.COMMUNITY_MENTAL_HEALTH, locality=blackpool),
            Role.EMDT_COORDINATOR: _team(TeamKind.EMDT, locality=blackpool),
            Role.KEY_WORKER: _team(TeamKind.COMMUNITY_MENTAL_HEALTH, locality=blackpool),
            Role.PARTNER_PROFESSIONAL: partner_vcfse,
            Role.PEER_SUPPORT_WORKER: peer_team,
            Role.SENIOR_PEER_SUPPORT_WORKER: peer_team,
            Role.VOLUNTEER: peer_team,
            Role.OUTREACH_WORKER: _team(TeamKind.OUTREACH, region),
            Role.HEALTH_CHECK_PROVIDER: _team(TeamKind.PRACTICE, practice=practice),
            Role.GP_PRACTICE_STAFF: _team(TeamKind.PRACTICE, practice=practice),
            Role.COMMISSIONER: _team(TeamKind.COMMISSIONING, region),
            Role.ADMINISTRATOR: _team(TeamKind.ADMINISTRATION, region),
            Role.IG_LEAD: _team(TeamKind.ADMINISTRATION, region),
        }
        self.by_role = {}
        for role, team in teams.items():
            assert team is not None, f"no team for {role}"
            self.by_role[role] = staff_create(
                username=f"{prefix}.{role}",
                first_name="Test",
                last_name=Role(role).label[:40],
                memberships=[(team, role)],
                password="correct horse battery",
            )
        self.local_authority = staff_create(
            username=f"{prefix}.council",
            first_name="Test",
            last_name="Council",
            memberships=[(partner_la, Role.PARTNER_PROFESSIONAL)],
            password="correct horse battery",
        )
        self.outsider = staff_create(
            username=f"{prefix}.outsider",
            first_name="Olive",
            last_name="Outsider",
            memberships=[(_team(TeamKind.PCN_MENTAL_HEALTH, pcn=far_practice.pcn), Role.MHP)],
            password="correct horse battery",
        )
        self.organisations = Organisation.objects

    def __getattr__(self, name):
        try:
            return self.by_role[Role(name)]
        except ValueError:
            raise AttributeError(name) from None

    def all(self):
        return {
            **{str(r): u for r, u in self.by_role.items()},
            "local_authority": self.local_authority,
            "outsider": self.outsider,
        }


@pytest.fixture
def personas(practice, far_practice):
    return Personas(practice, far_practice)


@pytest.fixture
def person(personas, practice):
    """A person registered at the Blackpool practice, consenting to NHS, VCFSE and peer support sharing,
    with the community clinician (key worker), the VCFSE partner and the peer support worker on the care team."""
    return _person_with_care_team(personas, practice, nhs_number="9990000018", given_name="Zoë", postcode="FY1 3AB")


def _person_with_care_team(personas, practice, *, nhs_number, given_name, postcode):
    from joinedup.care.services import care_team_add
    from joinedup.people.services import person_register

    p = person_register(
        by=personas.gp_practice_staff,
        nhs_number=nhs_number,
        given_name=given_name,
        family_name="Ashworth",
        date_of_birth=dt.date(1984, 3, 15),
        sex="2",
        ethnicity="A",
        postcode=postcode,
        practice=practice,
        consents={
            ConsentKind.NHS: True,
            ConsentKind.VCFSE: True,
            ConsentKind.PEER_SUPPORT: True,
            ConsentKind.LOCAL_AUTHORITY: False,
        },
    )
    clinician = personas.community_clinician
    for user, key in (
        (clinician, True),
        (personas.partner_professional, False),
        (personas.peer_support_worker, False),
        (personas.key_worker, False),
        (personas.emdt_coordinator, False),
        (personas.local_authority, False),
        (personas.volunteer, False),
        (personas.senior_peer_support_worker, False),
        (personas.outreach_worker, False),
    ):
        care_team_add(
            by=personas.mhp,
            person=p,
            user=user,
            organisation=user.primary_organisation,
            role_title=user.primary_membership.get_role_display(),
            is_key_worker=key,
        )
    return p


# The second region: Northshire (synthetic), with its own personas and person ------------------------------------


@pytest.fixture
def northshire_practice(second_region):
    from joinedup.directory.models import Practice

    return Practice.objects.get(ods_code="ZZNSGP001")


@pytest.fixture
def northshire_far_practice(second_region):
    from joinedup.directory.models import Practice

    return Practice.objects.get(ods_code="ZZNSGP005")


@pytest.fixture
def northshire_personas(northshire_practice, northshire_far_practice):
    """One persona per role in Northshire's teams (user names north.<role>), its council worker and its outsider."""
    return Personas(northshire_practice, northshire_far_practice, prefix="north")


@pytest.fixture
def northshire_person(northshire_personas, northshire_practice):
    """A person registered in Northshire, with a care team of Northshire's personas (as `person` in LSC)."""
    return _person_with_care_team(
        northshire_personas, northshire_practice, nhs_number="9990100004", given_name="Nia", postcode="ZZ1 1NB"
    )
