import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.models import AuditEvent, TimelineEntry
from joinedup.core.timeline import Service, timeline_add
from joinedup.demo.clock import WORKING_DAY, DemoClock

NOW = timezone.make_aware(dt.datetime(2026, 3, 18, 15, 30))
TODAY = NOW.date()


def test_a_day_gets_a_working_hour_and_the_same_seed_gives_the_same_times():
    first, again, other = DemoClock(seed=5, now=NOW), DemoClock(seed=5, now=NOW), DemoClock(seed=6, now=NOW)
    days = [TODAY - dt.timedelta(days=n) for n in range(1, 40)]
    moments = [first.moment(day) for day in days]
    assert moments == [again.moment(day) for day in days]
    assert moments != [other.moment(day) for day in days]
    for day, moment in zip(days, moments, strict=True):
        assert moment.date() == day
        assert WORKING_DAY[0] <= moment.hour < WORKING_DAY[1]


def test_after_keeps_events_in_order_and_nothing_is_ever_in_the_future():
    clock = DemoClock(seed=1, now=NOW)
    earlier = timezone.make_aware(dt.datetime(2026, 3, 2, 16, 55))
    assert earlier < clock.moment(dt.date(2026, 3, 2), after=earlier) <= earlier + dt.timedelta(hours=1)
    assert clock.moment(dt.date(2026, 3, 1), after=earlier) > earlier  # a day before `after` comes after it too
    assert clock.moment(TODAY + dt.timedelta(days=3)) == NOW
    assert clock.moment(NOW + dt.timedelta(minutes=1)) == NOW
    assert clock.moment(NOW - dt.timedelta(minutes=1)) == NOW - dt.timedelta(minutes=1)  # a datetime is kept


def test_day_between_stays_in_its_span_and_never_passes_today():
    clock = DemoClock(seed=1, now=NOW)
    first, last = TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=10)
    days = {clock.day_between(first, last) for _ in range(200)}
    assert min(days) == first and max(days) == last
    assert clock.day_between(TODAY - dt.timedelta(days=2), TODAY + dt.timedelta(days=30)) <= TODAY
    assert clock.day_between(last, first) == last


@pytest.mark.django_db
def test_what_a_service_writes_at_a_moment_carries_that_moment(person, personas):
    clock = DemoClock(seed=1)
    day = clock.today - dt.timedelta(days=90)
    with clock.at(day) as moment:
        assert timezone.now() == moment and timezone.localdate() == day
        entry = timeline_add(person=person, service=Service.RECORD, kind="demo", summary="Then", by=personas.mhp)
        event = audit_record(by=personas.mhp, action=AuditAction.UPDATE, what="demo", person=person)
    assert TimelineEntry.objects.get(pk=entry.pk).at == moment
    assert AuditEvent.objects.get(pk=event.pk).at == moment
    assert timezone.now() - clock.now < dt.timedelta(minutes=5)  # back in the present afterwards


def test_a_context_without_a_clock_is_given_one_and_keeps_it():
    ctx = SimpleNamespace(rng=None)
    clock = DemoClock.of(ctx)
    assert DemoClock.of(ctx) is clock
