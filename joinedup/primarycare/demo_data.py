"""Demo data for primary care mental health: an MHP caseload in every PCN, GP questions and advice, sessions
(some by the trainee psychologist under supervision), onward referrals and a discharge or two.

Everything goes through the services, as the application would, each call replayed at its own moment
(joinedup/demo/clock.py): a GP's question, then the caseload, the assessment, sessions, an onward referral and a
discharge, in that order, so audit events, timeline entries and recorded times say when each happened. The one
GP question left waiting for an answer is asked now. Deterministic for ctx.rng.
"""

from __future__ import annotations

import datetime as dt
import zlib

from django.utils import timezone

from joinedup.accounts.models import User
from joinedup.accounts.roles import Role
from joinedup.accounts.services import staff_create
from joinedup.demo.clock import DemoClock
from joinedup.demo.wording import about
from joinedup.directory.models import Pcn, Team, TeamKind
from joinedup.people.models import Person

from . import rules, services
from .models import Episode

PER_PCN = 3  # people on each PCN's caseload (the home PCN gets more, from ctx.people)
HOME_PCN_CASELOAD = 10
ADVICE_PER_PCN = 1
HOME_ADVICE = 3
MHP_IN_POST_DAYS = 180  # the PCN MHPs made for the demo started before any of its history

# Each PCN's MHP gets a name of their own: first and last names paired by PCN number (the two lists have
# coprime lengths, so no pair repeats for 110 PCNs), none shared with another member of the demo's staff.
MHP_FIRST_NAMES = ("Aisha", "Ben", "Claire", "Dev", "Ellie", "Frank", "Grace", "Harry", "Imran", "Jess")
MHP_LAST_NAMES = (
    "Rahman", "Holt", "Dobson", "Mistry", "Marsden", "Gallagher", "Okafor", "Nuttall", "Hussain", "Parkinson",
    "Whitehead",
)  # fmt: skip
# The GPs who ask for advice: one name per practice, from its ODS code.
GP_LAST_NAMES = ("Ahmed", "Brennan", "Chadwick", "Hartley", "Fitzgerald", "Kaur", "Lomax", "Moss", "Sutcliffe")


def mhp_name(index: int) -> tuple[str, str]:
    return MHP_FIRST_NAMES[index % len(MHP_FIRST_NAMES)], MHP_LAST_NAMES[index % len(MHP_LAST_NAMES)]


def gp_name(practice) -> str:
    return f"Dr {GP_LAST_NAMES[zlib.crc32(practice.ods_code.encode()) % len(GP_LAST_NAMES)]}"


NEEDS = {
    "mental_health": (
        "Low mood most days for four months, poor sleep, stopped enjoying football",
        "Worry that is hard to control, panic when leaving the house",
        "Flashbacks and poor sleep since an assault last year",
    ),
    "physical_health": ("Back pain limits walking", "Type 2 diabetes, not checked this year"),
    "housing": ("Private rented flat, damp, landlord not responding", "Sofa-surfing with a friend"),
    "money": ("Council tax arrears and a universal credit deduction", "Debts to a catalogue company"),
    "work_learning": ("Off work with stress for six weeks", "Would like to go back to college"),
    "relationships": ("Separated this year; sees children at weekends", "Few friends locally since moving"),
    "substance_use": ("Drinking most evenings to sleep",),
    "safety": ("Occasional thoughts of not wanting to be here, no plans; safety plan agreed",),
}
MATTERS = (
    "Being a good {parent} to my two boys",
    "Getting back to work before my job goes",
    "Keeping my flat and my cat",
    "Feeling like myself again and seeing my friends",
)
RISKS = (
    "No current thoughts of self-harm. Protective factors: children, work. Crisis numbers given.",
    "Passive thoughts of death at times, no plan or intent; safety plan agreed and shared with the GP.",
    "No known risk to self or others. Lives with partner.",
)
DONE = (
    ("behavioural_activation", "Activity diary reviewed; planned three small activities", "Walked to the shop twice"),
    ("problem_solving", "Listed problems and chose the council tax letter to tackle first", "Will ring the council"),
    ("guided_self_help", "Introduced a worry time workbook", "Will practise worry time daily"),
    ("psychoeducation", "Talked through how anxiety affects the body", "Understands the panic cycle better"),
    ("motivational", "Explored pros and cons of cutting down drinking", "Agreed two drink-free nights"),
    ("safety_planning", "Reviewed the safety plan and crisis numbers", "Plan updated and copy given"),
)
QUESTIONS = (
    "Low mood after a bereavement, not improving on sertraline. Would talking therapy or more help?",
    "Frequent attender with anxiety and money worries. Is there anything beyond another appointment with me?",
    "Drinking more since losing {their} job and sleeping badly. How best to help?",
    "Feeling hopeless but denies any plans. Can someone see {them} this week?",
)
ADVICE = (
    "Continue the current dose for four more weeks; I will offer guided self-help and review with you.",
    "Debt advice through the EMDT's partners would help most; I have shared how to refer and will follow up.",
    "Use AUDIT-C at the next appointment; I can see {them} for motivational work if willing.",
    "I called {them} today: no immediate risk; safety plan agreed, and on my list for an assessment.",
)
REFERRALS = (
    ("talking_therapies", "", "Would benefit from CBT for anxiety"),
    ("peer_support", "", "Isolated; wants to meet people with lived experience"),
    ("vcfse", "Lancashire Mind", "Wellbeing group and debt advice"),
    ("emdt_request", "", "Needs from more than one service: housing, debt and mental health"),
)


def _today(ctx) -> dt.date:
    return min(ctx.today, timezone.localdate())


def _mhp_for(ctx, pcn, home_mhp, index):
    """The PCN's MHP: the persona in its home PCN, otherwise one demo MHP per PCN (created once)."""
    if home_mhp is not None and services.is_mhp_in(home_mhp, pcn):
        return home_mhp
    username = f"demo.mhp.{pcn.code.lower()}"
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    team = Team.objects.filter(kind=TeamKind.PCN_MENTAL_HEALTH, pcn=pcn).order_by("code").first()
    if team is None:
        return None
    first, last = mhp_name(index)
    with DemoClock.of(ctx).at(_today(ctx) - dt.timedelta(days=MHP_IN_POST_DAYS)):
        return staff_create(
            username=username,
            first_name=first,
            last_name=last,
            job_title="Mental health practitioner",
            memberships=[(team, Role.MHP)],
        )


def _people_in(pcn, by_pcn, wanted):
    chosen = list(by_pcn.get(pcn.pk, []))[:wanted]
    if len(chosen) < wanted:  # top up from the PCN's registered people, in a fixed order
        have = {p.pk for p in chosen}
        extra = (
            Person.objects.filter(practice__pcn=pcn)
            .exclude(pk__in=have)
            .select_related("practice__pcn")
            .order_by("pk")[: wanted - len(chosen)]
        )
        chosen.extend(extra)
    return chosen


def _care(ctx, person, mhp, *, gp, trainee, number, today):
    rng, clock = ctx.rng, DemoClock.of(ctx)
    request = None
    opened = today - dt.timedelta(days=rng.randint(21, 120))
    last = None  # the moment of this person's latest event, so that the next one comes after it
    if gp is not None and number % 3 == 0 and person.practice_id in gp_practices(gp):
        asked_on = clock.day_between(opened - dt.timedelta(days=10), opened - dt.timedelta(days=1))
        with clock.at(asked_on) as last:
            question = about(person, QUESTIONS[number % len(QUESTIONS)])
            request = services.request_create(by=gp, person=person, question=question)
    with clock.at(opened, after=last) as last:
        episode = services.episode_open(
            by=mhp,
            person=person,
            mhp=mhp,
            request=request,
            reason="" if request else "Referred by the GP",
            opened_on=opened,
        )
    if number % 5 == 4:
        return episode  # newly added, not assessed yet
    domains = rng.sample(sorted(NEEDS), k=rng.randint(1, 3))
    if "mental_health" not in domains:
        domains.insert(0, "mental_health")
    assessed_on = opened + dt.timedelta(days=rng.randint(0, 7))
    with clock.at(assessed_on, after=last) as last:
        services.assessment_record(
            by=mhp,
            episode=episode,
            assessed_on=assessed_on,
            needs={d: rng.choice(NEEDS[d]) for d in domains},
            risk_summary=rng.choice(RISKS),
            what_matters=about(person, rng.choice(MATTERS)),
            baseline=rng.choice(["dialog", "gbo", "later", "not_appropriate"]),
        )
    count = rng.randint(0, rules.session_limit())
    span = max((today - opened).days - 7, 1)
    days = sorted(rng.sample(range(span), k=min(count, span)))
    for i, offset in enumerate(days):
        kind, what, outcome = rng.choice(DONE)
        by_trainee = trainee is not None and i % 2 == 1
        held_on = opened + dt.timedelta(days=7 + offset)
        with clock.at(held_on, after=last) as last:
            services.session_record(
                by=trainee if by_trainee else mhp,
                episode=episode,
                session_type=kind,
                held_on=held_on,
                what_was_done=what,
                outcome=outcome,
                supervisor=mhp if by_trainee else None,
            )
    if number % 2 == 1:
        kind, service_name, why = REFERRALS[number // 2 % len(REFERRALS)]
        referred_on = clock.day_between(last.date(), today)  # after the latest session
        with clock.at(referred_on, after=last) as last:
            services.onward_referral_record(
                by=mhp, episode=episode, kind=kind, service_name=service_name, reason=why, referred_on=referred_on
            )
    if number % 7 == 6:
        episode = Episode.objects.get(pk=episode.pk)
        discharged_on = clock.day_between(last.date(), today)
        with clock.at(discharged_on, after=last):
            services.episode_discharge(
                by=mhp,
                episode=episode,
                expected_version=episode.version,
                discharged_on=discharged_on,
                reason="goals_met",
                summary="Mood and sleep improved over the sessions; using the skills learned. Safety plan in place.",
                gp_follow_up="Review medication at the next routine appointment",
            )
    return episode


def gp_practices(gp) -> set[int]:
    return {m.team.practice_id for m in gp.active_memberships if m.team.practice_id}


def seed(ctx) -> None:
    today = _today(ctx)
    home_mhp = ctx.personas.get(Role.MHP) or ctx.personas.get("mhp")
    trainee = ctx.personas.get(Role.TRAINEE_PSYCHOLOGIST) or ctx.personas.get("trainee_psychologist")
    gp = ctx.personas.get(Role.GP_PRACTICE_STAFF) or ctx.personas.get("gp_practice_staff")
    by_pcn: dict[int, list[Person]] = {}
    for person in ctx.people:
        if person.practice_id and person.practice.pcn_id:
            by_pcn.setdefault(person.practice.pcn_id, []).append(person)
    pcns = list(Pcn.objects.order_by("code"))
    for index, pcn in enumerate(pcns):
        ctx.progress("primary care caseloads", index, len(pcns))
        is_home = home_mhp is not None and services.is_mhp_in(home_mhp, pcn)
        advice_count = HOME_ADVICE if is_home else ADVICE_PER_PCN
        wanted = (HOME_PCN_CASELOAD if is_home else PER_PCN) + advice_count
        people = _people_in(pcn, by_pcn, wanted)
        if not people:
            continue
        mhp = _mhp_for(ctx, pcn, home_mhp, index)
        if mhp is None:
            continue
        split = max(len(people) - advice_count, 1)  # with few people, the caseload comes first
        on_caseload, advised = people[:split], people[split:]
        for number, person in enumerate(on_caseload):
            if Episode.objects.filter(person=person, status=Episode.Status.OPEN).exists():
                continue
            _care(
                ctx,
                person,
                mhp,
                gp=gp if is_home else None,
                trainee=trainee if is_home else None,
                number=number,
                today=today,
            )
        for number, person in enumerate(advised):
            given_on = today - dt.timedelta(days=ctx.rng.randint(0, 60))
            with DemoClock.of(ctx).at(given_on):
                services.advice_record(
                    by=mhp,
                    person=person,
                    asked_by_name=f"{gp_name(person.practice)}, GP, {person.practice.name}",
                    question=about(person, QUESTIONS[(index + number) % len(QUESTIONS)]),
                    advice=about(person, ADVICE[(index + number) % len(ADVICE)]),
                    follow_up="MHP to ring the practice in two weeks" if number % 2 == 0 else "",
                    follow_up_by=today + dt.timedelta(days=14) if number % 2 == 0 else None,
                    given_on=given_on,
                )
        if is_home and gp is not None and advised:
            # One GP question still waiting for an answer, so the MHP's task list has something in it.
            waiting = next((p for p in on_caseload if p.practice_id in gp_practices(gp)), None)
            if waiting is None:
                waiting = next((p for p in advised if p.practice_id in gp_practices(gp)), None)
            if waiting is not None:  # asked now: it is waiting for the MHP today
                services.request_create(by=gp, person=waiting, question=about(waiting, QUESTIONS[3]))
    ctx.progress("primary care caseloads", len(pcns), len(pcns))
