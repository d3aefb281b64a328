"""`seed_demo`: staff personas, synthetic people, and a lived-in corner of Blackpool where the personas work.

Who is made, in index order (person i of a seed is always the same person, see synthetic.py):

- people 0-9 are registered at the demo's home practice through `person_register` by the practice's care
  navigator (demo.gp), with their consents and communication needs, exactly as the application would;
- people 10-49 are at the practices of the home PCN, the rest across every practice of the region; these are
  inserted in bulk. Up to SERVICES_LIMIT people, each bulk record also gets the timeline entries its
  registration would have made; beyond it (benchmark sizes) they get none, to stay fast.
- people 10-39, registered at the home PCN's practices years ago, are then brought to life through the
  services: the PCN's mental health practitioner records consents and puts them on care teams, with the
  community clinician or the key worker as key worker and, for some, the VCFSE partner, peer support
  workers, the outreach worker and the EMDT coordinator; key workers write "my story" with some; timeline
  entries from each service make the records look lived-in.

So every persona that works with people sees some when they sign in, and the outsider sees none of them.

The history is replayed at its own moments (clock.py): each back-dated service call runs inside
`ctx.at(moment)`, so its timeline entry, audit event and recorded times say when it happened, not when the demo
was seeded. The people registered through the services are registered at their synthetic registration time.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind, Role
from joinedup.care.services import care_team_add
from joinedup.core.timeline import Service, timeline_add
from joinedup.directory.models import Practice
from joinedup.people.models import Person
from joinedup.people.services import communication_needs_set, consent_record, my_story_update, person_register

from . import history, second_region
from . import personas as demo_personas
from .clock import DemoClock
from .models import DemoSeed
from .synthetic import generate_people, insert_people, nhs_numbers

SERVICES_LIMIT = 20_000
HOME_PRACTICE_PEOPLE = 10
HOME_PCN_PEOPLE = 50
CARE_TEAM_FIRST = HOME_PRACTICE_PEOPLE  # the care team cohort: people 10-39
CARE_TEAM_PEOPLE = 30
DEFAULT_BATCH_SIZE = 5000

STORIES = (
    "I have lived in Blackpool all my life. Things got hard after I lost my job at the start of last year and "
    "I stopped going out much. What helps: a phone call before anyone visits, and not having to explain "
    "everything again to someone new. I would like to get back to volunteering at the food bank.",
    "I look after my mum, who has dementia, and I do not get much time for myself. When I am struggling I go "
    "quiet rather than ask for help. Please text rather than ring during the day. My goal is to sleep better "
    "and to sort out the money worries that keep me awake.",
    "I have been under mental health services on and off since I was nineteen. Medication helps but the side "
    "effects are hard, and I want to talk about them. Walking by the sea helps me more than anything. I would "
    "like to meet other people who have been through the same thing.",
    "English is my second language and letters from services worry me, so please explain things in person. "
    "My family are important to me and I am happy for my sister to be involved. I want to feel well enough "
    "to go back to college.",
)

TIMELINE = {
    "assessment": (
        "Assessment with the mental health practitioner: low mood and anxiety, six sessions agreed",
        "Assessment with the mental health practitioner: sleep and worry, guided self-help agreed",
        "Review with the mental health practitioner: mood improving, sessions continue",
    ),
    "plan": ("Care and support plan agreed", "Care and support plan reviewed with the person and their sister"),
    "emdt": (
        "Discussed at the EMDT: referred for debt advice and peer support",
        "Discussed at the EMDT: housing support and a physical health check agreed",
    ),
    "peer": (
        "First meeting with a peer support worker at the community hub",
        "Peer support: went together to the walking group on the promenade",
    ),
    "outreach": ("Invited for the annual physical health check (serious mental illness register)",),
    "health_check": ("Physical health check completed: blood pressure, BMI, smoking status and blood tests",),
}


class DemoRefused(Exception):
    """seed_demo will not run here, or not with these arguments; the message says why and what to do."""


@dataclass
class SeedResult:
    seed: int
    people: int
    already_seeded: bool = False
    people_added: int = 0
    registered_through_services: int = 0
    with_timelines: bool = False
    personas_created: list[str] = field(default_factory=list)
    passwords_set: list[str] = field(default_factory=list)
    missing_teams: list[str] = field(default_factory=list)
    care_team_people: int = 0
    service_histories: list[str] = field(default_factory=list)
    second_region: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        if self.already_seeded:
            lines = [f"The demo is already seeded with {self.people:,} people (seed {self.seed}): nothing to do."]
            if self.passwords_set:
                lines.append(f"Sign-in passwords set again from the sign-ins file for: {', '.join(self.passwords_set)}")
            return lines
        lines = [f"Seeded the demo (seed {self.seed}) in {self.seconds:.1f} s: {self.people:,} people in all."]
        if self.personas_created:
            lines.append(f"  staff personas created: {len(self.personas_created)}")
        if self.passwords_set:
            lines.append(f"  passwords set from the sign-ins file: {', '.join(self.passwords_set)}")
        if self.missing_teams:
            lines.append(f"  no team in this region for: {', '.join(self.missing_teams)} (not created)")
        lines.append(
            f"  people added: {self.people_added:,}"
            f" ({self.registered_through_services} registered through the services"
            f"{', the rest in bulk with their timelines' if self.with_timelines else ', the rest in bulk'})"
        )
        if self.care_team_people:
            lines.append(f"  people on care teams with the personas: {self.care_team_people}")
        if self.service_histories:
            lines.append(f"  service histories: {', '.join(self.service_histories)}")
        lines += self.second_region
        return lines


def seed_demo(
    *, people: int, seed: int, batch_size: int = DEFAULT_BATCH_SIZE, progress: Callable[[int, int], None] | None = None
) -> SeedResult:
    started = time.monotonic()
    if settings.ENVIRONMENT == "production":
        raise DemoRefused("seed_demo makes synthetic people and demo sign-ins: it never runs in production")
    if people < 0 or seed < 0:
        raise DemoRefused("--people and --seed must be 0 or more")

    record = DemoSeed.objects.order_by("pk").first()
    if record is not None:
        if record.seed != seed:
            raise DemoRefused(
                f"This database was seeded with --seed {record.seed}; seeding it with --seed {seed} as well would "
                "mix two sets of people. Start from an empty database (make clean-demo) or use the same seed."
            )
        if people < record.people_inserted:
            raise DemoRefused(
                f"This database already holds {record.people_inserted:,} demo people, more than the {people:,} "
                "asked for. Start from an empty database (make clean-demo) to seed fewer."
            )
        if (
            record.complete
            and record.people == people
            and demo_personas.personas_in_place()
            and second_region.in_place()
        ):
            return SeedResult(seed=seed, people=people, already_seeded=True)

    clock = DemoClock(seed=seed)
    places = demo_personas.find_places()
    made = demo_personas.create_personas(places)
    result = SeedResult(
        seed=seed,
        people=people,
        personas_created=made.created,
        passwords_set=made.passwords_set,
        missing_teams=made.missing_teams,
        with_timelines=people <= SERVICES_LIMIT,
    )
    if record is None:
        record = DemoSeed.objects.create(seed=seed, people=people)
    elif record.people != people:
        record.people = people
        record.completed_at = None
        record.save(update_fields=["people", "completed_at"])

    _add_people(record, places, made.users, result, clock, batch_size=batch_size, progress=progress)

    if not record.lived_in and made.users.get(Role.MHP):
        with transaction.atomic():
            result.care_team_people = _bring_to_life(record, places, made.users, clock)
            result.service_histories = _seed_services(record, places, made.users, clock, progress=progress)
            record.lived_in = True
            record.save(update_fields=["lived_in"])
    # After the home region's histories, which are made before the second region is loaded (second_region.py).
    result.second_region = second_region.seed_second_region(seed=seed).lines()
    record.completed_at = timezone.now()
    record.save(update_fields=["completed_at"])
    if connection.vendor == "postgresql" and result.people_added > SERVICES_LIMIT:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after millions of rows
    result.seconds = time.monotonic() - started
    return result


# Each service's own history ----------------------------------------------------------------------------------

# The order matters: meetings discuss referrals; later services build on key workers and plans.
SERVICE_APPS = (
    "referrals",
    "meetings",
    "care",
    "primarycare",
    "peersupport",
    "healthchecks",
    "reporting",
    "portal",
    "messaging",
)


@dataclass
class SeedContext:
    """What each app's `demo_data.seed(ctx)` gets. Apps create their history through their own services.

    Back-dated calls run inside `ctx.at(day_or_moment, after=...)` (clock.py) so that what the service stamps
    carries the event's own time. Apps whose tests pass a bare context use `DemoClock.of(ctx)`, which is this
    context's `clock` when there is one.
    """

    rng: random.Random
    today: dt.date
    personas: dict  # Role value (str) -> User, plus "outsider"
    people: list  # the lived-in people around the Blackpool personas, with care teams
    all_people: object  # every demo person, as a queryset, for services that need breadth (registers, caseloads)
    progress: Callable[[str, int, int], None]
    clock: DemoClock = field(default_factory=DemoClock)

    def at(self, when, *, after=None):
        """`with ctx.at(when, after=...) as moment:` runs the block at that moment (see DemoClock.at)."""
        return self.clock.at(when, after=after)


def _seed_services(record: DemoSeed, places, users, clock: DemoClock, *, progress) -> list[str]:
    home = [places.home_practice, *places.home_pcn_practices]
    ctx = SeedContext(
        rng=random.Random(record.seed),
        today=clock.today,
        personas={str(key): user for key, user in users.items()},
        people=list(Person.objects.filter(practice__in=home).order_by("pk")),
        all_people=Person.objects.order_by("pk"),
        progress=lambda label, done, total: None,
        clock=clock,
    )
    seeded = []
    for label in SERVICE_APPS:
        try:
            module = importlib.import_module(f"joinedup.{label}.demo_data")
        except ModuleNotFoundError as e:
            if e.name != f"joinedup.{label}.demo_data":
                raise
            continue
        module.seed(ctx)
        seeded.append(label)
    seeded += history.seed(ctx)  # two years of background activity for the reports (demo/history.py)
    return seeded


# People -----------------------------------------------------------------------------------------------------


def _add_people(record: DemoSeed, places, users, result: SeedResult, clock: DemoClock, *, batch_size, progress) -> None:
    target, seed = record.people, record.seed
    start = record.people_inserted
    if start >= target:
        return
    gp = users.get(Role.GP_PRACTICE_STAFF)
    if start < HOME_PRACTICE_PEOPLE and gp is not None:
        end = min(HOME_PRACTICE_PEOPLE, target)
        with transaction.atomic():
            for fields in generate_people(count=end - start, seed=seed, practices=[places.home_practice], start=start):
                _register(fields, by=gp, practice=places.home_practice, clock=clock)
            DemoSeed.objects.filter(pk=record.pk).update(people_inserted=end)
        result.registered_through_services = end - start
        result.people_added += end - start
        start = record.people_inserted = end
        if progress:
            progress(start, target)

    in_region = Practice.objects.filter(region_id=places.home_practice.region_id)
    all_practices = list(in_region.only("pk", "ods_code", "postcode", "town").order_by("ods_code"))
    segments = (
        (0, HOME_PRACTICE_PEOPLE, [places.home_practice]),
        (HOME_PRACTICE_PEOPLE, HOME_PCN_PEOPLE, places.home_pcn_practices),
        (HOME_PCN_PEOPLE, target, all_practices),
    )
    parts = []
    for first, last, practices in segments:
        first, last = max(first, start), min(last, target)
        if first < last:
            parts.append(generate_people(count=last - first, seed=seed, practices=practices, start=first))

    def after_batch(inserted: int) -> None:
        DemoSeed.objects.filter(pk=record.pk).update(people_inserted=start + inserted)

    added = insert_people(
        chain.from_iterable(parts),
        total=target,
        batch_size=batch_size,
        progress=progress,
        timeline=result.with_timelines,
        done=start,
        after_batch=after_batch,
    )
    record.people_inserted = start + added
    result.people_added += added


def _register(fields: dict, *, by, practice, clock: DemoClock) -> Person:
    """Registered by the care navigator at the person's synthetic registration time, as the bulk people are."""
    fields = dict(fields)
    needs = fields.pop("communication_needs")
    consents = {kind.value: fields.pop(f"consent_{kind.value}") for kind in ConsentKind}
    fields["practice"] = practice
    with clock.at(fields["created_at"]):
        person = person_register(by=by, consents=consents, **fields)
        if needs:
            communication_needs_set(by=by, person=person, needs=needs)
    return person


# The lived-in corner ----------------------------------------------------------------------------------------


def _bring_to_life(record: DemoSeed, places, users, clock: DemoClock) -> int:
    count = max(0, min(CARE_TEAM_PEOPLE, record.people - CARE_TEAM_FIRST))
    numbers = [n for n, _ in zip(nhs_numbers(seed=record.seed, start=CARE_TEAM_FIRST), range(count), strict=False)]
    by_number = {p.nhs_number: p for p in Person.objects.filter(nhs_number__in=numbers)}
    cohort = [by_number[n] for n in numbers if n in by_number]
    for j, person in enumerate(cohort):
        _care_for(j, person, places, users, clock)
    return len(cohort)


def _care_for(j: int, person: Person, places, users, clock: DemoClock) -> None:
    """One person's story, in order: assessed by the MHP, who records their consents and builds the care team
    there and then; later the EMDT, a plan with the key worker (and "my story"), a health check, peer support."""
    mhp = users[Role.MHP]
    key_worker = users.get(Role.COMMUNITY_CLINICIAN if j % 3 != 2 else Role.KEY_WORKER) or users.get(
        Role.COMMUNITY_CLINICIAN
    )
    wanted = [
        (key_worker, True, ConsentKind.NHS),
        (mhp if j % 2 == 0 else None, False, ConsentKind.NHS),
        (users.get(Role.TRAINEE_PSYCHOLOGIST) if j % 7 == 0 else None, False, ConsentKind.NHS),
        (users.get(Role.PARTNER_PROFESSIONAL) if j % 2 == 0 else None, False, ConsentKind.VCFSE),
        (users.get(Role.PEER_SUPPORT_WORKER) if j % 3 == 0 else None, False, ConsentKind.PEER_SUPPORT),
        (users.get(Role.SENIOR_PEER_SUPPORT_WORKER) if j % 5 == 1 else None, False, ConsentKind.PEER_SUPPORT),
        (users.get(Role.VOLUNTEER) if j % 6 == 3 else None, False, ConsentKind.PEER_SUPPORT),
        (users.get(Role.OUTREACH_WORKER) if j % 4 == 1 else None, False, ConsentKind.VCFSE),
        (users.get(Role.EMDT_COORDINATOR) if j % 4 == 3 else None, False, ConsentKind.NHS),
    ]
    members = [(user, is_key, kind) for user, is_key, kind in wanted if user is not None]
    notes = {
        ConsentKind.NHS: "Given at assessment with the mental health practitioner",
        ConsentKind.VCFSE: "Given when referred to a voluntary sector partner",
        ConsentKind.PEER_SUPPORT: "Given when referred to peer support",
    }

    def days_ago(days: int, hour: int = 10) -> dt.datetime:
        return (clock.now - dt.timedelta(days=days)).replace(hour=hour, minute=(j * 7) % 60, second=0, microsecond=0)

    assessed = days_ago(60 + j)
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="assessment",
        by=mhp,
        at=assessed,
        **_content("assessment", j, reverse("primarycare:person", args=[person.pk])),
    )
    last = assessed
    for kind in dict.fromkeys(kind for _, _, kind in members):
        if not person.has_consent(kind):
            with clock.at(assessed, after=last) as last:
                consent_record(by=mhp, person=person, kind=kind, given=True, note=notes[kind])
    for user, is_key, _ in members:
        with clock.at(assessed, after=last) as last:
            care_team_add(
                by=mhp,
                person=person,
                organisation=user.primary_organisation,
                user=user,
                role_title=user.job_title or Role(user.primary_membership.role).label,
                is_key_worker=is_key,
            )
        role = user.primary_membership.role
        if role == Role.EMDT_COORDINATOR:
            timeline_add(
                person=person,
                service=Service.EMDT,
                kind="emdt_discussion",
                by=user,
                at=days_ago(45 + j % 7, 14),
                **_content("emdt", j, reverse("referrals:person", args=[person.pk]), where=places.teams["emdt"]),
            )
        elif role == Role.PEER_SUPPORT_WORKER:
            timeline_add(
                person=person,
                service=Service.PEER_SUPPORT,
                kind="peer_contact",
                by=user,
                at=days_ago(12 + j % 5, 11),
                **_content("peer", j, reverse("peersupport:person", args=[person.pk])),
            )
        elif role == Role.OUTREACH_WORKER:
            timeline_add(
                person=person,
                service=Service.HEALTH_CHECKS,
                kind="outreach_contact",
                by=user,
                at=days_ago(25 + j % 9),
                summary=_pick("outreach", j),
            )
    if j % 10 == 5:
        needs = {n.need: n.detail for n in person.communication_needs.all()}
        with clock.at(assessed, after=last) as last:
            communication_needs_set(by=mhp, person=person, needs={**needs, "easy_read": ""})
    if key_worker is not None:
        planned = days_ago(30 + j % 10)
        timeline_add(
            person=person,
            service=Service.CARE,
            kind="care_plan",
            by=key_worker,
            at=planned,
            summary=f"{_pick('plan', j)} with {key_worker.get_full_name()}, key worker",
        )
        if j % 3 == 0:  # written with the key worker at the plan meeting
            current = Person.objects.only("version").get(pk=person.pk)
            with clock.at(planned, after=planned):
                my_story_update(
                    by=key_worker,
                    person=person,
                    expected_version=current.version,
                    text=STORIES[(j // 3) % len(STORIES)],
                )
    checker = users.get(Role.HEALTH_CHECK_PROVIDER)
    if checker is not None and person.practice_id == places.home_practice.pk and j % 2 == 1:
        timeline_add(
            person=person,
            service=Service.HEALTH_CHECKS,
            kind="health_check",
            by=checker,
            at=days_ago(20 + j % 6, 9),
            summary=_pick("health_check", j),
        )


def _pick(kind: str, j: int) -> str:
    options = TIMELINE[kind]
    return options[j % len(options)]


def _content(kind: str, j: int, link: str, where: str = "") -> dict:
    """A timeline entry's summary (what happened, and where) and its content after the colon, which the timeline shows
    only to a reader who may open the linked page (hazard H22)."""
    summary, _, detail = _pick(kind, j).partition(": ")
    return {"summary": f"{summary} ({where})" if where else summary, "detail": detail, "link": link}
