"""The access policy, from the outsider's side first."""

import pytest
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind, Perm
from joinedup.core.access import forget, may, registered_relationships, visible_people
from joinedup.people.services import consent_record, emergency_access_grant

pytestmark = pytest.mark.django_db


def sees(user, person):
    return visible_people(user).filter(pk=person.pk).exists()


def test_outsider_cannot_see_that_the_person_exists(personas, person):
    assert not sees(personas.outsider, person)
    assert not may(personas.outsider, Perm.VIEW_RECORD, person)


def test_commissioner_administrator_and_ig_lead_never_read_a_record(personas, person):
    for user in (personas.commissioner, personas.administrator, personas.ig_lead):
        assert not may(user, Perm.VIEW_RECORD, person)


def test_practice_pcn_and_care_team_give_a_relationship(personas, person):
    for user in (
        personas.gp_practice_staff,
        personas.mhp,
        personas.community_clinician,
        personas.partner_professional,
        personas.peer_support_worker,
    ):
        assert may(user, Perm.VIEW_RECORD, person), user


def test_local_authority_sees_nothing_without_consent_even_on_the_care_team(personas, person):
    assert not sees(personas.local_authority, person)
    consent_record(by=personas.gp_practice_staff, person=person, kind=ConsentKind.LOCAL_AUTHORITY, given=True)
    assert sees(personas.local_authority, person)


def test_withdrawing_consent_hides_the_record_at_once(personas, person):
    vcfse = personas.partner_professional
    assert sees(vcfse, person)
    consent_record(by=personas.community_clinician, person=person, kind=ConsentKind.VCFSE, given=False)
    assert not sees(vcfse, person)
    # The NHS care team and the practice still see it.
    assert sees(personas.community_clinician, person)


def test_peer_support_access_follows_peer_support_consent(personas, person):
    assert sees(personas.peer_support_worker, person)
    consent_record(by=personas.gp_practice_staff, person=person, kind=ConsentKind.PEER_SUPPORT, given=False)
    assert not sees(personas.peer_support_worker, person)


def test_withdrawn_nhs_consent_keeps_the_registered_practice(personas, person):
    consent_record(by=personas.gp_practice_staff, person=person, kind=ConsentKind.NHS, given=False)
    assert sees(personas.gp_practice_staff, person)
    assert sees(personas.mhp, person)  # the PCN works as part of the practice
    assert not sees(personas.community_clinician, person)


def test_emergency_access_needs_a_reason_and_lasts_a_limited_time(personas, person):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        emergency_access_grant(by=personas.outsider, person=person, reason="need")
    access = emergency_access_grant(
        by=personas.outsider, person=person, reason="Crisis call: person at risk, their worker is unreachable"
    )
    assert sees(personas.outsider, person)
    access.expires_at = timezone.now()
    access.save()
    forget(personas.outsider)
    assert not sees(personas.outsider, person)


def test_roles_without_the_permission_cannot_break_glass(personas, person):
    from joinedup.people.services import NotAllowed

    with pytest.raises(NotAllowed):
        emergency_access_grant(by=personas.commissioner, person=person, reason="Just curious about this person")


def test_every_relationship_in_this_issue_is_registered():
    assert {"registered practice", "primary care network", "care team", "emergency access"} <= set(
        registered_relationships()
    )


def test_a_user_in_many_teams_gets_one_condition_per_relationship_not_one_per_team(region, person):
    """Grouping by consent kind: the filter for someone in every PCN of the region is no longer than for someone
    in two, and it still reaches the person through their own PCN."""
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Team, TeamKind

    teams = list(Team.objects.filter(kind=TeamKind.PCN_MENTAL_HEALTH).order_by("code"))
    assert len(teams) > 2
    own = next(t for t in teams if t.pcn_id == person.practice.pcn_id)
    two = staff_create(
        username="two.pcns",
        first_name="Two",
        last_name="Pcns",
        memberships=[(own, Role.MHP)] + [(next(t for t in teams if t != own), Role.MHP)],
    )
    every = staff_create(
        username="every.pcn",
        first_name="Every",
        last_name="Pcn",
        memberships=[(t, Role.MHP) for t in teams],
    )
    sql_two = str(visible_people(two).query)
    sql_every = str(visible_people(every).query)
    assert sql_every.count("SELECT") == sql_two.count("SELECT")
    assert sees(every, person) and sees(two, person)
