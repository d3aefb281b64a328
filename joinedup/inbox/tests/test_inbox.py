"""Handing tasks over: once per event, never ownerless, done once, and shown in the owner's "My tasks"."""

import datetime as dt

import pytest

from joinedup.core.tasks import tasks_for
from joinedup.inbox.models import InboxItem
from joinedup.inbox.services import InboxRefused, inbox_done, inbox_seen, inbox_send

pytestmark = pytest.mark.django_db


def test_a_task_goes_to_someone(personas, person):
    with pytest.raises(InboxRefused):
        inbox_send(kind="test", source="Test", why="Nobody to do it", person=person)


def test_the_same_event_makes_one_task(personas, person):
    mhp = personas.mhp
    first = inbox_send(kind="declined", key="request:1", source="EMDT request", why="Declined", to_user=mhp)
    again = inbox_send(kind="declined", key="request:1", source="EMDT request", why="Declined", to_user=mhp)
    assert first.pk == again.pk
    assert InboxItem.objects.count() == 1


def test_a_task_shows_in_my_tasks_with_the_person_and_leaves_when_done(personas, person):
    mhp = personas.mhp
    item = inbox_send(
        kind="declined",
        source="EMDT request",
        why="Declined: refer to talking therapies",
        to_user=mhp,
        person=person,
        link=f"/people/{person.pk}/",
        due=dt.date(2026, 12, 1),
    )
    [task] = [t for t in tasks_for(mhp) if t.source == "EMDT request"]
    assert task.person_id == person.pk
    assert person.family_name in task.person_label
    assert task.link == f"/people/{person.pk}/"
    assert inbox_done(item, by=mhp) is True
    assert inbox_done(item, by=mhp) is False  # twice changes nothing
    assert not [t for t in tasks_for(mhp) if t.source == "EMDT request"]
    item.refresh_from_db()
    assert item.seen_by == mhp and item.done_by == mhp


def test_seen_keeps_who_saw_it_first(personas, person):
    item = inbox_send(kind="advice", source="Advice", why="Answered", to_organisation=personas.mhp.primary_organisation)
    inbox_seen(item, by=personas.mhp)
    inbox_seen(item, by=personas.trainee_psychologist)
    item.refresh_from_db()
    assert item.seen_by == personas.mhp
