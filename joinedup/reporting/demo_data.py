"""Reporting's demo step: 24 months of SMI health checks, back-dated, so the commissioner's charts have a history
with signals in it (a slow rise, then a step up in the last seven months, as when an outreach push starts).

Made through healthchecks.services.check_record, at the day of each check (ctx.at), by the demo outreach worker,
for people on its provider's registers who were on our records by then. Runs after the other apps' steps
(demo/seeding.py, SERVICE_APPS). Small: about 300 checks, a few seconds.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.demo.clock import DemoClock

MONTHS = 24


def checks_in_month(i: int) -> int:
    """How many checks in the i-th month (0 = 24 months ago): 6 rising slowly, then a step up of 8."""
    return 6 + i // 6 + (8 if i >= MONTHS - 7 else 0)


def seed(ctx) -> None:
    from joinedup.healthchecks import services
    from joinedup.healthchecks.models import RegisterEntry

    worker = ctx.personas.get("outreach_worker")
    if worker is None:
        return
    rng, today = ctx.rng, ctx.today
    clock = DemoClock.of(ctx)
    people = list(
        RegisterEntry.objects.filter(provider_id=worker.primary_organisation.pk, remission_code="", left_on=None)
        .select_related("person")
        .order_by("person_id")
    )
    if not people:
        return
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for i in range(MONTHS):
        months_back = MONTHS - 1 - i
        total = first.year * 12 + first.month - 1 - months_back
        month = dt.date(total // 12, total % 12 + 1, 1)
        known = [e for e in people if timezone.localdate(e.person.created_at) < month]  # on our records by then
        for _ in range(checks_in_month(i) if known else 0):
            entry = rng.choice(known)
            day = clock.day_between(month, month + dt.timedelta(days=27))
            try:
                with clock.at(day):
                    services.check_record(
                        by=worker,
                        person=entry.person,
                        done_on=day,
                        height_cm=rng.randint(155, 190),
                        weight_kg=rng.randint(55, 120),
                        systolic=rng.randint(105, 165),
                        diastolic=rng.randint(65, 100),
                        hba1c=rng.randint(32, 55),
                        total_cholesterol=round(rng.uniform(3.5, 7.5), 1),
                        smoking=rng.choice(["current", "ex", "never"]),
                        alcohol_units=rng.randint(0, 30),
                    )
            except ValidationError:
                continue
