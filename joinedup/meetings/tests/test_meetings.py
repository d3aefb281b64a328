import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from joinedup.care.models import LevelOfCare
from joinedup.care.queries import key_worker_for, level_of_care_for
from joinedup.core.models import TimelineEntry
from joinedup.core.tasks import tasks_for
from joinedup.meetings import queries
from joinedup.meetings.models import Action, AgendaItem, CaseDiscussion, ItemState
from joinedup.meetings.services import (
    action_complete,
    agenda_add_review,
    agenda_move,
    attendance_record,
    discussion_record,
    meeting_create,
    person_words_record,
)
from joinedup.people.services import NotAllowed, person_register
from joinedup.referrals.models import RequestState
from joinedup.referrals.services import emdt_request_accept
from joinedup.referrals.tests.fixtures import make_request

from .fixtures import OUTCOME, make_meeting

pytestmark = pytest.mark.django_db


def test_meeting_needs_a_place_or_link_and_a_sensible_capacity(personas, emdt_team):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        meeting_create(by=personas.emdt_coordinator, team=emdt_team, starts_at=start, capacity=0, video_link="http://x")
    assert {"capacity", "video_link"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        meeting_create(by=personas.emdt_coordinator, team=emdt_team, starts_at=start, capacity=5)
    assert "Enter a place, a video link or both" in error.value.message_dict["place"]
    m = meeting_create(
        by=personas.emdt_coordinator,
        team=emdt_team,
        starts_at=start,
        capacity=6,
        video_link="https://meet.example/emdt",
    )
    assert m.capacity == 6
    with pytest.raises(NotAllowed):
        meeting_create(by=personas.mhp, team=emdt_team, starts_at=start, capacity=6, place="Somewhere")


def test_moving_to_a_later_meeting_keeps_the_history(personas, person, accepted, meeting_later, meeting_today):
    person_words_record(by=personas.community_clinician, item=accepted, words="I want help with my debts")
    with pytest.raises(ValidationError):
        agenda_move(by=personas.emdt_coordinator, item=accepted, meeting=meeting_later, reason="")
    new = agenda_move(by=personas.emdt_coordinator, item=accepted, meeting=meeting_later, reason="Person unwell")
    accepted.refresh_from_db()
    assert accepted.state == ItemState.MOVED and accepted.moved_to == new
    assert new.meeting == meeting_later and new.person_words == "I want help with my debts"
    assert AgendaItem.objects.filter(person=person).count() == 2
    with pytest.raises(ValidationError, match="after"):
        agenda_move(by=personas.emdt_coordinator, item=new, meeting=meeting_today, reason="Back again")
    assert TimelineEntry.objects.filter(person=person, kind="emdt_agenda_moved").exists()


def test_moving_respects_capacity(personas, person, practice, accepted, emdt_team):
    small = make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=14, capacity=1)
    other = person_register(
        by=personas.gp_practice_staff,
        given_name="Cal",
        family_name="Pacity",
        date_of_birth=dt.date(1988, 8, 8),
        practice=practice,
        consents={"nhs": True},
    )
    emdt_request_accept(
        by=personas.emdt_coordinator, request=make_request(by=personas.mhp, person=other), meeting=small
    )
    with pytest.raises(ValidationError, match="full"):
        agenda_move(by=personas.emdt_coordinator, item=accepted, meeting=small, reason="Clash")
    accepted.refresh_from_db()
    assert accepted.state == ItemState.SCHEDULED


def test_the_persons_words_are_recorded_by_their_worker(personas, person, accepted):
    with pytest.raises(ValidationError):
        person_words_record(by=personas.community_clinician, item=accepted, words="  ")
    with pytest.raises(NotAllowed):
        person_words_record(by=personas.outsider, item=accepted, words="Hello")
    person_words_record(by=personas.community_clinician, item=accepted, words="I want to sort out my money")
    accepted.refresh_from_db()
    assert accepted.person_words_by == personas.community_clinician
    assert TimelineEntry.objects.filter(person=person, kind="emdt_person_words").exists()


def test_invitations_are_suggested_from_the_needs_on_the_request(personas, accepted, meeting_today):
    from joinedup.directory.models import EmdtService, Organisation

    agenda = queries.agenda_for(by=personas.emdt_coordinator, meeting=meeting_today)
    suggested = [s.code for s, _ in queries.suggested_invitations(meeting=meeting_today, agenda=agenda, attendance=[])]
    assert suggested == ["debt-advice", "housing-support"]
    attendance_record(
        by=personas.emdt_coordinator,
        meeting=meeting_today,
        name="Dee Advice",
        organisation=Organisation.objects.filter(kind="vcfse").first(),
        kind="invited",
        service=EmdtService.objects.get(code="debt-advice"),
        status="invited",
    )
    attendance = queries.attendance_for(meeting=meeting_today)
    suggested = [
        s.code for s, _ in queries.suggested_invitations(meeting=meeting_today, agenda=agenda, attendance=attendance)
    ]
    assert suggested == ["housing-support"]
    with pytest.raises(ValidationError) as error:
        attendance_record(
            by=personas.emdt_coordinator, meeting=meeting_today, name="", organisation=None, kind="x", status="y"
        )
    assert {"name", "organisation", "kind", "status"} <= set(error.value.message_dict)


def test_outcome_actions_key_worker_level_and_review(personas, person, accepted, meeting_later, emdt_request):
    due = timezone.localdate() + dt.timedelta(days=10)
    d = discussion_record(
        by=personas.emdt_coordinator,
        item=accepted,
        **OUTCOME,
        actions=[{"description": "Book debt advice", "owner": personas.partner_professional, "due": due}, {}],
        key_worker=personas.key_worker,
        level_of_care=LevelOfCare.EMDT,
        next_review=timezone.localdate() + dt.timedelta(days=20),
    )
    assert d.actions.get().owner_organisation == personas.partner_professional.primary_organisation
    assert key_worker_for(person=person).user == personas.key_worker
    # The change goes through key working's own service: history with reason and handover, and the person told.
    from joinedup.care.models import KeyWorkerChange, PersonNotification

    change = KeyWorkerChange.objects.get(person=person, new__user=personas.key_worker)
    assert "EMDT discussion" in change.reason and change.handover_note
    assert PersonNotification.objects.filter(person=person, kind="key_worker").exists()
    assert level_of_care_for(person=person).level == LevelOfCare.EMDT
    assert d.review_item.meeting == meeting_later and d.review_item.kind == "review"
    emdt_request.refresh_from_db()
    assert emdt_request.state == RequestState.DISCUSSED
    accepted.refresh_from_db()
    assert accepted.state == ItemState.DISCUSSED
    entry = TimelineEntry.objects.get(person=person, kind="emdt_discussed")
    assert entry.link == reverse("meetings:discussion", args=[person.pk, d.pk])
    tasks = [t for t in tasks_for(personas.partner_professional) if t.source == "EMDT action"]
    assert [(t.description, t.due, t.overdue) for t in tasks] == [("Book debt advice", due, False)]


def test_key_worker_confirmed_when_the_same(personas, person, accepted):
    before = key_worker_for(person=person)
    d = discussion_record(by=personas.emdt_coordinator, item=accepted, **OUTCOME, key_worker=before.user)
    assert key_worker_for(person=person).pk == before.pk and d.key_worker_name == before.name


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"actions": [{"description": "Late", "owner": None, "due": dt.date(2020, 1, 1)}]}, "actions"),
        ({"took_part": "absent"}, "took_part"),
        ({"summary_for_person": ""}, "summary_for_person"),
        ({"summary_for_gp": " "}, "summary_for_gp"),
        ({"level_of_care": "space"}, "level_of_care"),
        ({"discussion": "<b>bold</b>"}, "discussion"),
    ],
)
def test_bad_outcomes_are_refused_and_nothing_is_stored(personas, person, accepted, change, field):
    with pytest.raises(ValidationError) as error:
        discussion_record(by=personas.emdt_coordinator, item=accepted, **(OUTCOME | change))
    assert field in error.value.message_dict
    assert not CaseDiscussion.objects.exists() and not Action.objects.exists()
    accepted.refresh_from_db()
    assert accepted.state == ItemState.SCHEDULED


def test_an_owner_the_person_has_not_agreed_to_share_with_is_refused(personas, accepted):
    # Zoë consents to NHS, VCFSE and peer support sharing, not to the local authority.
    due = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(ValidationError, match="has not agreed to share their record with local authority"):
        discussion_record(
            by=personas.emdt_coordinator,
            item=accepted,
            **OUTCOME,
            actions=[{"description": "Housing assessment", "owner": personas.local_authority, "due": due}],
        )
    assert not Action.objects.exists()


def test_a_due_date_in_the_past_is_refused(personas, accepted):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="due date must be today or in the future"):
        discussion_record(
            by=personas.emdt_coordinator,
            item=accepted,
            **OUTCOME,
            actions=[{"description": "Call", "owner": personas.mhp, "due": yesterday}],
        )
    assert not Action.objects.exists()


def test_outcome_before_the_meeting_is_refused(personas, emdt_request, meeting_later):
    emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=meeting_later)
    with pytest.raises(ValidationError, match="on the day or afterwards"):
        discussion_record(by=personas.emdt_coordinator, item=meeting_later.items.get(), **OUTCOME)


def test_overdue_actions_are_flagged_in_my_tasks(client, personas, person, emdt_team):
    coordinator = personas.emdt_coordinator
    then = timezone.now() - dt.timedelta(days=30)
    old = make_meeting(by=coordinator, team=emdt_team, days=-30)
    r = make_request(by=personas.mhp, person=person, at=then - dt.timedelta(days=5))
    emdt_request_accept(by=coordinator, request=r, meeting=old, at=then - dt.timedelta(days=1))
    discussion_record(
        by=coordinator,
        item=old.items.get(),
        **OUTCOME,
        actions=[
            {
                "description": "Ring the housing officer",
                "owner": personas.mhp,
                "due": (then + dt.timedelta(days=7)).date(),
            }
        ],
        today=then.date(),
    )
    [task] = [t for t in tasks_for(personas.mhp) if t.source == "EMDT action"]
    assert task.overdue
    client.force_login(personas.mhp)
    page = client.get(reverse("my_tasks")).content.decode()
    assert "Ring the housing officer" in page and "Overdue" in page


def test_due_review_can_be_added_to_a_later_agenda(personas, person, accepted, emdt_team):
    d = discussion_record(
        by=personas.emdt_coordinator, item=accepted, **OUTCOME, next_review=timezone.localdate() + dt.timedelta(days=60)
    )
    assert d.review_item is None  # no meeting that late yet: the review is due
    later = make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=61)
    assert [x.pk for x in queries.reviews_due(by=personas.emdt_coordinator, meeting=later)] == [d.pk]
    item = agenda_add_review(by=personas.emdt_coordinator, meeting=later, discussion=d)
    assert item.kind == "review" and queries.reviews_due(by=personas.emdt_coordinator, meeting=later) == []


def test_action_done_by_owner_only(personas, emdt_chain):
    action = emdt_chain["discussion"].actions.get()
    with pytest.raises(NotAllowed):
        action_complete(by=personas.mhp, action=action)
    action_complete(by=personas.community_clinician, action=action, note="Referred")
    assert not [t for t in tasks_for(personas.community_clinician) if t.source == "EMDT action"]


def test_emdt_agenda_gives_members_a_relationship_and_outsiders_nothing(client, personas, person, emdt_chain):
    from joinedup.core.access import visible_people

    assert visible_people(personas.emdt_coordinator).filter(pk=person.pk).exists()
    client.force_login(personas.outsider)
    d = emdt_chain["discussion"]
    for url in (
        reverse("meetings:discussion", args=[person.pk, d.pk]),
        reverse("meetings:summary_person", args=[person.pk, d.pk]),
        reverse("referrals:person", args=[person.pk]),
    ):
        assert client.get(url).status_code == 404


def test_summaries_are_printable_pages(client, personas, person, emdt_chain):
    client.force_login(personas.community_clinician)
    d = emdt_chain["discussion"]
    for name, text in (("meetings:summary_person", "Dear Zoë"), ("meetings:summary_gp", "999 000 0018")):
        page = client.get(reverse(name, args=[person.pk, d.pk])).content.decode()
        assert text in page and 'media="print"' in page and "Refer to debt advice" in page


def test_agenda_page_query_count_does_not_grow(client, personas, practice, emdt_team, django_assert_max_num_queries):
    coordinator = personas.emdt_coordinator
    meeting = make_meeting(by=coordinator, team=emdt_team, days=3, capacity=20)

    def add(n, start):
        for i in range(start, start + n):
            p = person_register(
                by=personas.gp_practice_staff,
                given_name=f"Agenda{i}",
                family_name="Person",
                date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=i),
                practice=practice,
                consents={"nhs": True},
            )
            emdt_request_accept(by=coordinator, request=make_request(by=personas.mhp, person=p), meeting=meeting)

    add(2, 0)
    client.force_login(coordinator)
    url = reverse("meetings:detail", args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(10, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Record outcome<") == 12


def test_outcome_page_records_the_outcome(client, personas, person, accepted):
    client.force_login(personas.emdt_coordinator)
    url = reverse("meetings:outcome", args=[accepted.pk])
    assert client.get(url).status_code == 200
    due = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        url,
        {
            **OUTCOME,
            "action_1_description": "Call the housing team",
            "action_1_owner": str(personas.community_clinician.pk),
            "action_1_due-day": str(due.day),
            "action_1_due-month": str(due.month),
            "action_1_due-year": str(due.year),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Action.objects.get().description == "Call the housing team"
