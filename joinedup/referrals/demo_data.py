"""Demo EMDT requests still in triage: waiting (urgent and routine), waiting for the referrer, declined.

The meetings app's seed (joinedup/meetings/demo_data.py) makes the accepted, discussed and closed ones, on
the other people. Everything goes through the services, each call replayed at its own moment in the past
(joinedup/demo/clock.py) so its audit event and timeline entry say when it happened.
"""

import datetime as dt

from django.utils import timezone

from joinedup.accounts.roles import Perm, Role
from joinedup.core.access import may
from joinedup.core.dates import age_on
from joinedup.demo.clock import DemoClock
from joinedup.demo.wording import about

from .services import emdt_request_ask, emdt_request_decline, emdt_request_submit

NEEDS = (
    (
        ["debt-advice", "housing-support"],
        "Rent arrears and a notice to quit; low mood and not sleeping. Needs debt advice, housing support and the "
        "community mental health team together.",
        "The plan covers medication reviews only. It does not cover the money and housing worries that keep "
        "{them} awake.",
    ),
    (
        ["substance-misuse-services", "employment-support"],
        "Drinking more since losing work; anxiety in crowds. Wants to get back to work.",
        "{Their} plan was written before losing {their} job and does not mention alcohol or work.",
    ),
    (
        ["physical-health-rehabilitation", "nhs-talking-therapies"],
        "Chronic pain after an accident, panic attacks and isolation since.",
        "The plan treats the pain and the panic separately; nobody is joining them up.",
    ),
    (
        ["eating-disorder-services", "nhs-talking-therapies"],
        "Restricting food again under stress at university; family worried.",
        "The current plan is for mild anxiety and does not reflect the eating difficulties.",
    ),
    (
        ["older-peoples-mental-health", "housing-support"],
        "Caring for a partner with dementia, low mood, the house no longer suits them.",
        "The plan does not include the caring role or the housing need.",
    ),
)
QUESTIONS = (
    "Were NHS Talking Therapies offered before, and did {they} take it up?",
    "Is there a current risk assessment we can see before the meeting?",
    "Is the person happy for {their} GP to share the recent blood results with the team?",
)
DECLINES = (
    (
        "Needs can be met by one service: the main need is debt advice.",
        "Referral to Citizens Advice Blackpool for debt advice, and peer support through The Calico Group.",
    ),
    (
        "Already open to the community mental health team, which is reviewing the plan next week.",
        "The key worker to bring the housing and money needs to the team's plan review; ask again after it if needed.",
    ),
)


def eligible_people(ctx):
    """Adults the demo MHP may request for, in a stable order."""
    mhp = ctx.personas.get(Role.MHP) or ctx.personas.get(str(Role.MHP))
    if mhp is None:
        return mhp, []
    return mhp, [
        p
        for p in ctx.people
        if p.consent_nhs and age_on(p.date_of_birth, ctx.today) >= 18 and may(mhp, Perm.REQUEST_EMDT, p)
    ]


def demo_request(ctx, *, by, person, at, urgency=None):
    services, needs, gap = NEEDS[ctx.rng.randrange(len(NEEDS))]
    return emdt_request_submit(
        by=by,
        person=person,
        meets_complex_needs=True,
        complex_needs=needs,
        services=services,
        meets_care_plan_gap=True,
        care_plan_gap=about(person, gap),
        consent_to_discuss=True,
        wants_to_attend=ctx.rng.choice(["yes", "yes", "no", "not_sure"]),
        urgency=urgency or ("urgent" if ctx.rng.random() < 0.25 else "routine"),
        risks=ctx.rng.choice(["", "", "Self-neglect when low; no current thoughts of suicide."]),
        at=at,
    )


def _at(ctx, days_ago: int):
    moment = dt.datetime.combine(ctx.today - dt.timedelta(days=days_ago), dt.time(9 + ctx.rng.randrange(8), 0))
    return timezone.make_aware(moment)


def seed(ctx) -> None:
    mhp, people = eligible_people(ctx)
    coordinator = ctx.personas.get(Role.EMDT_COORDINATOR) or ctx.personas.get(str(Role.EMDT_COORDINATOR))
    if mhp is None or coordinator is None:
        return
    clock = DemoClock.of(ctx)
    mine = people[0::3]
    for n, person in enumerate(mine):
        ctx.progress("EMDT requests", n, len(mine))
        kind = n % 4
        with clock.at(_at(ctx, 2 + ctx.rng.randrange(20))) as made:
            request = demo_request(ctx, by=mhp, person=person, at=made, urgency="urgent" if n % 5 == 1 else None)
        if kind == 2:
            with clock.at(made + dt.timedelta(days=1)) as asked:
                question = about(person, QUESTIONS[n % len(QUESTIONS)])
                emdt_request_ask(by=coordinator, request=request, question=question, at=asked)
        elif kind == 3:
            reason, recommendation = DECLINES[n % len(DECLINES)]
            # Decided a day or three later; never after now (the clock brings a later moment back to now).
            with clock.at(made + dt.timedelta(days=1 + ctx.rng.randrange(3)), after=made) as decided:
                emdt_request_decline(
                    by=coordinator, request=request, reason=reason, recommendation=recommendation, at=decided
                )
    ctx.progress("EMDT requests", len(mine), len(mine))
