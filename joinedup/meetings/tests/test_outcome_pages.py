"""The pages after a case discussion, as the people who use them: signed in for real, CSRF checked."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.care.models import LevelOfCare
from joinedup.core.tests.signing_in import SignedIn
from joinedup.meetings.services import discussion_record
from joinedup.referrals.services import emdt_request_accept

from .fixtures import OUTCOME, attending

pytestmark = pytest.mark.django_db


def test_discussion_and_gp_summary_show_a_changed_level_of_care(personas, person, accepted):
    d = discussion_record(by=personas.emdt_coordinator, item=accepted, **OUTCOME, level_of_care=LevelOfCare.CMHT)
    coordinator = SignedIn(personas.emdt_coordinator)
    for name in ("meetings:discussion", "meetings:summary_gp"):
        response = coordinator.get(reverse(name, args=[person.pk, d.pk]))
        assert response.status_code == 200, name
        assert "Community mental health team" in response.content.decode(), name


@pytest.fixture
def stranger_to_the_partner(personas, practice, meeting_today):
    """Someone discussed at the EMDT whose care team the VCFSE partner is not on (they share with VCFSEs)."""
    from joinedup.accounts.roles import ConsentKind
    from joinedup.people.services import person_register
    from joinedup.referrals.tests.fixtures import make_request

    ben = person_register(
        by=personas.gp_practice_staff,
        nhs_number="9990000026",
        given_name="Ben",
        family_name="Holt",
        date_of_birth=dt.date(1979, 6, 2),
        sex="1",
        ethnicity="A",
        postcode="FY1 4AB",
        practice=practice,
        consents={ConsentKind.NHS: True, ConsentKind.VCFSE: True},
    )
    emdt_request_accept(
        by=personas.emdt_coordinator, request=make_request(by=personas.mhp, person=ben), meeting=meeting_today
    )
    attending(personas.partner_professional, meeting_today, by=personas.emdt_coordinator)
    return ben, meeting_today.items.get(person=ben)


def test_partner_marking_an_action_done_is_sent_to_their_tasks_with_the_message(personas, stranger_to_the_partner):
    """A VCFSE partner sees the person only through their open action: once it is done the discussion page is
    no longer theirs to see, so they land on their own task list, told it worked."""
    person, item = stranger_to_the_partner
    partner = personas.partner_professional
    due = timezone.localdate() + dt.timedelta(days=10)
    d = discussion_record(
        by=personas.emdt_coordinator,
        item=item,
        **OUTCOME,
        actions=[{"description": "Book debt advice", "owner": partner, "due": due}],
    )
    action = d.actions.get()
    me = SignedIn(partner)
    tasks = me.get(reverse("my_tasks")).content.decode()
    assert "Book debt advice" in tasks
    page = me.get(reverse("meetings:action", args=[person.pk, action.pk]))
    assert page.status_code == 200
    response = me.post(
        reverse("meetings:action", args=[person.pk, action.pk]), {"note": "Booked for Tuesday"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("my_tasks")
    html = response.content.decode()
    assert "Action marked as done" in html
    assert "Book debt advice" not in html


def test_coordinator_marking_an_action_done_returns_to_the_discussion(personas, person, accepted):
    d = discussion_record(
        by=personas.emdt_coordinator,
        item=accepted,
        **OUTCOME,
        actions=[{"description": "Write to the GP", "owner": personas.emdt_coordinator, "due": timezone.localdate()}],
    )
    action = d.actions.get()
    response = SignedIn(personas.emdt_coordinator).post(
        reverse("meetings:action", args=[person.pk, action.pk]), {"note": ""}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("meetings:discussion", args=[person.pk, d.pk])
    assert "Action marked as done" in response.content.decode()
