"""The demo's clock: each back-dated event of the seeded history is replayed at its own moment.

Services stamp what they write with the time they run: the timeline entry (`timeline_add`'s `at`), the audit
event, and `created_at`/`recorded_at`-style fields, and they check dates against `timezone.localdate()`. The demo
builds months of history in one run, so without help every one of those stamps would say "today". Rather than
teach the services about the demo, a demo seed travels in time around each call:

    clock = DemoClock.of(ctx)
    with clock.at(opened_on) as opened:                   # a working hour on that day
        episode = services.episode_open(..., opened_on=opened_on)
    with clock.at(assessed_on, after=opened) as assessed:  # always after `opened`, even on the same day
        services.assessment_record(...)

`at` wraps `time_machine.travel(moment, tick=False)`: inside the block `timezone.now()`, `timezone.localdate()`
and every default that uses them are that moment, so the service's rows, audit event and timeline entry carry
the event's time. A date gets a working hour (09:00 to 17:00, local time) from the clock's own random generator,
seeded from the demo's seed: times are deterministic, and drawing them never moves `ctx.rng`, so the people and
their histories are the same as they would be without the clock. `after` keeps one person's events in order.
Nothing is ever placed in the future: a moment later than `now` (when the clock was made, at the start of
seeding) is brought back to `now`. Things that really happen now (an open claim made today, a question still
waiting for an answer) are simply not wrapped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Iterator

import time_machine
from django.utils import timezone

WORKING_DAY = (9, 17)  # from 09:00 up to 17:00, local time
MINUTES_APART = (5, 40)  # how far after `after` an event comes when it would otherwise come first


class DemoClock:
    """Moments for the demo's history, and travel to them. One per seeding run, shared by every app's seed."""

    def __init__(self, *, seed: int = 0, now: dt.datetime | None = None):
        self.rng = random.Random(f"joinedup demo clock {seed}")
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)

    @classmethod
    def of(cls, ctx) -> DemoClock:
        """The seeding context's clock; a context without one (as the apps' own tests make) is given one."""
        clock = getattr(ctx, "clock", None)
        if clock is None:
            clock = cls()
            with contextlib.suppress(AttributeError):
                ctx.clock = clock
        return clock

    def moment(self, when: dt.date | dt.datetime, *, after: dt.datetime | None = None) -> dt.datetime:
        """`when` itself if it is a datetime, or a working hour on that day; after `after`; never after `now`."""
        if isinstance(when, dt.datetime):
            moment = when if timezone.is_aware(when) else timezone.make_aware(when)
        else:
            first, last = WORKING_DAY
            start = timezone.make_aware(dt.datetime.combine(when, dt.time(first)))
            moment = start + dt.timedelta(minutes=self.rng.randrange((last - first) * 60))
        if after is not None and moment <= after:
            moment = after + dt.timedelta(minutes=self.rng.randint(*MINUTES_APART))
        return timezone.localtime(min(moment, self.now))

    @contextlib.contextmanager
    def at(self, when: dt.date | dt.datetime, *, after: dt.datetime | None = None) -> Iterator[dt.datetime]:
        """Run the block at `moment(when, after=after)`, with the clock stopped there; yields the moment."""
        moment = self.moment(when, after=after)
        # Travel by UTC: a destination with a ZoneInfo would also have time-machine reset the process's TZ.
        with time_machine.travel(moment.astimezone(dt.UTC), tick=False):
            yield moment

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        """A day from `first` to `last` (both included, and never after today); `first` if the span is empty."""
        first, last = min(first, self.today), min(last, self.today)
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))
