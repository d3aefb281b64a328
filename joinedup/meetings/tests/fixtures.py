"""Fixtures this app shares with the whole suite (loaded by the root conftest's pytest_plugins).

The URL walk asks for `url_arg_<kwarg>` fixtures: one chain built through the services gives them all.
Zoë's request is accepted onto today's meeting, discussed with an action for the community clinician and a
next review, which puts her on the next meeting's agenda (the scheduled item the walk uses).
"""

import datetime as dt

import pytest
from django.utils import timezone


def make_meeting(*, by, team, days=0, hour=10, capacity=8, place="Blackpool Whitegate Health Centre"):
    from joinedup.meetings.services import meeting_create

    day = timezone.localdate() + dt.timedelta(days=days)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    return meeting_create(by=by, team=team, starts_at=starts, capacity=capacity, place=place)


def attending(user, meeting, *, by):
    """Record `user` as attending `meeting`: someone recorded as attending may own an action agreed there."""
    from joinedup.meetings.services import attendance_record

    return attendance_record(
        by=by,
        meeting=meeting,
        name=user.get_full_name(),
        organisation=user.primary_organisation,
        kind="invited",
        status="attended",
    )


@pytest.fixture
def emdt_team(personas, practice):
    from joinedup.directory.models import Team, TeamKind

    return Team.objects.get(kind=TeamKind.EMDT, locality=practice.locality)


@pytest.fixture
def meeting_today(personas, emdt_team):
    return make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=0, hour=0)


@pytest.fixture
def meeting_later(personas, emdt_team):
    return make_meeting(by=personas.emdt_coordinator, team=emdt_team, days=28)


@pytest.fixture
def emdt_chain(personas, person, emdt_request, meeting_today, meeting_later):
    from joinedup.meetings.services import discussion_record
    from joinedup.referrals.services import emdt_request_accept

    emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=meeting_today)
    item = meeting_today.items.get(person=person)
    discussion = discussion_record(
        by=personas.emdt_coordinator,
        item=item,
        took_part="led",
        discussion="Zoë explained her money worries; debt advice and housing support agreed",
        summary_for_person="We agreed you will see a debt adviser and we will ask about housing support.",
        summary_for_gp="Discussed at the Blackpool EMDT. Debt advice and housing support referrals agreed.",
        actions=[
            {
                "description": "Refer to debt advice",
                "owner": personas.community_clinician,
                "due": timezone.localdate() + dt.timedelta(days=14),
            }
        ],
        next_review=timezone.localdate() + dt.timedelta(days=28),
    )
    return {"request": emdt_request, "item": item, "discussion": discussion, "review_item": discussion.review_item}


@pytest.fixture
def url_arg_meeting_id(emdt_chain, meeting_later):
    return meeting_later.pk


@pytest.fixture
def url_arg_item_id(emdt_chain):
    return emdt_chain["review_item"].pk


@pytest.fixture
def url_arg_discussion_id(emdt_chain):
    return emdt_chain["discussion"].pk


@pytest.fixture
def url_arg_action_id(emdt_chain):
    return emdt_chain["discussion"].actions.get().pk


# A case discussion's outcome, as the tests record it.
OUTCOME = {
    "took_part": "led",
    "discussion": "Money and housing",
    "summary_for_person": "We agreed to help with money.",
    "summary_for_gp": "Debt advice agreed.",
}


@pytest.fixture
def accepted(personas, emdt_request, meeting_today):
    """Zoë's EMDT request accepted onto today's meeting: her agenda item."""
    from joinedup.referrals.services import emdt_request_accept

    emdt_request_accept(by=personas.emdt_coordinator, request=emdt_request, meeting=meeting_today)
    return meeting_today.items.get()
