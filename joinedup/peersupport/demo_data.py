"""Demo history for the peer support service, made through its services: the community directory for every
locality, a workforce in each partner charity (seniors, paid workers, volunteers; supervision, training, a few
volunteers who became paid), and for people around the Blackpool personas: referrals, allocations, contacts,
connections to community activities and outcome ratings over time.

Each call is replayed at its own moment (joinedup/demo/clock.py), in order: a worker's profile, supervision and
training from the day they started; for a person, consent, referral, allocation, the start ratings, contacts and
the offers they led to, the review, and the end. So audit events, timeline entries and recorded times say when
each happened. The community directory is loaded now."""

import datetime as dt

from joinedup.accounts.roles import ConsentKind, Role
from joinedup.accounts.services import staff_create
from joinedup.core.access import forget, may
from joinedup.demo.clock import DemoClock
from joinedup.demo.places import PEER_SUPPORT_COVERAGE
from joinedup.directory.models import Locality, Team, TeamKind

from . import reference, services
from .directory_data import synthetic_offers
from .models import Offer, WorkerKind

OFFERS_PER_LOCALITY = 40
GIVEN = ["Amira", "Ben", "Chloe", "Dev", "Erin", "Femi", "Grace", "Harvey", "Isla", "Jamal", "Kirsty", "Leon", "Maya"]
FAMILY = ["Ainsworth", "Bamber", "Critchley", "Duckworth", "Entwistle", "Fairclough", "Greenhalgh", "Haworth"]
REASONS = [
    "Would like to get out more and meet people who understand",
    "Lonely since moving to the area; wants to find local groups",
    "Wants support to get back into volunteering",
    "Money worries and would like someone to go with them to debt advice",
    "Would like help to start exercising again",
    "Wants to build confidence to use the bus and go into town",
]
CONTACT_NOTES = [
    "Met for a coffee at the community hub and talked about what matters to them",
    "Phoned to check in after a difficult week; agreed to meet on Friday",
    "Went together to the group for the first time and stayed for the whole session",
    "Looked through the community directory together and chose two activities to try",
    "Went with them to the advice drop-in; appointment booked for a benefits check",
    "Walk on the promenade; talked about goals for the next month",
]
THEMES = [
    "Caseload review; boundaries when a person asks to meet at weekends",
    "Using lived experience safely; wellbeing check",
    "Lone working; a person disengaging - agreed approach",
    "Training plan and next steps towards a paid role",
]


def seed(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    senior = ctx.personas.get(str(Role.SENIOR_PEER_SUPPORT_WORKER))
    if senior is None:
        return
    localities = list(Locality.objects.order_by("code").values_list("code", "name"))
    if not Offer.objects.exists():
        services.offers_load(synthetic_offers(localities, per_locality=OFFERS_PER_LOCALITY, seed=ctx_seed(ctx)))
    ctx.progress("peer support: directory", 1, 4)
    workers = _workforce(ctx, senior)
    ctx.progress("peer support: workforce", 2, 4)
    _history(ctx, senior, workers, rng, today)
    ctx.progress("peer support: people", 3, 4)
    _supervision_and_training(ctx, workers, rng, today)
    ctx.progress("peer support: supervision and training", 4, 4)


def ctx_seed(ctx) -> int:
    return ctx.rng.randrange(1_000_000)


def _workforce(ctx, senior) -> list:
    """Profiles for the three peer personas (Blackpool), and a senior, paid workers and volunteers per charity."""
    clock = DemoClock.of(ctx)
    localities = {loc.code: loc for loc in Locality.objects.all()}
    blackpool = localities.get("blackpool") or next(iter(localities.values()))
    workers = []
    persona_specs = [
        (senior, WorkerKind.SENIOR, 6, None),
        (ctx.personas.get(str(Role.PEER_SUPPORT_WORKER)), WorkerKind.PAID, 10, senior),
        (ctx.personas.get(str(Role.VOLUNTEER)), WorkerKind.VOLUNTEER, 4, senior),
    ]
    for user, kind, limit, supervisor in persona_specs:
        if user is None:
            continue
        started = ctx.today - dt.timedelta(days=400)
        with clock.at(started):
            workers.append(
                services.peer_worker_register(
                    by=senior,
                    user=user,
                    organisation=user.primary_organisation,
                    kind=kind,
                    localities=[
                        blackpool,
                        *([localities["wyre"]] if "wyre" in localities and kind == "senior" else []),
                    ],
                    caseload_limit=limit,
                    supervisor=supervisor,
                    started=started,
                )
            )
    teams = Team.objects.filter(kind=TeamKind.PEER_SUPPORT).select_related("organisation").order_by("code")
    n = 0
    for team in teams:
        covered = PEER_SUPPORT_COVERAGE.get(team.organisation.code, [])
        covers = [localities[c] for c in covered if c in localities] or [blackpool]
        team_senior = None
        for kind, count, role in (
            (WorkerKind.SENIOR, 1, Role.SENIOR_PEER_SUPPORT_WORKER),
            (WorkerKind.PAID, 3, Role.PEER_SUPPORT_WORKER),
            (WorkerKind.VOLUNTEER, 3, Role.VOLUNTEER),
        ):
            for _ in range(count):
                n += 1
                started = ctx.today - dt.timedelta(days=ctx.rng.randrange(60, 700))
                with clock.at(started):  # their account and profile, on their first day
                    user = staff_create(
                        username=f"demo.ps{n:03d}",
                        first_name=GIVEN[n % len(GIVEN)],
                        last_name=FAMILY[(n * 3) % len(FAMILY)],
                        job_title=dict(WorkerKind.choices)[kind],
                        memberships=[(team, role)],
                    )
                    worker = services.peer_worker_register(
                        by=senior,
                        user=user,
                        organisation=team.organisation,
                        kind=kind,
                        localities=covers,
                        caseload_limit={"senior": 5, "paid": 12, "volunteer": 4}[kind],
                        supervisor=team_senior if kind != WorkerKind.SENIOR else None,
                        started=started,
                    )
                if kind == WorkerKind.SENIOR:
                    team_senior = user
                workers.append(worker)
    return workers


def _history(ctx, senior, workers, rng, today):
    mhp = ctx.personas.get(str(Role.MHP))
    if mhp is None:
        return
    clock = DemoClock.of(ctx)
    offers_by_locality = {}
    people = [p for p in ctx.people if p.practice_id][:160]
    blackpool_workers = [
        w for w in workers if w.kind != WorkerKind.SENIOR and any(loc.code == "blackpool" for loc in w.localities.all())
    ]
    # The personas first, so the peer support worker and volunteer have people when they sign in.
    blackpool_workers.sort(key=lambda w: (w.user.username.startswith("demo.ps"), w.pk))
    held = {w.pk: 0 for w in blackpool_workers}
    for i, person in enumerate(people):
        if rng.random() > 0.55:
            continue
        if not may(mhp, "peersupport.refer", person):
            continue
        referred_on = today - dt.timedelta(days=rng.randrange(5, 240))
        last = None
        if not person.consent_peer_support:
            from joinedup.people.services import consent_record

            with clock.at(referred_on) as last:  # asked for when referring
                consent_record(
                    by=mhp,
                    person=person,
                    kind=ConsentKind.PEER_SUPPORT,
                    given=True,
                    note="Given when referred to peer support",
                )
        with clock.at(referred_on, after=last) as referred:
            referral = services.peer_referral_create(
                by=mhp,
                person=person,
                source=rng.choice(["mhp", "mhp", "emdt", "key_worker"]),
                reason=rng.choice(REASONS),
                referred_at=referred,
            )
        if i % 9 == 4:
            continue  # left waiting for the senior to allocate
        forget(senior)
        worker = next(
            (w for w in blackpool_workers if held[w.pk] < w.caseload_limit and w.started <= referred_on), None
        )
        if worker is None:
            continue
        days_ago = (today - referred_on).days
        start = today - dt.timedelta(days=max(days_ago - rng.randrange(1, 10), 0))
        with clock.at(start, after=referred) as allocated:
            allocation = services.allocation_create(by=senior, referral=referral, worker=worker, started=start)
        held[worker.pk] += 1
        forget(worker.user)
        last = _work_with(ctx, allocation, worker.user, start, today, rng, offers_by_locality, person, allocated)
        if (today - start).days > 150 and rng.random() < 0.5:
            # The end ratings, on one of the last few days, and never before the latest contact.
            rated_on = max(today - dt.timedelta(days=rng.randrange(0, 5)), last.date())
            with clock.at(rated_on, after=last):
                services.outcomes_rate(
                    by=worker.user, allocation=allocation, stage="end", rated_on=rated_on, scores=_scores(rng, 3)
                )
                services.allocation_end(
                    by=worker.user, allocation=allocation, reason="Goals met; connected to local groups"
                )
            held[worker.pk] -= 1


def _scores(rng, base):
    low, high = reference.scale_bounds()
    return {o.code: max(low, min(high, base + rng.choice([-1, 0, 0, 1]))) for o in reference.outcomes()}


def _work_with(ctx, allocation, user, start, today, rng, offers_by_locality, person, allocated):
    """Start ratings, contacts (some leading to a community offer) and a review; returns the latest moment."""
    clock = DemoClock.of(ctx)
    span = (today - start).days
    locality_id = person.practice.locality_id
    if locality_id not in offers_by_locality:
        offers_by_locality[locality_id] = list(Offer.objects.filter(locality_id=locality_id, active=True)[:60])
    offers = offers_by_locality[locality_id]
    with clock.at(start, after=allocated) as rated:
        services.outcomes_rate(by=user, allocation=allocation, stage="start", rated_on=start, scores=_scores(rng, 2))
    last = rated
    contacts = sorted({start + dt.timedelta(days=rng.randrange(0, span + 1)) for _ in range(rng.randrange(1, 7))})
    for k, on in enumerate(contacts):
        with clock.at(on, after=last) as last:
            contact = services.contact_record(
                by=user,
                allocation=allocation,
                on=on,
                duration_minutes=rng.choice([30, 45, 60, 90, 120]),
                method=rng.choice(["face_to_face", "accompanied", "phone", "face_to_face", "group"]),
                what_was_done=CONTACT_NOTES[(k + rng.randrange(6)) % len(CONTACT_NOTES)],
            )
        if offers and rng.random() < 0.5:
            with clock.at(last, after=last) as last:  # written up straight after the contact
                services.offer_link(by=user, allocation=allocation, offer=rng.choice(offers), contact=contact)
    if span > 42:
        reviewed_on = start + dt.timedelta(days=42)
        with clock.at(reviewed_on, after=rated) as reviewed:
            services.outcomes_rate(
                by=user, allocation=allocation, stage="review", rated_on=reviewed_on, scores=_scores(rng, 3)
            )
        last = max(last, reviewed)
    return last


def _supervision_and_training(ctx, workers, rng, today):
    """Supervision, training and a few volunteers moving into paid roles, each on its day: never before the
    worker started."""
    clock = DemoClock.of(ctx)
    senior_persona = ctx.personas.get(str(Role.SENIOR_PEER_SUPPORT_WORKER))
    modules = reference.modules()
    progressed = set()  # one volunteer in each of the first four charities moved into a paid role
    for worker in workers:
        supervisor = worker.supervisor or senior_persona
        if worker.kind != WorkerKind.SENIOR and supervisor is not None and supervisor.pk != worker.user_id:
            for k in range(rng.randrange(2, 5)):
                held_on = max(today - dt.timedelta(days=14 + 28 * k + rng.randrange(7)), worker.started)
                with clock.at(held_on):
                    services.supervision_record(
                        by=supervisor,
                        worker=worker,
                        held_on=held_on,
                        themes=rng.choice(THEMES),
                        actions="Agreed at supervision; review next time",
                    )
        for m in modules:
            if (m.audience in ("all", worker.kind)) and rng.random() < 0.7:
                completed_on = max(today - dt.timedelta(days=rng.randrange(10, 300)), worker.started)
                with clock.at(completed_on):
                    services.training_complete(
                        by=senior_persona, worker=worker, module=m.code, completed_on=completed_on
                    )
        generated = worker.user.username.startswith("demo.ps")
        first_of_charity = worker.organisation_id not in progressed and len(progressed) < 4
        if generated and worker.kind == WorkerKind.VOLUNTEER and first_of_charity:
            on = max(today - dt.timedelta(days=rng.randrange(5, 200)), worker.started + dt.timedelta(days=1))
            with clock.at(on):
                services.progression_record(
                    by=senior_persona,
                    worker=worker,
                    to_kind=WorkerKind.PAID,
                    on=on,
                    note="Completed the programme and appointed to a paid peer support role",
                )
            progressed.add(worker.organisation_id)
