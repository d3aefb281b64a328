"""Told once (issue 10, item 3): each hand-over shows what the record already knows and carries it into the next
form, so nobody asks the person (or their practitioner) again. One test per hand-over."""

import datetime as dt
import html

import pytest
from django.utils import timezone

from joinedup.accounts.tests.helpers import sign_in_with_csrf
from joinedup.meetings.tests.fixtures import OUTCOME

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _page(user, url):
    response = sign_in_with_csrf(user.username).get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def _story_and_needs(personas, person):
    from joinedup.people.services import communication_needs_set, my_story_update

    my_story_update(by=personas.mhp, person=person, expected_version=person.version, text="I want my life back")
    communication_needs_set(by=personas.mhp, person=person, needs={"interpreter": "Polish"})


def test_refer_on_to_peer_support_carries_the_mhps_reason_and_what_is_known(personas, person, pc_episode):
    from joinedup.primarycare.services import onward_referral_record

    _story_and_needs(personas, person)
    onward_referral_record(
        by=personas.mhp,
        episode=pc_episode,
        kind="peer_support",
        reason="Lonely since moving; would like a walking group",
        referred_on=TODAY(),
    )
    page = _page(personas.mhp, f"/peer-support/people/{person.pk}/refer/")
    assert "Lonely since moving; would like a walking group</textarea>" in page
    assert 'value="mhp" checked' in page
    for known in ("I want my life back", "Polish", "Peer support service", "Test Community mental health clinician"):
        assert known in page, known


def test_an_emdt_request_from_an_mhp_carries_the_assessment_and_the_reason(personas, person, pc_episode):
    from joinedup.primarycare.models import Assessment
    from joinedup.primarycare.services import assessment_record, onward_referral_record

    assessment_record(
        by=personas.mhp,
        episode=pc_episode,
        assessed_on=TODAY(),
        needs={"mental_health": "Low mood", "housing": "Rent arrears"},
        risk_summary="No current thoughts of self-harm",
        what_matters="Keeping my flat",
        baseline=Assessment.Baseline.DIALOG,
    )
    onward_referral_record(
        by=personas.mhp,
        episode=pc_episode,
        kind="emdt_request",
        reason="Needs debt, housing and mental health support together",
        referred_on=TODAY(),
    )
    page = _page(personas.mhp, f"/referrals/{person.pk}/new/")
    assert (
        "Needs debt, housing and mental health support together\nMental health: Low mood\nHousing: Rent arrears" in page
    )
    assert "No current thoughts of self-harm</textarea>" in page
    assert "Keeping my flat" in page and "Test Community mental health clinician" in page


def test_the_plan_draft_after_a_discussion_shows_what_was_agreed_there(personas, person, accepted):
    from joinedup.meetings.services import discussion_record, person_words_record

    person_words_record(by=personas.mhp, item=accepted, words="I want help with the letters from the council")
    discussion_record(
        by=personas.emdt_coordinator,
        item=accepted,
        **OUTCOME,
        plan_changes="Add money and housing support",
        actions=[
            {
                "description": "Book debt advice",
                "owner": personas.partner_professional,
                "due": TODAY() + dt.timedelta(days=7),
            }
        ],
    )
    page = _page(personas.community_clinician, f"/care/{person.pk}/plan/draft/")
    assert "I want help with the letters from the council" in page
    assert "Add money and housing support" in page
    actions = _page(personas.community_clinician, f"/care/{person.pk}/plan/draft/actions/")
    assert "Book debt advice" in actions
