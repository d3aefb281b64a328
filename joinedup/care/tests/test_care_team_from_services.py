"""Issue 10, item 1: one care team, kept from what happens. Each service that takes a person on or lets them go
changes the care team through care's own service (service and role shown, history kept) and records the level
of care through the same stepped-care service as a manual change."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind, Perm
from joinedup.accounts.tests.helpers import sign_in_with_csrf, submit
from joinedup.care import services
from joinedup.care.models import CareTeamInvolvement, CareTeamMember, LevelOfCare, LevelOfCareChange
from joinedup.care.queries import care_team_for, key_worker_for, level_of_care_for
from joinedup.core.access import forget, may
from joinedup.core.models import Service

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _member(person, user):
    return CareTeamMember.objects.filter(person=person, user=user, ended__isnull=True).first()


def _roles(person, user):
    """The current (service, role) pairs that keep `user` on the care team."""
    member = next((m for m in care_team_for(person=person) if m.user_id == user.pk), None)
    return {(i.service, i.role) for i in member.involvements} if member else set()


def _off_the_team(person, user, by):
    """The shared person has everyone on the care team by hand: take `user` off first, to see them join."""
    member = _member(person, user)
    if member is not None:
        services.care_team_end(by=by, member=member, reason="Starting the test afresh")
    forget(user)


def _level(person):
    current = level_of_care_for(person=person)
    return current.level if current else None


def _discharge(personas, episode, **extra):
    from joinedup.primarycare import services as pc

    return pc.episode_discharge(
        by=personas.mhp,
        episode=episode,
        expected_version=episode.version,
        discharged_on=TODAY(),
        reason="goals_met",
        summary="Mood better; back at work part time",
        **extra,
    )


def test_mhp_caseload_adds_the_mhp_at_primary_care_level_and_discharge_takes_them_off(personas, person):
    from joinedup.primarycare import services as pc

    mhp = personas.mhp
    assert _member(person, mhp) is None and _level(person) is None
    episode = pc.episode_open(by=mhp, person=person, reason="Low mood and debt worries")
    assert _roles(person, mhp) == {(Service.PRIMARY_CARE, "Mental health practitioner")}
    assert _level(person) == LevelOfCare.PRIMARY_CARE
    change = level_of_care_for(person=person)
    assert change.decided_by == mhp and "caseload" in change.reason

    _discharge(personas, episode)
    assert _member(person, mhp) is None  # left the care team...
    kept = CareTeamMember.objects.get(person=person, user=mhp)  # ...with the history kept
    assert kept.ended == TODAY()
    assert CareTeamInvolvement.objects.get(person=person, user=mhp, service=Service.PRIMARY_CARE).ended == TODAY()
    assert _level(person) == LevelOfCare.DISCHARGED
    assert person.timeline.filter(kind="care_team_left").exists()


def test_mhp_caseload_never_steps_down_someone_at_a_higher_level(personas, person):
    from joinedup.primarycare import services as pc

    services.level_of_care_change(
        by=personas.community_clinician, person=person, level=LevelOfCare.CMHT, reason="Needs the CMHT"
    )
    episode = pc.episode_open(by=personas.mhp, person=person, reason="Also seeing the MHP")
    assert _level(person) == LevelOfCare.CMHT
    _discharge(personas, episode)
    assert _level(person) == LevelOfCare.CMHT
    assert LevelOfCareChange.objects.filter(person=person).count() == 1


def test_emdt_discussion_adds_the_chair_the_key_worker_and_each_action_owner_at_emdt_level(
    personas, person, emdt_request, meeting_today
):
    from joinedup.meetings.services import action_complete, discussion_record
    from joinedup.referrals.services import emdt_request_accept

    chair, owner, key_worker = personas.emdt_coordinator, personas.partner_professional, personas.key_worker
    emdt_request_accept(by=chair, request=emdt_request, meeting=meeting_today)
    for user in (owner, chair):
        _off_the_team(person, user, by=personas.community_clinician)
    from joinedup.meetings.tests.fixtures import attending

    attending(owner, meeting_today, by=chair)  # off the care team: owns actions because they were there
    item = meeting_today.items.get(person=person)
    discussion = discussion_record(
        by=chair,
        item=item,
        took_part="led",
        discussion="Money worries; debt advice agreed",
        summary_for_person="You will see a debt adviser.",
        summary_for_gp="Debt advice agreed.",
        actions=[
            {"description": "Book debt advice", "owner": owner, "due": TODAY() + dt.timedelta(days=7)},
            {"description": "Second action, same owner", "owner": owner, "due": TODAY() + dt.timedelta(days=9)},
        ],
        key_worker=key_worker,
    )
    assert _roles(person, chair) == {(Service.EMDT, "EMDT chair")}
    assert _roles(person, owner) == {(Service.EMDT, "Owner of an EMDT action")}  # two actions, one membership
    assert CareTeamMember.objects.filter(person=person, user=owner, ended__isnull=True).count() == 1
    assert key_worker_for(person=person).user == key_worker
    assert (Service.CARE, services.KEY_WORKER_ROLE) in _roles(person, key_worker)
    assert _level(person) == LevelOfCare.EMDT
    # An owner who came in through actions leaves when their last open action for the person is done.
    first, second = discussion.actions.order_by("pk")
    action_complete(by=owner, action=first)
    assert _member(person, owner) is not None
    action_complete(by=owner, action=second)
    assert _member(person, owner) is None
    assert _member(person, chair) is not None


def test_peer_support_allocation_adds_the_worker_and_ending_takes_them_off(
    personas, person, peer_referral, peer_workers
):
    from joinedup.peersupport.services import allocation_create, allocation_end

    worker = personas.peer_support_worker
    _off_the_team(person, worker, by=personas.community_clinician)
    allocation = allocation_create(
        by=personas.senior_peer_support_worker, referral=peer_referral, worker=peer_workers["worker"]
    )
    assert _roles(person, worker) == {(Service.PEER_SUPPORT, peer_workers["worker"].get_kind_display())}
    assert _level(person) is None  # peer support is not a step in care: no level is recorded for it
    allocation_end(by=worker, allocation=allocation, reason="Goals met")
    assert _member(person, worker) is None
    assert CareTeamMember.objects.filter(person=person, user=worker).count() == 2  # by hand, then allocated


def test_outreach_claim_adds_the_worker_and_release_takes_them_off(personas, on_register):
    from joinedup.healthchecks import services as hc

    person, worker = on_register, personas.outreach_worker
    _off_the_team(person, worker, by=personas.community_clinician)
    hc.claim(by=worker, person=person)
    hc.claim(by=worker, person=person)  # claiming again changes nothing
    assert _roles(person, worker) == {(Service.HEALTH_CHECKS, hc.OUTREACH_ROLE)}
    outreach = CareTeamInvolvement.objects.filter(person=person, user=worker, service=Service.HEALTH_CHECKS)
    assert outreach.count() == 1
    hc.claim_release(by=worker, person=person)
    assert _member(person, worker) is None
    assert outreach.get().ended == TODAY()


def test_key_worker_assignment_keeps_the_role_and_the_previous_key_worker_stays(personas, person):
    before, after = personas.community_clinician, personas.key_worker
    services.key_worker_assign(
        by=personas.mhp, person=person, user=after, reason="Moved team", handover_note="All in the plan"
    )
    assert key_worker_for(person=person).user == after
    assert (Service.CARE, services.KEY_WORKER_ROLE) in _roles(person, after)
    assert _member(person, before) is not None  # still on the care team, no longer key worker
    assert (Service.CARE, services.KEY_WORKER_ROLE) not in _roles(person, before)
    assert CareTeamInvolvement.objects.filter(
        person=person, user=before, role=services.KEY_WORKER_ROLE, ended=TODAY()
    ).exists()


def test_a_key_worker_discharged_by_the_mhp_stays_key_worker(personas, person):
    from joinedup.primarycare import services as pc

    mhp = personas.mhp
    episode = pc.episode_open(by=mhp, person=person, reason="Low mood")
    services.key_worker_assign(by=mhp, person=person, user=mhp, reason="Main contact", handover_note="See plan")
    _discharge(personas, episode)
    assert key_worker_for(person=person).user == mhp
    assert _roles(person, mhp) == {(Service.CARE, services.KEY_WORKER_ROLE)}


def test_joining_twice_does_not_duplicate_and_leaving_one_service_keeps_the_other(personas, person):
    user, by = personas.mhp, personas.community_clinician
    for _ in range(2):
        services.care_team_join(by=by, person=person, user=user, service=Service.PRIMARY_CARE, role="MHP")
    services.care_team_join(by=by, person=person, user=user, service=Service.EMDT, role="EMDT chair")
    assert CareTeamMember.objects.filter(person=person, user=user).count() == 1
    assert _roles(person, user) == {(Service.PRIMARY_CARE, "MHP"), (Service.EMDT, "EMDT chair")}
    services.care_team_leave(by=by, person=person, user=user, service=Service.PRIMARY_CARE)
    assert _member(person, user) is not None
    assert _roles(person, user) == {(Service.EMDT, "EMDT chair")}
    # Someone already on the care team by hand stays when a service lets the person go.
    partner = personas.partner_professional
    services.care_team_join(by=by, person=person, user=partner, service=Service.EMDT, role="Owner of an EMDT action")
    services.care_team_leave(by=by, person=person, user=partner, service=Service.EMDT)
    assert _member(person, partner) is not None


def test_a_member_added_automatically_gains_only_what_their_role_and_consent_allow(
    personas, person, peer_referral, peer_workers
):
    from joinedup.peersupport.services import allocation_create
    from joinedup.people.services import consent_record

    worker = personas.peer_support_worker
    _off_the_team(person, worker, by=personas.community_clinician)
    assert not may(worker, Perm.VIEW_RECORD, person)
    allocation_create(by=personas.senior_peer_support_worker, referral=peer_referral, worker=peer_workers["worker"])
    forget(worker)
    assert may(worker, Perm.VIEW_RECORD, person)
    assert not may(worker, Perm.EDIT_CARE_TEAM, person)  # not in their role
    assert not may(worker, Perm.CHANGE_LEVEL_OF_CARE, person)
    consent_record(by=personas.community_clinician, person=person, kind=ConsentKind.PEER_SUPPORT, given=False)
    person.refresh_from_db()
    forget(worker)
    assert _member(person, worker) is not None
    assert not may(worker, Perm.VIEW_RECORD, person)  # on the care team, but the person no longer consents


def test_the_record_shows_the_care_team_and_level_after_an_mhp_takes_the_person_on(personas, person):
    mhp = personas.mhp
    client = sign_in_with_csrf(mhp.username)
    today = TODAY()
    response = submit(
        client,
        reverse("primarycare:add", args=[person.pk]),
        {
            "mhp": str(mhp.pk),
            "reason": "Low mood and debt worries",
            "opened_on-day": str(today.day),
            "opened_on-month": str(today.month),
            "opened_on-year": str(today.year),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(reverse("people:record", args=[person.pk])).content.decode()
    care_team = page[page.index("Care team</h2>") :]
    assert mhp.get_full_name() in care_team
    assert "Primary care mental health: Mental health practitioner" in care_team
    level = page[page.index("Level of care</h2>") : page.index("Communication needs")]
    assert "Primary care mental health" in level
    team_page = client.get(reverse("care:team", args=[person.pk])).content.decode()
    assert "Primary care mental health: Mental health practitioner" in team_page
