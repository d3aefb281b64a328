"""Changing a meeting's details and cancelling it: the services' rules, the moves they make, and the pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import Role
from joinedup.accounts.services import staff_create
from joinedup.core.dates import format_date
from joinedup.core.models import AuditEvent, TimelineEntry
from joinedup.meetings import queries
from joinedup.meetings.models import AgendaItem, ItemKind, ItemState, Meeting
from joinedup.meetings.services import (
    agenda_add_review,
    agenda_move,
    agenda_place,
    attendance_record,
    discussion_record,
    meeting_cancel,
    meeting_change,
)
from joinedup.people.services import NotAllowed, person_register
from joinedup.referrals.services import emdt_request_accept
from joinedup.referrals.tests.fixtures import make_request

from .fixtures import make_meeting

pytestmark = pytest.mark.django_db


def _at(days, hour=10):
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour, 0)))


def _details(meeting, **change):
    return {
        "starts_at": meeting.starts_at,
        "capacity": meeting.capacity,
        "place": meeting.place,
        "video_link": meeting.video_link,
    } | change


def _on(meeting):
    return format_date(timezone.localtime(meeting.starts_at))


@pytest.fixture
def other(personas, practice):
    return person_register(
        by=personas.gp_practice_staff,
        given_name="Cal",
        family_name="Pacity",
        date_of_birth=dt.date(1988, 8, 8),
        practice=practice,
        consents={"nhs": True},
    )


@pytest.fixture
def two_on_later(personas, person, other, emdt_request, meeting_later):
    """Zoë and Cal accepted onto the meeting in four weeks."""
    coordinator = personas.emdt_coordinator
    emdt_request_accept(by=coordinator, request=emdt_request, meeting=meeting_later)
    emdt_request_accept(by=coordinator, request=make_request(by=personas.mhp, person=other), meeting=meeting_later)
    return list(meeting_later.items.order_by("id"))


@pytest.fixture
def other_coordinator(far_practice):
    from joinedup.directory.models import Team, TeamKind

    team = Team.objects.get(kind=TeamKind.EMDT, locality=far_practice.locality)
    return staff_create(
        username="furness.emdt", first_name="Fern", last_name="Ness", memberships=[(team, Role.EMDT_COORDINATOR)]
    )


# Changing a meeting


def test_changing_the_time_tells_everyone_on_the_agenda(personas, person, other, two_on_later, meeting_later):
    before = _on(meeting_later)
    new_start = _at(30, hour=14)
    changed = meeting_change(
        by=personas.emdt_coordinator,
        meeting=meeting_later,
        **_details(meeting_later, starts_at=new_start, place="", video_link="https://meet.example/emdt", capacity=2),
    )
    meeting_later.refresh_from_db()
    assert changed.pk == meeting_later.pk
    assert (meeting_later.starts_at, meeting_later.place, meeting_later.capacity) == (new_start, "", 2)
    assert meeting_later.video_link == "https://meet.example/emdt"
    for who in (person, other):
        entry = TimelineEntry.objects.get(person=who, kind="emdt_meeting_rearranged")
        assert entry.summary.startswith(f"EMDT meeting on {before} rearranged: the discussion is now on ")
        assert "14:00" in entry.summary
    event = AuditEvent.objects.get(what="EMDT meeting changed", object_id=str(meeting_later.pk))
    assert "date and time" in event.reason and "capacity" in event.reason


def test_changing_only_the_place_does_not_touch_anyones_timeline(personas, person, two_on_later, meeting_later):
    meeting_change(by=personas.emdt_coordinator, meeting=meeting_later, **_details(meeting_later, place="Room 2"))
    meeting_later.refresh_from_db()
    assert meeting_later.place == "Room 2"
    assert not TimelineEntry.objects.filter(kind="emdt_meeting_rearranged").exists()


def test_capacity_cannot_go_below_the_places_taken(personas, two_on_later, meeting_later):
    with pytest.raises(ValidationError) as error:
        meeting_change(by=personas.emdt_coordinator, meeting=meeting_later, **_details(meeting_later, capacity=1))
    [message] = error.value.message_dict["capacity"]
    assert "2 people are already on this meeting's agenda" in message and "fewer than 2" in message
    meeting_later.refresh_from_db()
    assert meeting_later.capacity == 8


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"starts_at": "past"}, "starts_at", "must be in the future"),
        ({"place": "", "video_link": ""}, "place", "Enter a place, a video link or both"),
        ({"video_link": "http://meet.example"}, "video_link", "starting https://"),
        ({"capacity": 41}, "capacity", "between 1 and 40"),
        ({"place": "<b>Room</b>"}, "place", ""),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(personas, meeting_later, change, field, words):
    if change.get("starts_at") == "past":
        change["starts_at"] = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        meeting_change(by=personas.emdt_coordinator, meeting=meeting_later, **_details(meeting_later, **change))
    assert words in " ".join(error.value.message_dict[field])
    assert Meeting.objects.get(pk=meeting_later.pk).place == meeting_later.place


def test_a_meeting_with_a_discussion_recorded_cannot_be_changed_or_cancelled(personas, emdt_chain, meeting_today):
    with pytest.raises(
        ValidationError, match="A discussion has been recorded at the meeting on .* no longer be changed"
    ):
        meeting_change(by=personas.emdt_coordinator, meeting=meeting_today, **_details(meeting_today, starts_at=_at(3)))
    with pytest.raises(ValidationError, match="A discussion has been recorded .* cannot be cancelled"):
        meeting_cancel(by=personas.emdt_coordinator, meeting=meeting_today, reason="Chair unwell")
    meeting_today.refresh_from_db()
    assert meeting_today.cancelled_at is None


def test_only_a_coordinator_of_that_emdt_may_change_or_cancel(personas, meeting_later, other_coordinator):
    for user in (personas.mhp, personas.community_clinician, other_coordinator):
        with pytest.raises(NotAllowed):
            meeting_change(by=user, meeting=meeting_later, **_details(meeting_later, place="Elsewhere"))
        with pytest.raises(NotAllowed):
            meeting_cancel(by=user, meeting=meeting_later, reason="Bank holiday")
    meeting_later.refresh_from_db()
    assert meeting_later.cancelled_at is None and meeting_later.place != "Elsewhere"


# Cancelling a meeting


def test_cancelling_moves_everyone_keeping_their_history(
    personas, person, other, two_on_later, meeting_later, emdt_team
):
    coordinator = personas.emdt_coordinator
    target = make_meeting(by=coordinator, team=emdt_team, days=35)
    on = _on(meeting_later)
    cancelled = meeting_cancel(by=coordinator, meeting=meeting_later, reason="Bank holiday", move_to=target)
    assert Meeting.objects.filter(pk=meeting_later.pk).exists()  # kept, never deleted
    assert cancelled.cancelled_at is not None and cancelled.cancelled_by == coordinator
    assert cancelled.cancel_reason == "Bank holiday"
    reason = f"Meeting on {on} cancelled: Bank holiday"
    for old, who in zip(two_on_later, (person, other), strict=True):
        old.refresh_from_db()
        assert old.state == ItemState.MOVED and old.move_reason == reason
        assert old.moved_to.meeting == target and old.moved_to.request_id == old.request_id
        entry = TimelineEntry.objects.get(person=who, kind="emdt_agenda_moved")
        assert entry.summary == f"EMDT discussion moved from {on} to {_on(target)}"
        assert AuditEvent.objects.filter(person=who, what="EMDT agenda: moved", reason=reason).exists()
    assert AgendaItem.objects.filter(meeting=target, state=ItemState.SCHEDULED).count() == 2
    assert AuditEvent.objects.filter(what="EMDT meeting cancelled", object_id=str(meeting_later.pk)).exists()
    with pytest.raises(ValidationError, match="was cancelled on"):
        meeting_cancel(by=coordinator, meeting=meeting_later, reason="Again")
    with pytest.raises(ValidationError, match="cannot be changed"):
        meeting_change(by=coordinator, meeting=meeting_later, **_details(meeting_later, place="Room 2"))


def test_a_booked_review_follows_the_person_when_the_meeting_is_cancelled(
    personas, emdt_chain, meeting_later, emdt_team
):
    target = make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=35)
    meeting_cancel(by=personas.emdt_coordinator, meeting=meeting_later, reason="Chair unwell", move_to=target)
    discussion = emdt_chain["discussion"]
    discussion.refresh_from_db()
    assert discussion.review_item.meeting == target and discussion.review_item.kind == ItemKind.REVIEW


def test_an_empty_meeting_is_cancelled_without_choosing_another(personas, meeting_later):
    meeting_cancel(by=personas.emdt_coordinator, meeting=meeting_later, reason="Chair unwell")
    meeting_later.refresh_from_db()
    assert meeting_later.cancelled_at is not None


def test_cancelling_needs_a_reason(personas, meeting_later):
    with pytest.raises(ValidationError) as error:
        meeting_cancel(by=personas.emdt_coordinator, meeting=meeting_later, reason="  ")
    assert error.value.message_dict["reason"] == ["Enter why the meeting is cancelled"]


def test_with_nowhere_to_go_cancelling_is_refused_until_a_meeting_is_added(personas, two_on_later, meeting_later):
    with pytest.raises(ValidationError) as error:
        meeting_cancel(by=personas.emdt_coordinator, meeting=meeting_later, reason="Bank holiday")
    [message] = error.value.message_dict["move_to"]
    assert "no later meeting of this EMDT with room for the 2 people" in message and "Add a meeting first" in message
    meeting_later.refresh_from_db()
    assert meeting_later.cancelled_at is None
    assert all(i.state == ItemState.SCHEDULED for i in meeting_later.items.all())


def test_the_chosen_meeting_must_be_later_same_team_open_and_with_room(
    personas, person, two_on_later, meeting_later, meeting_today, emdt_team, other_coordinator
):
    coordinator = personas.emdt_coordinator
    far = other_coordinator.active_memberships[0].team
    elsewhere = make_meeting(by=other_coordinator, team=far, days=35)
    small = make_meeting(by=coordinator, team=emdt_team, days=36, capacity=1)
    gone = make_meeting(by=coordinator, team=emdt_team, days=37)
    meeting_cancel(by=coordinator, meeting=gone, reason="Room unavailable")
    with_zoe = make_meeting(by=coordinator, team=emdt_team, days=38)
    agenda_place(by=coordinator, meeting=with_zoe, person=person, kind=ItemKind.REVIEW)
    cases = [
        (None, "Choose the later meeting to move the 2 people"),
        (meeting_today, "Choose a meeting after"),
        (elsewhere, "Choose a later meeting of this EMDT"),
        (small, "has room for 1, not the 2 people"),
        (gone, "is cancelled too"),
        (with_zoe, "Zoë Ashworth is already on the agenda"),
    ]
    for target, words in cases:
        with pytest.raises(ValidationError) as error:
            meeting_cancel(by=coordinator, meeting=meeting_later, reason="Bank holiday", move_to=target)
        assert words in " ".join(error.value.message_dict["move_to"]), target
    meeting_later.refresh_from_db()
    assert meeting_later.cancelled_at is None
    assert all(i.state == ItemState.SCHEDULED for i in meeting_later.items.all())


def test_a_cancelled_meeting_is_never_offered_or_used(personas, person, other, accepted_today, emdt_team):
    coordinator = personas.emdt_coordinator
    gone = make_meeting(by=coordinator, team=emdt_team, days=7)
    meeting_cancel(by=coordinator, meeting=gone, reason="Bank holiday")
    open_later = make_meeting(by=coordinator, team=emdt_team, days=14)
    assert gone.pk not in [m.pk for m in queries.meetings_with_room(team=emdt_team)]
    assert gone.pk not in [m.pk for m in queries.meetings_with_room(team=emdt_team, after=timezone.now())]
    assert gone.pk not in [m.pk for m in queries.meetings_to_move_to(meeting=accepted_today.meeting, need=1)]
    with pytest.raises(ValidationError, match="cancelled"):
        agenda_place(by=coordinator, meeting=gone, person=other, kind=ItemKind.REVIEW)
    with pytest.raises(ValidationError, match="cancelled"):
        agenda_move(by=coordinator, item=accepted_today, meeting=gone, reason="Clash")
    with pytest.raises(ValidationError, match="cancelled"):
        emdt_request_accept(by=coordinator, request=make_request(by=personas.mhp, person=other), meeting=gone)
    with pytest.raises(ValidationError, match="cancelled"):
        attendance_record(by=coordinator, meeting=gone, name="A", organisation=None, kind="invited", status="invited")
    # A review date falling before the cancelled meeting goes to the next open one.
    d = discussion_record(
        by=coordinator,
        item=accepted_today,
        took_part="led",
        discussion="Money",
        summary_for_person="We agreed to help.",
        summary_for_gp="Debt advice agreed.",
        next_review=timezone.localdate() + dt.timedelta(days=2),
    )
    assert d.review_item.meeting == open_later
    assert queries.reviews_due(by=coordinator, meeting=gone) == []
    d.review_item = None
    with pytest.raises(ValidationError):
        agenda_add_review(by=coordinator, meeting=gone, discussion=d)


@pytest.fixture
def accepted_today(personas, emdt_request, meeting_today):
    emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=meeting_today)
    return meeting_today.items.get()


# Pages


def _date_post(when, **more):
    local = timezone.localtime(when)
    return {
        "date[day]": str(local.day),
        "date[month]": str(local.month),
        "date[year]": str(local.year),
        "time": local.strftime("%H:%M"),
        **more,
    }


def test_detail_page_links_to_change_and_cancel(client, personas, meeting_later, emdt_chain, meeting_today):
    client.force_login(personas.emdt_coordinator)
    page = client.get(reverse("meetings:detail", args=[meeting_later.pk])).content.decode()
    assert "Change meeting details" in page and "Cancel this meeting" in page
    page = client.get(reverse("meetings:detail", args=[meeting_today.pk])).content.decode()
    assert "Change meeting details" not in page and "Cancel this meeting" not in page
    page = client.get(reverse("meetings:change", args=[meeting_today.pk])).content.decode()
    assert "A discussion has been recorded at this meeting" in page and "Save changes" not in page


def test_change_page_shows_the_details_and_saves_them(client, personas, meeting_later):
    client.force_login(personas.emdt_coordinator)
    url = reverse("meetings:change", args=[meeting_later.pk])
    page = client.get(url).content.decode()
    assert "Change meeting details" in page and meeting_later.place in page and 'value="10:00"' in page
    new_start = _at(29, hour=15)
    data = _date_post(new_start, place="Room 2", video_link="", capacity="6")
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("meetings:detail", args=[meeting_later.pk])
    meeting_later.refresh_from_db()
    assert (meeting_later.starts_at, meeting_later.place, meeting_later.capacity) == (new_start, "Room 2", 6)


def test_change_page_shows_refusals_in_the_error_summary(client, personas, two_on_later, meeting_later):
    client.force_login(personas.emdt_coordinator)
    url = reverse("meetings:change", args=[meeting_later.pk])
    response = client.post(url, _date_post(meeting_later.starts_at, place="", video_link="", capacity="1"))
    page = response.content.decode()
    assert response.status_code == 200 and "nhsuk-error-summary" in page and "<title>Error:" in page
    assert "2 people are already on this meeting&#39;s agenda" in page
    assert "Enter a place, a video link or both" in page
    yesterday = timezone.now() - dt.timedelta(days=1)
    page = client.post(url, _date_post(yesterday, place="Room", capacity="8")).content.decode()
    assert "nhsuk-error-summary" in page and "today or in the future" in page
    earlier_today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    page = client.post(url, _date_post(earlier_today, place="Room", capacity="8")).content.decode()
    assert "nhsuk-error-summary" in page and "must be in the future" in page


def test_cancel_page_moves_everyone_and_the_meeting_shows_cancelled(
    client, personas, two_on_later, meeting_later, emdt_team
):
    coordinator = personas.emdt_coordinator
    target = make_meeting(by=coordinator, team=emdt_team, days=35)
    small = make_meeting(by=coordinator, team=emdt_team, days=36, capacity=1)
    client.force_login(coordinator)
    url = reverse("meetings:cancel", args=[meeting_later.pk])
    page = client.get(url).content.decode()
    assert "2 people are still on this agenda" in page
    assert f'value="{target.pk}"' in page and f'value="{small.pk}"' not in page  # no room for both
    page = client.post(url, {"move_to": str(target.pk), "reason": ""}).content.decode()
    assert "nhsuk-error-summary" in page and "Enter why the meeting is cancelled" in page
    response = client.post(url, {"move_to": str(target.pk), "reason": "Bank holiday"})
    assert response.status_code == 302
    page = client.get(reverse("meetings:detail", args=[meeting_later.pk])).content.decode()
    assert "Cancelled" in page and "Bank holiday" in page and "Cancel this meeting" not in page
    assert "Meeting cancelled. 2 people moved to the meeting on" in page
    assert "Meeting on " in page and "cancelled: Bank holiday" in page  # each move keeps its reason
    page = client.get(reverse("meetings:list")).content.decode()
    assert "nhsuk-tag" in page and "Cancelled" in page and "Bank holiday" in page
    later_item = AgendaItem.objects.filter(meeting=target).first()
    page = client.get(reverse("meetings:move", args=[later_item.pk])).content.decode()
    assert f'value="{meeting_later.pk}"' not in page


def test_cancel_page_says_to_add_a_meeting_first(client, personas, two_on_later, meeting_later):
    client.force_login(personas.emdt_coordinator)
    url = reverse("meetings:cancel", args=[meeting_later.pk])
    page = client.get(url).content.decode()
    assert "There is no later meeting of this EMDT with room" in page and reverse("meetings:new") in page
    page = client.post(url, {"reason": "Bank holiday"}).content.decode()
    assert "nhsuk-error-summary" in page and "Add a meeting first" in page
    meeting_later.refresh_from_db()
    assert meeting_later.cancelled_at is None


def test_other_roles_cannot_open_the_pages(client, personas, meeting_later):
    client.force_login(personas.mhp)
    for name in ("meetings:change", "meetings:cancel"):
        assert client.get(reverse(name, args=[meeting_later.pk])).status_code == 403
        assert client.post(reverse(name, args=[meeting_later.pk]), {"reason": "x"}).status_code == 403
    meeting_later.refresh_from_db()
    assert meeting_later.cancelled_at is None
