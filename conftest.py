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


@pytest.fixture
def region(db):
    """The LSC region pack. Loaded once per test database; reloaded if a transactional test emptied it."""
    from joinedup.directory.loading import load_region
    from joinedup.directory.models import Region

    if not Region.objects.exists():
        load_region(settings.REGION_PACK)
    return Region.objects.get()


def _team(kind, **filters):
    from joinedup.directory.models import Team

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
    """One member of staff per role, attached to the Blackpool teams around `practice`, and an outsider."""

    def __init__(self, practice, far_practice):
        from joinedup.accounts.services import staff_create
        from joinedup.directory.models import Organisation, TeamKind

        blackpool = practice.locality
        peer_team = _team(TeamKind.PEER_SUPPORT, organisation__code__icontains="calico") or _team(TeamKind.PEER_SUPPORT)
        partner_vcfse = _team(TeamKind.PARTNER, organisation__kind="vcfse")
        partner_la = _team(TeamKind.PARTNER, organisation__kind="local_authority")
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
            Role.OUTREACH_WORKER: _team(TeamKind.OUTREACH),
            Role.HEALTH_CHECK_PROVIDER: _team(TeamKind.PRACTICE, practice=practice),
            Role.GP_PRACTICE_STAFF: _team(TeamKind.PRACTICE, practice=practice),
            Role.COMMISSIONER: _team(TeamKind.COMMISSIONING),
            Role.ADMINISTRATOR: _team(TeamKind.ADMINISTRATION),
            Role.IG_LEAD: _team(TeamKind.ADMINISTRATION),
        }
        self.by_role = {}
        for role, team in teams.items():
            assert team is not None, f"no team for {role}"
            self.by_role[role] = staff_create(
                username=f"test.{role}",
                first_name="Test",
                last_name=Role(role).label[:40],
                memberships=[(team, role)],
                password="correct horse battery",
            )
        self.local_authority = staff_create(
            username="test.council",
            first_name="Test",
            last_name="Council",
            memberships=[(partner_la, Role.PARTNER_PROFESSIONAL)],
            password="correct horse battery",
        )
        self.outsider = staff_create(
            username="test.outsider",
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
    from joinedup.care.services import care_team_add
    from joinedup.people.services import person_register

    p = person_register(
        by=personas.gp_practice_staff,
        nhs_number="9990000018",
        given_name="Zoë",
        family_name="Ashworth",
        date_of_birth=dt.date(1984, 3, 15),
        sex="2",
        ethnicity="A",
        postcode="FY1 3AB",
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
