import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from joinedup.core.models import TimelineEntry
from joinedup.core.tasks import tasks_for
from joinedup.meetings.tests.fixtures import make_meeting
from joinedup.people.services import NotAllowed, person_register
from joinedup.referrals import queries
from joinedup.referrals.models import TRANSITIONS, AppendOnlyError, EmdtRequest, RequestState
from joinedup.referrals.services import (
    TriageConflict,
    emdt_request_accept,
    emdt_request_answer,
    emdt_request_ask,
    emdt_request_close,
    emdt_request_decline,
)

from .fixtures import make_request

pytestmark = pytest.mark.django_db


def test_every_state_has_its_allowed_transitions_listed():
    assert set(TRANSITIONS) == set(RequestState.values)
    assert TRANSITIONS[RequestState.DECLINED] == frozenset()


def test_accept_places_the_person_on_the_agenda(personas, person, emdt_request, meeting_later):
    emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=meeting_later)
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.ACCEPTED
    assert meeting_later.items.get().person == person
    row = emdt_request.transitions.last()
    assert (row.from_state, row.to_state, row.by) == ("submitted", "accepted", personas.emdt_coordinator)
    assert TimelineEntry.objects.filter(person=person, kind="emdt_request_accepted").exists()


def test_transition_rows_cannot_be_changed_or_deleted(emdt_request):
    row = emdt_request.transitions.get()
    row.note = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


def test_a_request_gives_the_emdt_a_relationship(personas, practice):
    from joinedup.core.access import visible_people

    someone = person_register(
        by=personas.gp_practice_staff,
        given_name="Ada",
        family_name="Lovell",
        date_of_birth=dt.date(1970, 1, 2),
        practice=practice,
        consents={"nhs": True},
    )
    coordinator = personas.emdt_coordinator
    assert not visible_people(coordinator).filter(pk=someone.pk).exists()
    make_request(by=personas.mhp, person=someone)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    assert visible_people(coordinator).filter(pk=someone.pk).exists()
    assert not visible_people(personas.outsider).filter(pk=someone.pk).exists()


def test_only_the_teams_coordinator_can_triage(personas, emdt_request, meeting_later):
    with pytest.raises(NotAllowed):
        emdt_request_accept(by=personas.mhp, request=emdt_request, meeting=meeting_later)


def test_ask_then_answer_returns_the_request_to_triage(personas, person, emdt_request):
    emdt_request_ask(by=personas.emdt_coordinator, request=emdt_request, question="Has she seen Citizens Advice?")
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.MORE_INFORMATION_REQUESTED
    task = [t for t in tasks_for(personas.mhp) if t.source == "EMDT request"]
    assert task and task[0].link == reverse("referrals:answer", args=[person.pk, emdt_request.pk])
    emdt_request_answer(by=personas.mhp, request=emdt_request, answer="Yes, last year; the debts have grown since")
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.SUBMITTED and emdt_request.question == ""
    assert [t.to_state for t in emdt_request.transitions.all()] == [
        "submitted",
        "more_information_requested",
        "submitted",
    ]
    assert not [t for t in tasks_for(personas.mhp) if t.source == "EMDT request"]


def test_ask_without_a_question_is_refused(personas, emdt_request):
    with pytest.raises(ValidationError, match="Enter the question"):
        emdt_request_ask(by=personas.emdt_coordinator, request=emdt_request, question=" ")
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.SUBMITTED and emdt_request.transitions.count() == 1


def test_decline_without_recommendation_is_refused(personas, emdt_request):
    with pytest.raises(ValidationError) as error:
        emdt_request_decline(
            by=personas.emdt_coordinator, request=emdt_request, reason="Not complex", recommendation=""
        )
    assert "recommended instead" in error.value.message_dict["recommendation"][0]
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.SUBMITTED and emdt_request.transitions.count() == 1


def test_decline_shows_the_recommendation_to_the_referrer_and_key_worker(client, personas, person, emdt_request):
    emdt_request_decline(
        by=personas.emdt_coordinator,
        request=emdt_request,
        reason="Needs can be met in primary care",
        recommendation="Peer support through The Calico Group and debt advice via the social prescriber",
    )
    entry = TimelineEntry.objects.get(person=person, kind="emdt_request_declined")
    assert "Recommended instead: Peer support" in entry.detail and entry.link
    for user in (personas.mhp, personas.community_clinician):  # the referrer, the key worker
        client.force_login(user)
        record = client.get(reverse("people:record", args=[person.pk])).content.decode()
        assert "Recommended instead: Peer support" in record
        page = client.get(entry.link).content.decode()
        assert "Peer support through The Calico Group" in page


def test_two_coordinators_triaging_at_once_the_second_is_told_and_nothing_doubles(
    personas, emdt_request, meeting_later, emdt_team
):
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create

    second = staff_create(
        username="test.chair", first_name="Chris", last_name="Chair", memberships=[(emdt_team, Role.EMDT_COORDINATOR)]
    )
    seen_by_second = EmdtRequest.objects.get(pk=emdt_request.pk)  # opened before the first one saved
    emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=meeting_later)
    with pytest.raises(TriageConflict, match="Someone else has already dealt with this request"):
        emdt_request_decline(by=second, request=seen_by_second, reason="x", recommendation="y")
    with pytest.raises(TriageConflict):
        emdt_request_accept(by=second, request=seen_by_second, meeting=meeting_later)
    assert [t.to_state for t in emdt_request.transitions.all()] == ["submitted", "accepted"]
    assert meeting_later.items.count() == 1


def test_accept_onto_a_full_meeting_is_refused(personas, person, emdt_request, emdt_team):
    full = make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=7, capacity=1)
    other = make_request(
        by=personas.mhp,
        person=person_register(
            by=personas.gp_practice_staff,
            given_name="Ben",
            family_name="Hale",
            date_of_birth=dt.date(1990, 5, 5),
            practice=person.practice,
            consents={"nhs": True},
        ),
    )
    emdt_request_accept(by=personas.emdt_coordinator, request=other, meeting=full)
    with pytest.raises(ValidationError, match="is full"):
        emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=full)
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.SUBMITTED


def test_accept_onto_a_past_or_other_teams_meeting_is_refused(personas, emdt_request, emdt_team):
    past = make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=-3)
    with pytest.raises(ValidationError, match="today or later"):
        emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=past)


def test_close_after_accept(personas, emdt_request, meeting_later):
    emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=meeting_later)
    with pytest.raises(ValidationError):
        emdt_request_close(by=personas.emdt_coordinator, request=emdt_request, note="")
    emdt_request_close(by=personas.emdt_coordinator, request=emdt_request, note="Moved out of the area")
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.CLOSED


def _people(n, practice, by):
    return [
        person_register(
            by=by,
            given_name=f"Person{i}",
            family_name="Queue",
            date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=i),
            practice=practice,
            consents={"nhs": True},
        )
        for i in range(n)
    ]


def test_queue_is_urgent_then_oldest_and_its_query_count_does_not_grow(
    client, personas, practice, django_assert_max_num_queries
):
    now = timezone.now()
    people = _people(12, practice, personas.gp_practice_staff)
    for i, p in enumerate(people[:3]):
        make_request(
            by=personas.mhp, person=p, urgency="urgent" if i == 2 else "routine", at=now - dt.timedelta(days=10 - i)
        )
    order = [r.person for r in queries.triage_queue(by=personas.emdt_coordinator)]
    assert order == [people[2], people[0], people[1]]
    client.force_login(personas.emdt_coordinator)
    url = reverse("referrals:queue")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for p in people[3:]:
        make_request(by=personas.mhp, person=p, at=now - dt.timedelta(days=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("referrals/triage/") == 12


def test_the_queue_is_paged(client, personas, practice, monkeypatch):
    monkeypatch.setattr(queries, "QUEUE_PAGE", 2)
    for p in _people(5, practice, personas.gp_practice_staff):
        make_request(by=personas.mhp, person=p)
    client.force_login(personas.emdt_coordinator)
    first = client.get(reverse("referrals:queue")).content.decode()
    assert first.count("referrals/triage/") == 2 and "?page=2" in first
    last = client.get(reverse("referrals:queue") + "?page=3").content.decode()
    assert last.count("referrals/triage/") == 1 and "?page=2" in last and "?page=4" not in last
    assert client.get(reverse("referrals:queue") + "?page=nonsense").status_code == 200


def test_queue_and_triage_pages_are_the_coordinators_only(client, personas, emdt_request):
    client.force_login(personas.outsider)
    assert client.get(reverse("referrals:queue")).status_code == 403
    client.force_login(personas.mhp)
    assert client.get(reverse("referrals:triage", args=[emdt_request.pk])).status_code == 403


def test_triage_page_accepts_and_a_second_submit_gets_a_clear_message(client, personas, emdt_request, meeting_later):
    client.force_login(personas.emdt_coordinator)
    url = reverse("referrals:triage", args=[emdt_request.pk])
    data = {"form": "triage", "decision": "accept", "meeting": str(meeting_later.pk)}
    assert client.post(url, data).status_code == 302
    again = client.post(url, {"form": "triage", "decision": "decline", "reason": "x", "recommendation": "y"})
    assert again.status_code == 200
    assert emdt_request.transitions.count() == 2


def test_triage_page_decline_without_recommendation_shows_the_error(client, personas, emdt_request):
    client.force_login(personas.emdt_coordinator)
    url = reverse("referrals:triage", args=[emdt_request.pk])
    response = client.post(url, {"form": "triage", "decision": "decline", "reason": "Not complex"})
    assert "nobody is turned away without a next step" in response.content.decode()
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.SUBMITTED
