"""Demo data for SMI physical health checks: every practice a register, with check histories, contacts and bookings.

About 1 in 8 of the demo's adults with a practice are put on their practice's register, and (for a demo-sized
seed of 500 people or more) every practice in the region gets 10 to 25 synthetic entries besides, new people with
NHS numbers from the 999 test range, so worklists and coverage have a realistic shape.
Everything goes through the register import and the services, each call replayed at its own moment
(joinedup/demo/clock.py): the register was imported REGISTER_IMPORTED_DAYS ago (the last-check dates in it are as
they stood then), then the outreach worker tried to reach people, booked checks and recorded them, so audit events,
timeline entries and recorded times say when each happened. Open claims are made now, after the attempts before
them; bookings still to come are for the weeks ahead.
"""

import csv
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.core.dates import age_on
from joinedup.demo.clock import DemoClock

GIVEN = ["Alex", "Sam", "Jordan", "Chris", "Jamie", "Robin", "Kim", "Lee", "Pat", "Morgan", "Ash", "Jo", "Dana", "Ray"]
FAMILY = ["Holt", "Marsh", "Fenwick", "Ashby", "Calder", "Wyre", "Pendle", "Ribble", "Lune", "Kent", "Eden", "Brock"]
BULK_FROM_PEOPLE = 500
REGISTER_IMPORTED_DAYS = 120  # before the outreach history (which spans at most about 110 days)
SMI_CODES = ["58214004", "13746004", "191526005", "69322001", "35252006"]  # all in MH_COD
HEADER = [
    "practice_code",
    "nhs_number",
    "family_name",
    "given_name",
    "date_of_birth",
    "sex",
    "postcode",
    "smi_code",
    "smi_date",
    "remission_code",
    "last_full_check_date",
]


def _nhs_numbers(start: int, taken: set[str]):
    body = start
    while True:
        digits = str(body)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        body += 1
        if check == 10:
            continue
        number = digits + str(check)
        if number not in taken:
            yield number


def _last_check(rng, today):
    roll = rng.random()
    if roll < 0.3:
        return ""
    if roll < 0.55:
        return (today - dt.timedelta(days=rng.randint(1100, 2500))).isoformat()
    if roll < 0.8:
        return (today - dt.timedelta(days=rng.randint(370, 1090))).isoformat()
    return (today - dt.timedelta(days=rng.randint(20, 360))).isoformat()


def _place(provider_kind, person, worker) -> str:
    """Where the check is: the person's own practice, the outreach charity's clinic or the local community
    mental health team, never a place in another locality or run by another organisation."""
    if provider_kind == "practice":
        return person.practice.name
    if provider_kind == "vcfse":
        return f"{worker.primary_organisation.name} wellbeing clinic, {person.practice.town or person.practice.name}"
    return f"{person.practice.locality.name} community mental health team base"


def seed(ctx) -> None:
    from joinedup.directory.models import Practice
    from joinedup.people.models import Person

    from . import services
    from .models import RegisterEntry
    from .registers import import_register

    rng, today = ctx.rng, ctx.today
    clock = DemoClock.of(ctx)
    imported_on = today - dt.timedelta(days=REGISTER_IMPORTED_DAYS)
    practices = list(Practice.objects.filter(locality__outreach_coverage__isnull=False).order_by("ods_code"))
    taken = set(Person.objects.exclude(nhs_number=None).values_list("nhs_number", flat=True))
    rows = []
    chosen = [
        p
        for p in ctx.people
        if p.practice_id and p.nhs_number and age_on(p.date_of_birth, today) >= 18 and rng.random() < 0.125
    ]
    codes = {p.pk: p.ods_code for p in practices}
    for p in chosen:
        if p.practice_id not in codes:
            continue
        rows.append(
            [
                codes[p.practice_id],
                p.nhs_number,
                p.family_name,
                p.given_name,
                p.date_of_birth.isoformat(),
                {"1": "M", "2": "F"}.get(p.sex, "U"),
                p.postcode,
                rng.choice(SMI_CODES),
                "",
                "111485001" if rng.random() < 0.05 else "",
                _last_check(rng, imported_on),
            ]
        )
    numbers = _nhs_numbers(999_700_000, taken)
    # Synthetic entries (new people) only for a demo-sized seed: small seeds, as the seeding tests use, keep to
    # the people they asked for.
    per_practice = (10, 25) if len(ctx.people) >= BULK_FROM_PEOPLE else (0, 0)
    for practice in practices:
        for _ in range(rng.randint(*per_practice)):
            born = today - dt.timedelta(days=rng.randint(18 * 366, 85 * 365))
            rows.append(
                [
                    practice.ods_code,
                    next(numbers),
                    rng.choice(FAMILY),
                    rng.choice(GIVEN),
                    born.isoformat(),
                    rng.choice("MF"),
                    practice.postcode,
                    rng.choice(SMI_CODES),
                    min(born + dt.timedelta(days=rng.randint(18 * 365, 30 * 365)), imported_on).isoformat()
                    if rng.random() < 0.5
                    else "",
                    "111485001" if rng.random() < 0.05 else "",
                    _last_check(rng, imported_on),
                ]
            )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    ctx.progress("SMI registers", 0, 1)
    with clock.at(imported_on) as imported:
        outcome = import_register(io.BytesIO(out.getvalue().encode()), filename="demo-registers.csv", today=imported_on)
    ctx.progress("SMI registers", 1, 1)
    if outcome.rejected:
        raise RuntimeError(f"demo register rows rejected: {outcome.errors[:3]}")

    worker = ctx.personas.get("outreach_worker")
    if worker is None:
        return
    demo_ids = [p.pk for p in chosen]
    entries = list(
        RegisterEntry.objects.filter(
            person_id__in=demo_ids, provider_id=worker.primary_organisation.pk, remission_code=""
        )
        .select_related("person__practice__locality")
        .order_by("person_id")
    )
    total = len(entries)
    for i, entry in enumerate(entries):
        person = entry.person
        roll = rng.random()
        try:
            if roll < 0.45:
                continue
            # What happens, drawn in the order the story used to be told, then told in the order it happened.
            method = "key_worker" if person.do_not_contact else rng.choice(["phone", "text", "letter", "phone"])
            attempts = rng.randint(1, 4)
            wanted = None
            if roll >= 0.7:
                wanted = {
                    "provider_kind": rng.choice(["practice", "vcfse", "secondary"]),
                    "lead": dt.timedelta(days=rng.randint(1, 21)),
                    "time": dt.time(9 + rng.randint(0, 6)),
                }
            if wanted is None:  # not reached yet: the last try in the past fortnight
                reached_on = clock.day_between(today - dt.timedelta(days=14), today)
            elif roll < 0.8:  # booked, and the appointment was missed
                appointment_on = clock.day_between(today - dt.timedelta(days=28), today - dt.timedelta(days=1))
                reached_on = appointment_on - wanted["lead"]
            elif roll < 0.88:  # booked in the past week for an appointment still to come
                reached_on = clock.day_between(today - dt.timedelta(days=7), today)
                appointment_on = today + wanted["lead"]
            else:  # booked, attended and the check recorded on the day
                appointment_on = today - dt.timedelta(days=max(rng.randint(0, 60), 1))
                reached_on = appointment_on - wanted["lead"]
            # The tries that failed, a few days apart: the last of them on `reached_on` if nobody answered yet.
            tried_on = reached_on if wanted is None else reached_on - dt.timedelta(days=clock.rng.randint(2, 7))
            tries = [tried_on]
            for _ in range(attempts - 1):
                tries.append(tries[-1] - dt.timedelta(days=clock.rng.randint(2, 7)))
            last = imported
            for tried_on in reversed(tries):
                with clock.at(tried_on, after=last) as last:
                    services.contact_record(by=worker, person=person, method=method, outcome="no_answer")
            if roll < 0.55:
                services.claim(by=worker, person=person)  # taken on now, after the tries so far
            if wanted is None:
                continue
            with clock.at(reached_on, after=last) as last:
                services.contact_record(by=worker, person=person, method=method, outcome="accepted", next_step="Book")
            appointment = timezone.make_aware(dt.datetime.combine(appointment_on, wanted["time"]))
            with clock.at(last, after=last) as last:
                booking = services.booking_create(
                    by=worker,
                    person=person,
                    provider_kind=wanted["provider_kind"],
                    at=appointment,
                    place=_place(wanted["provider_kind"], person, worker),
                )
            if roll < 0.8:
                with clock.at(appointment, after=appointment):  # did not come
                    services.booking_missed(by=worker, booking=booking)
                continue
            if roll < 0.88:
                continue
            with clock.at(appointment, after=appointment) as checked:
                check = services.check_record(
                    by=worker,
                    person=person,
                    booking=booking,
                    done_on=appointment_on,
                    height_cm=rng.randint(155, 190),
                    weight_kg=rng.randint(55, 120),
                    systolic=rng.randint(105, 165),
                    diastolic=rng.randint(65, 100),
                    pulse=rng.randint(55, 95),
                    hba1c=rng.randint(32, 55),
                    total_cholesterol=round(rng.uniform(3.5, 7.5), 1),
                    hdl_cholesterol=round(rng.uniform(0.8, 2.0), 1),
                    smoking=rng.choice(["current", "ex", "never"]),
                    alcohol_units=rng.randint(0, 30),
                    wider={"oral_health": "Not registered with a dentist"} if rng.random() < 0.3 else {},
                )
            for f in check.follow_ups.all():
                if rng.random() < 0.4:
                    closed_on = clock.day_between(appointment_on + dt.timedelta(days=1), f.due)
                    with clock.at(closed_on, after=checked):
                        services.follow_up_close(by=worker, follow_up=f, status="done", note="Referral made")
            if rng.random() < 0.6:
                with clock.at(checked, after=checked):  # agreed with the person at the check
                    services.plan_save(
                        by=worker,
                        person=person,
                        what_matters="Feeling well enough to see my grandchildren"
                        if age_on(person.date_of_birth, today) >= 55
                        else "Feeling well enough to go back to work",
                        goals="Walk to the shops three times a week; try the stop smoking service",
                        agreed=True,
                        expected_version=None,
                    )
        except ValidationError:
            continue
        finally:
            ctx.progress("Health check histories", i + 1, total)
