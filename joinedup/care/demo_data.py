"""Demo data for key working: key workers (some changed with a handover), care and support plans in every
state (none, a first draft, agreed, several agreed versions with a new draft open), goals in people's own
words, DIALOG and goal scores over time, and level-of-care histories.

Everything goes through the services, as the application would, each call replayed at its own moment
(joinedup/demo/clock.py), in order for each person: key worker named about six months ago, steps in care, each
plan version drafted a few days before it is agreed, actions done between versions, DIALOG and goal scores on the
days they were taken, an open draft started recently. Deterministic for ctx.rng.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.accounts.roles import Perm, Role
from joinedup.core.access import may
from joinedup.demo.clock import DemoClock

from . import services
from .models import LevelOfCare, LevelOfCareChange, PlanStatus
from .queries import key_worker_for

PLAN_PEOPLE = 40
KEY_WORKER_DAYS = 180  # a key worker is named about six months ago, before the first plan is drafted
HANDOVER_DAYS = (60, 7)  # a handover to another key worker comes between these many days ago
LEVEL_DAYS = (175, 120, 60)  # a person's first, second and third step in care, days ago
OPEN_DRAFT_DAYS = 14  # an open draft was started within the last fortnight

MATTERS = (
    "Being there for my children and keeping my flat",
    "Getting back to work at the garage",
    "Feeling like myself again and seeing my friends",
    "Looking after my mum without burning out",
    "Staying out of hospital this winter",
)
STRENGTHS = (
    "My sister rings every day. I am good with my hands. The allotment group on Tuesdays.",
    "I have a dog who gets me out. My neighbour Pat. I used to run the five-a-side team.",
    "I am stubborn in a good way. Church on Sundays. My cousin in Fleetwood.",
)
GOALS = (
    "I want to sleep through the night most nights",
    "I want to go to the walking group on the promenade every week",
    "I want to sort out the council tax arrears so the letters stop",
    "I want to start volunteering at the food bank",
    "I want to feel safe in my own flat",
    "I want to cut down to drinking only at weekends",
)
NEEDS = {
    "mental_health": ("Low mood most days, worse in the evenings", "Voices when stressed; medication helps"),
    "physical_health": ("Diabetes not checked this year", "Weight gain since starting medication"),
    "housing": ("Damp flat, landlord not answering", "Rent arrears letter"),
    "money": ("Universal credit deduction for an advance", "Catalogue debts"),
    "work_learning": ("Would like to go back to college",),
    "relationships": ("Lonely since moving here",),
    "substance_use": ("Drinking most evenings to sleep",),
    "safety": ("Occasional thoughts of not wanting to be here; safety plan below",),
}
PERSON_ACTIONS = ("Go to the walking group on Thursday", "Keep the sleep diary", "Open the post with my sister")
ORG_ACTIONS = (
    "Benefits and debt advice appointment",
    "Physical health check and blood tests",
    "Housing officer to inspect the damp",
    "Medication review with the psychiatrist",
    "Introduce to the peer support group",
)
REASONS = ("Caseload balancing in the team", "Moving to the community team after the EMDT", "Person asked for a change")
PARTICIPATION = ("in_person", "phone", "video", "advocate", "in_person")


def _say(ctx, label, done, total):
    if ctx.progress:
        ctx.progress(label, done, total)


def seed(ctx) -> None:
    rng = ctx.rng
    clock = DemoClock.of(ctx)
    today = min(ctx.today, clock.today)
    clinician = ctx.personas.get(str(Role.COMMUNITY_CLINICIAN))
    key_worker_persona = ctx.personas.get(str(Role.KEY_WORKER))
    mhp = ctx.personas.get(str(Role.MHP))
    if clinician is None or mhp is None:
        return
    people = [p for p in ctx.people if may(clinician, Perm.VIEW_RECORD, p)][:PLAN_PEOPLE]
    for index, person in enumerate(people):
        _say(ctx, "key workers and care plans", index, len(people))
        # Each event is replayed at its own moment (demo/clock.py), never before the person was registered.
        named = timezone.localtime(person.created_at)
        kw_member = key_worker_for(person=person)
        if kw_member is None:
            try:
                with clock.at(today - dt.timedelta(days=KEY_WORKER_DAYS), after=named) as named:
                    services.key_worker_assign(
                        by=mhp, person=person, user=clinician, reason="Named at the first assessment", handover_note=""
                    )
            except (ValidationError, services.NotAllowed):
                continue
        elif index % 4 == 1 and key_worker_persona is not None and kw_member.user_id != key_worker_persona.pk:
            # Handed over some weeks ago, after the key worker it hands over from was named.
            earliest = max(kw_member.started + dt.timedelta(days=1), today - dt.timedelta(days=HANDOVER_DAYS[0]))
            handed_over_on = clock.day_between(earliest, today - dt.timedelta(days=HANDOVER_DAYS[1]))
            with suppress(ValidationError, services.NotAllowed), clock.at(handed_over_on, after=named):
                services.key_worker_assign(
                    by=mhp,
                    person=person,
                    user=key_worker_persona,
                    reason=rng.choice(REASONS),
                    handover_note="Prefers a text before a call. Sister is the main support. Plan review due soon.",
                )
        kw = key_worker_for(person=person)
        by = kw.user if kw and kw.user and may(kw.user, Perm.EDIT_CARE_PLAN, person) else clinician
        if not may(by, Perm.EDIT_CARE_PLAN, person):
            continue
        _levels(clock, by, person, index, after=named)
        state = index % 5  # 0 no plan, 1 first draft, 2 agreed, 3 two agreed + draft, 4 three agreed
        if state == 0 or person.care_plan_versions.filter(status=PlanStatus.DRAFT).exists():
            # An EMDT discussion's actions already started this person's draft (meetings seed first).
            continue
        agreed = {1: 0, 2: 1, 3: 2, 4: 3}[state]
        months_back = [5, 3, 1][-agreed:] if agreed else []
        agreed_ons = [today - dt.timedelta(days=30 * months) for months in months_back]
        # Each agreed version is drafted a few days before it is agreed; an open draft was started recently.
        drafted_ons = [clock.day_between(on - dt.timedelta(days=10), on - dt.timedelta(days=3)) for on in agreed_ons]
        if state in (1, 3):
            drafted_ons.append(clock.day_between(today - dt.timedelta(days=OPEN_DRAFT_DAYS), today))
        last, first_agreed = named, None
        for number, drafted_on in enumerate(drafted_ons):
            with clock.at(drafted_on, after=last) as last:
                draft = services.plan_draft_start(by=by, person=person)
            with clock.at(last, after=last) as last:  # written up straight after it was started
                _write(rng, by, draft, person, number)
            if number < agreed:
                draft.refresh_from_db()
                with clock.at(agreed_ons[number], after=last) as last:
                    version = services.plan_agree(
                        by=by,
                        draft=draft,
                        agreed_on=agreed_ons[number],
                        participation=rng.choice(PARTICIPATION),
                        own_words=rng.random() < 0.85,
                        person_comments=rng.choice(
                            (
                                "I am happy with this. I wrote the goals myself.",
                                "Glad the money worries are in there.",
                                "I want my sister to have a copy.",
                                "OK for now, let's see how the walking group goes.",
                            )
                        ),
                    )
                first_agreed = first_agreed or last
                if number == 0 and agreed > 1:
                    # The person's own first action was done before the plan was reviewed: it shows as done in
                    # every later version too, and stays out of the task lists.
                    first = version.actions.filter(owner_is_person=True).first()
                    if first is not None:
                        done_on = clock.day_between(
                            agreed_ons[0] + dt.timedelta(days=1), drafted_ons[1] - dt.timedelta(days=1)
                        )
                        with suppress(ValidationError, services.NotAllowed), clock.at(done_on, after=last) as last:
                            services.plan_action_mark_done(by=by, action=first, note="Done, and it helped")
        if agreed:
            _outcomes(rng, clock, by, person, today, agreed, after=named, first_agreed=first_agreed)
    _say(ctx, "key workers and care plans", len(people), len(people))


def _write(rng, by, draft, person, number):
    review = services.add_months(draft.created_at.date(), 6) - dt.timedelta(days=rng.randint(0, 20))
    needs = {d: rng.choice(t) for d, t in NEEDS.items() if rng.random() < 0.45}
    services.plan_draft_save(
        by=by,
        draft=draft,
        expected_revision=draft.revision,
        what_matters=rng.choice(MATTERS) + ("" if number == 0 else ". And keeping up the walking group."),
        strengths=rng.choice(STRENGTHS),
        needs=needs or {"mental_health": NEEDS["mental_health"][0]},
        early_signs="Not sleeping, not answering the phone, stopping eating properly",
        what_helps="A phone call from someone I know; walking by the sea; my sister",
        crisis_contacts="My key worker in working hours; my sister",
        out_of_hours="Lancashire and South Cumbria crisis line 0800 953 0110; NHS 111 option 2; 999 in an emergency",
        review_date=review,
        sharing={
            "vcfse": ["what_matters", "strengths", "goals", "actions"],
            "peer_support": ["what_matters", "goals"],
            "local_authority": ["needs", "actions"] if rng.random() < 0.5 else [],
        },
    )
    # A later version starts as a copy of the one before: what it already says is not added again.
    goals = {g.words for g in draft.goals.all()}
    new_goals = rng.sample(GOALS, 2) if number == 0 else []
    if number and rng.random() < 0.6:
        new_goals.append(rng.choice(GOALS))
    for words in new_goals:
        if words not in goals:
            services.plan_goal_add(by=by, draft=draft, words=words)
    actions = {a.description for a in draft.actions.all()}
    organisations = services.care_team_organisations(person)
    due = draft.created_at.date() + dt.timedelta(days=rng.randint(14, 60))
    description = rng.choice(PERSON_ACTIONS)
    if description not in actions:
        services.plan_action_add(by=by, draft=draft, description=description, owner="person", due=due)
    for org in rng.sample(organisations, min(2, len(organisations))):
        unused = [a for a in ORG_ACTIONS if a not in actions]
        if not unused:
            break
        description = rng.choice(unused)
        actions.add(description)
        services.plan_action_add(
            by=by,
            draft=draft,
            description=description,
            owner=org,
            due=due + dt.timedelta(days=rng.randint(0, 30)),
        )


def _outcomes(rng, clock, by, person, today, agreed, *, after, first_agreed):
    base = rng.randint(2, 4)
    dates = [today - dt.timedelta(days=d) for d in (170, 90, 10)][-(agreed + 1) :]
    last = after
    for step, taken_on in enumerate(dates):
        ratings = {}
        for item in range(1, 12):
            score = max(1, min(7, base + step + rng.choice((-1, 0, 0, 1))))
            ratings[item] = (score, score <= 3 and rng.random() < 0.6)
        with clock.at(taken_on, after=last) as last:
            services.dialog_record(by=by, person=person, taken_on=taken_on, ratings=ratings)
    goals = services.current_goals(person)
    # Goals are scored once they are in an agreed plan: the first scores are taken when the first plan is agreed,
    # and a date before that is the same first scoring (its scores are drawn all the same, so ctx.rng moves on
    # as it did).
    last, scored = first_agreed, set()
    for step, rated_on in enumerate(dates):
        rated_on = max(rated_on, timezone.localdate(first_agreed))
        scores = {g.key: max(0, min(10, 2 + 3 * step + rng.randint(-1, 1))) for g in goals}
        if rated_on in scored:
            continue
        scored.add(rated_on)
        with clock.at(rated_on, after=last) as last:
            services.gbo_record(by=by, person=person, rated_on=rated_on, scores=scores)


def _levels(clock, by, person, index, *, after):
    paths = (
        (LevelOfCare.PRIMARY_CARE, LevelOfCare.EMDT),
        (LevelOfCare.PRIMARY_CARE, LevelOfCare.EMDT, LevelOfCare.CMHT),
        (LevelOfCare.CMHT, LevelOfCare.EMDT),
        (LevelOfCare.PRIMARY_CARE,),
    )
    reasons = {
        LevelOfCare.PRIMARY_CARE: "Assessed by the practice's mental health practitioner",
        LevelOfCare.EMDT: "Needs several services working together: discussed at the EMDT",
        LevelOfCare.CMHT: "Needs longer-term support from the community mental health team",
    }
    # After any step another service made already (an EMDT outcome), so the latest step stays the current level.
    earlier = LevelOfCareChange.objects.filter(person=person).order_by("-at", "-id").values_list("at", flat=True)
    last = max(after, earlier.first() or after)
    for step, level in enumerate(paths[index % len(paths)]):
        on = clock.today - dt.timedelta(days=LEVEL_DAYS[step])
        if on <= timezone.localdate(last):
            on = clock.day_between(timezone.localdate(last), clock.today)
        # Already at that level (another service stepped them already), or not allowed: leave it.
        with suppress(ValidationError, services.NotAllowed), clock.at(on, after=last) as last:
            services.level_of_care_change(by=by, person=person, level=level, reason=reasons[level])
