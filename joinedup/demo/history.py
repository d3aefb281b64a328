"""Two years of background activity across the region, so the commissioner's reports and their SPC charts have
a history with signals in it: EMDT requests, decisions and discussions, key workers, care plans agreed and
reviewed, DIALOG ratings, primary care MHP episodes and sessions, and peer support (SMI health checks have their
own history in reporting/demo_data.py). Also places each demo postcode in an LSOA, so the reports' deprivation
split has something to split.

Who: the demo's people outside the lived-in corner the personas work in (`ctx.people`, the home PCN), so the
personas' own lists and stories are untouched. What they are given is closed or finished history (requests
declined or discussed and closed, episodes discharged, peer support ended) plus, for the people an EMDT took
on, a named key worker, plans and a level of care that stay. Key workers here are named members of the trust's
community team without an account of their own: they appear on care teams and in the reports, in no one's lists.

Rows are written in bulk (`bulk_create`), not through each app's services: at about 8,000 rows that keeps
`make demo` fast, and every row is one the services could have written (the same states, transitions and
constraints; a request's transitions are its only decisions). No timeline entries or audit events are made for
this background history. Deterministic for a seed.

The signals (months counted back from this one, `MONTHS` of them):
- EMDT requests rise slowly; the days from request to triage fall by half in the last eight months (a
  triage rota started), which the median-days chart shows as special cause improvement;
- plans agreed in the person's own words step up in the last nine months;
- primary care MHP sessions step up in the last six months (a second practitioner in post);
- peer support referrals rise through the second year.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

MONTHS = 24
HOUR = dt.timedelta(hours=1)
KEY_WORKER_NAMES = (
    "Aisha Bello",
    "Tom Whitfield",
    "Grace Okafor",
    "Liam Hargreaves",
    "Nadia Hussain",
    "Owen Pritchard",
    "Ruth Lancaster",
    "Samir Qureshi",
    "Hannah Lowe",
    "Callum Reid",
    "Meera Patel",
    "Joe Atherton",
)
NEEDS = (
    "Mental health, money and housing needs at once; no single service holds them all.",
    "Low mood with debts and a tenancy at risk; several services involved, none leading.",
    "Psychosis, physical health concerns and isolation; care is spread across teams.",
    "Anxiety, substance use and problems at work; needs a joined-up plan.",
)
DECLINE_STEPS = (
    "Talking therapies: self-referral details given",
    "Primary care MHP at the practice",
    "Citizens Advice for the debts, then ask again if needed",
    "Community mental health team: routine referral",
)


def _month(today: dt.date, back: int) -> dt.date:
    total = today.year * 12 + today.month - 1 - back
    return dt.date(total // 12, total % 12 + 1, 1)


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _persona(ctx, role):
    return ctx.personas.get(role) or ctx.personas.get(str(role))


def seed(ctx) -> list[str]:
    """Make the history; returns what was made, as words."""
    from joinedup.people.models import Person

    rng = random.Random(f"joinedup-demo-history:{ctx.rng.random()}")
    made = []
    placed = place_postcodes()
    if placed:
        made.append(f"{placed} postcodes placed in LSOAs")
    home = {p.pk for p in ctx.people}
    people = list(
        Person.objects.exclude(pk__in=home)
        .filter(practice__isnull=False)
        .select_related("practice__locality", "practice__pcn")
        .order_by("pk")
    )
    if not people:
        return made
    today = min(ctx.today, timezone.localdate())
    made.append(_emdt_and_key_working(ctx, rng, today, people))
    made.append(_primary_care(ctx, rng, today, people))
    made.append(_peer_support(ctx, rng, today, people))
    return [m for m in made if m]


# Postcodes ---------------------------------------------------------------------------------------------------


def place_postcodes() -> int:
    """Give each demo postcode an LSOA inside the districts of its person's practice's locality (the region
    pack's locality_lads.csv): the demo's stand-in for the ONS postcode directory, which the pack lacks."""
    from joinedup.people.models import Person
    from joinedup.reporting.deprivation import locality_lads
    from joinedup.reporting.models import Lsoa, PostcodeLsoa

    lads = locality_lads(settings.REGION_PACK)
    by_lad = defaultdict(list)
    for pk, lad in Lsoa.objects.order_by("code").values_list("pk", "lad_code"):
        by_lad[lad].append(pk)
    if not by_lad:
        return 0
    known = set(PostcodeLsoa.objects.values_list("postcode", flat=True))
    rows = {}
    for postcode, locality in Person.objects.exclude(postcode="").values_list("postcode", "practice__locality__code"):
        if postcode in known or postcode in rows:
            continue
        choices = [pk for lad in lads.get(locality, ()) for pk in by_lad.get(lad, ())]
        if choices:
            rows[postcode] = PostcodeLsoa(
                postcode=postcode, lsoa_id=choices[zlib.crc32(postcode.encode()) % len(choices)]
            )
    PostcodeLsoa.objects.bulk_create(rows.values(), batch_size=2000, ignore_conflicts=True)
    return len(rows)


# EMDT, key working, plans and DIALOG -------------------------------------------------------------------------


def _emdt_and_key_working(ctx, rng, today, people) -> str:
    from joinedup.accounts.roles import Role
    from joinedup.care.models import CarePlanVersion, CareTeamMember, DialogAssessment, DialogRating, LevelOfCareChange
    from joinedup.demo.places import nhs_trust
    from joinedup.directory.models import Team, TeamKind
    from joinedup.meetings.models import AgendaItem, CaseDiscussion, ItemKind, ItemState, Meeting, TookPart
    from joinedup.referrals.models import EmdtRequest, EmdtRequestTransition, RequestState

    coordinator = _persona(ctx, Role.EMDT_COORDINATOR)
    clinician = _persona(ctx, Role.COMMUNITY_CLINICIAN) or coordinator
    trust = nhs_trust()
    if coordinator is None or trust is None:
        return ""
    referrers = [
        u
        for u in (
            _persona(ctx, Role.GP_PRACTICE_STAFF),
            _persona(ctx, Role.MHP),
            _persona(ctx, Role.COMMUNITY_CLINICIAN),
            _persona(ctx, Role.PARTNER_PROFESSIONAL),
            _persona(ctx, Role.KEY_WORKER),
        )
        if u is not None
    ]
    weights = [5, 3, 3, 2, 1][: len(referrers)]
    emdts = {t.locality_id: t for t in Team.objects.filter(kind=TeamKind.EMDT)}
    meetings = {}
    for m in Meeting.objects.filter(starts_at__lt=timezone.now(), cancelled_at__isnull=True).order_by("starts_at"):
        meetings.setdefault((m.team_id, m.starts_at.date().isocalendar()[:2]), m)
    busy = set(
        CareTeamMember.objects.filter(is_key_worker=True, ended__isnull=True).values_list("person_id", flat=True)
    )
    busy |= set(EmdtRequest.objects.values_list("person_id", flat=True))
    candidates = [p for p in people if p.pk not in busy and p.practice.locality_id in emdts]
    rng.shuffle(candidates)
    asked = []  # (person, day declined or closed) for asking again
    requests, transitions, plans, dialogs, ratings = [], [], [], [], []
    discussions, key_workers, levels = [], [], []
    for back in range(MONTHS, -1, -1):
        month = _month(today, back)
        i = MONTHS - back
        for _ in range(16 + i // 2 + rng.randint(-2, 2)):
            if asked and rng.random() < 0.07:
                person, after = asked.pop(rng.randrange(len(asked)))
                day = after + dt.timedelta(days=rng.randint(10, 80))
            elif candidates:
                person, day = candidates.pop(), month + dt.timedelta(days=rng.randrange(28))
            else:
                break
            fast = back < 8
            triaged = day + dt.timedelta(days=rng.randint(2, 6) if fast else rng.randint(6, 16))
            meeting_day = triaged + dt.timedelta(days=rng.randint(5, 20))
            closed_day = meeting_day + dt.timedelta(days=rng.randint(1, 5))
            if closed_day >= today:
                continue
            team = emdts[person.practice.locality_id]
            declined = rng.random() < 0.2
            referrer = rng.choices(referrers, weights)[0]
            at = _aware(day, 9 + rng.randrange(8))
            request = EmdtRequest(
                person=person,
                referrer=referrer,
                referrer_organisation=referrer.primary_organisation,
                team=team,
                complex_needs=rng.choice(NEEDS),
                care_plan_gap="No one plan covers the needs yet.",
                consent_to_discuss=True,
                wants_to_attend=rng.choice(["yes", "no", "not_sure"]),
                urgency="urgent" if rng.random() < 0.2 else "routine",
                state=RequestState.DECLINED if declined else RequestState.CLOSED,
                submitted_at=at,
                state_changed_at=_aware(triaged if declined else closed_day, 14),
                recommendation=rng.choice(DECLINE_STEPS) if declined and rng.random() < 0.85 else "",
            )
            requests.append(request)
            steps = [(RequestState.SUBMITTED, RequestState.DECLINED if declined else RequestState.ACCEPTED, triaged)]
            if declined:
                asked.append((person, triaged))
            else:
                steps += [
                    (RequestState.ACCEPTED, RequestState.DISCUSSED, meeting_day),
                    (RequestState.DISCUSSED, RequestState.CLOSED, closed_day),
                ]
            transitions.append((request, steps))
            if declined:
                continue
            key = (team.pk, meeting_day.isocalendar()[:2])
            if key not in meetings:
                meetings[key] = Meeting(
                    team=team,
                    starts_at=_aware(meeting_day, 10),
                    place=f"{team.name}, by video",
                    capacity=8,
                    created_by=coordinator,
                    created_at=_aware(meeting_day - dt.timedelta(days=28), 11),
                )
            level = rng.choices(["emdt", "cmht", "primary_care", ""], [5, 2, 2, 1])[0]
            discussions.append((request, key, meeting_day, level))
            if person.pk in busy:  # asked about again: already has a key worker and a plan
                continue
            busy.add(person.pk)
            worker = KEY_WORKER_NAMES[(team.pk * 3 + rng.randrange(3)) % len(KEY_WORKER_NAMES)]
            key_workers.append(
                CareTeamMember(
                    person=person,
                    name=worker,
                    organisation=trust,
                    role_title="Key worker, community mental health team",
                    is_key_worker=True,
                    started=meeting_day,
                )
            )
            levels.append(
                LevelOfCareChange(
                    person=person,
                    level="emdt",
                    reason="Accepted by the EMDT",
                    decided_by=coordinator,
                    at=_aware(triaged, 15),
                )
            )
            if level and level != "emdt":
                levels.append(
                    LevelOfCareChange(
                        person=person,
                        level=level,
                        previous_level="emdt",
                        reason="Decided at the EMDT discussion",
                        decided_by=coordinator,
                        at=_aware(meeting_day, 11),
                    )
                )
            plans += _plans(rng, person, meeting_day, today, clinician)
            dialogs += _dialog(rng, person, meeting_day, today, ratings)
    EmdtRequest.objects.bulk_create(requests, batch_size=500)
    EmdtRequestTransition.objects.bulk_create(
        [
            EmdtRequestTransition(
                request=request, from_state=a, to_state=b, at=_aware(day, 14), by=coordinator, note=""
            )
            for request, steps in transitions
            for a, b, day in steps
        ],
        batch_size=1000,
    )
    new_meetings = [m for m in meetings.values() if m.pk is None]
    Meeting.objects.bulk_create(new_meetings, batch_size=500)
    items = []
    for request, key, day, _level in discussions:
        items.append(
            AgendaItem(
                meeting=meetings[key],
                person=request.person,
                request=request,
                kind=ItemKind.NEW,
                state=ItemState.DISCUSSED,
                added_by=coordinator,
                added_at=request.state_changed_at - dt.timedelta(days=(day - request.submitted_at.date()).days),
            )
        )
    AgendaItem.objects.bulk_create(items, batch_size=1000)
    CaseDiscussion.objects.bulk_create(
        [
            CaseDiscussion(
                item=item,
                person=item.person,
                took_part=rng.choice([TookPart.LED, TookPart.TOOK_PART, TookPart.WORDS_SHARED]),
                discussion="Discussed with the services involved; a joined-up plan agreed.",
                level_of_care=level,
                summary_for_person="The team met to talk about the help you need and agreed what happens next.",
                summary_for_gp="Discussed at the EMDT; key worker named; plan to follow.",
                recorded_by=coordinator,
                recorded_at=_aware(day, 12),
            )
            for item, (_, _, day, level) in zip(items, discussions, strict=True)
        ],
        batch_size=1000,
    )
    CareTeamMember.objects.bulk_create(key_workers, batch_size=1000)
    LevelOfCareChange.objects.bulk_create(levels, batch_size=1000)
    CarePlanVersion.objects.bulk_create(plans, batch_size=1000)
    DialogAssessment.objects.bulk_create(dialogs, batch_size=1000)
    DialogRating.objects.bulk_create(
        [DialogRating(assessment=a, item=item, score=score, more_help=score <= 3) for a, item, score in ratings],
        batch_size=2000,
    )
    return (
        f"{len(requests)} EMDT requests ({len(discussions)} discussed), {len(key_workers)} key workers, "
        f"{len(plans)} plans agreed, {len(dialogs)} DIALOG ratings"
    )


def _plans(rng, person, discussed, today, by) -> list:
    """The first plan a few weeks after the discussion, then reviews (a new agreed version) about every six
    months; one in four reviews is late, so some are overdue at any time."""
    from joinedup.care.models import CarePlanVersion, Participation, PlanStatus

    out, agreed, number = [], discussed + dt.timedelta(days=rng.randint(14, 35)), 1
    while agreed < today:
        recent = (today - agreed).days < 270
        at = _aware(agreed, 13)
        out.append(
            CarePlanVersion(
                person=person,
                number=number,
                status=PlanStatus.AGREED,
                what_matters="Feeling safe at home and getting back to the things that help.",
                review_date=agreed + dt.timedelta(days=182),
                created_by=by,
                created_at=at - dt.timedelta(days=7),
                updated_by=by,
                updated_at=at,
                agreed_on=agreed,
                agreed_at=at,
                agreed_by=by,
                participation=rng.choice([Participation.IN_PERSON, Participation.PHONE, Participation.VIDEO]),
                own_words=rng.random() < (0.75 if recent else 0.45),
            )
        )
        number += 1
        agreed += dt.timedelta(days=182 + (rng.randint(30, 120) if rng.random() < 0.25 else rng.randint(-14, 14)))
    return out


def _dialog(rng, person, discussed, today, ratings) -> list:
    """DIALOG at the start and about every three months, the ratings rising slowly with noise."""
    from joinedup.care.models import DialogAssessment

    out, day, step = [], discussed + dt.timedelta(days=rng.randint(7, 30)), 0
    base = [rng.randint(2, 4) for _ in range(11)]
    while day < today and step < 8:
        assessment = DialogAssessment(person=person, taken_on=day, recorded_at=_aware(day, 15))
        out.append(assessment)
        for item in range(1, 12):
            ratings.append((assessment, item, max(1, min(7, base[item - 1] + step // 2 + rng.randint(-1, 1)))))
        day += dt.timedelta(days=rng.randint(80, 110))
        step += 1
    return out


# Primary care MHPs -------------------------------------------------------------------------------------------


def _primary_care(ctx, rng, today, people) -> str:
    from joinedup.accounts.models import Membership
    from joinedup.accounts.roles import Role
    from joinedup.primarycare.models import Episode, Session
    from joinedup.primarycare.rules import choices

    outsider = ctx.personas.get("outsider")  # works elsewhere on purpose: sees none of the demo's people
    mhps = {}
    for pcn_id, user in (
        Membership.objects.filter(role=Role.MHP, team__pcn__isnull=False, ended__isnull=True)
        .select_related("user")
        .order_by("pk")
        .values_list("team__pcn_id", "user")
    ):
        if outsider is None or user != outsider.pk:
            mhps.setdefault(pcn_id, user)
    if not mhps:
        return ""
    from joinedup.accounts.models import User

    users = User.objects.in_bulk(set(mhps.values()))
    open_now = set(Episode.objects.filter(status=Episode.Status.OPEN).values_list("person_id", flat=True))
    pool = [p for p in people if p.practice.pcn_id in mhps and p.pk not in open_now]
    if not pool:
        return ""
    session_type = [c for c, _ in choices("session_types")]
    reasons = [c for c, _ in choices("discharge_reasons")]
    episodes, sessions = [], []
    busy_until = {}
    for back in range(MONTHS, -1, -1):
        month = _month(today, back)
        for _ in range(8 + (5 if back < 6 else 0) + rng.randint(-2, 2)):
            person = rng.choice(pool)
            opened = month + dt.timedelta(days=rng.randrange(28))
            if busy_until.get(person.pk, dt.date.min) >= opened:
                continue
            days, count = [], rng.randint(2, 6)
            day = opened + dt.timedelta(days=rng.randint(3, 21))
            for _ in range(count):
                days.append(day)
                day += dt.timedelta(days=rng.randint(7, 14))
            discharged = days[-1] + dt.timedelta(days=rng.randint(1, 10))
            if discharged >= today:
                continue
            busy_until[person.pk] = discharged
            mhp = users[mhps[person.practice.pcn_id]]
            episode = Episode(
                person=person,
                pcn_id=person.practice.pcn_id,
                mhp=mhp,
                opened_by=mhp,
                source=Episode.Source.GP_REQUEST if rng.random() < 0.7 else Episode.Source.MHP,
                reason="Low mood and anxiety",
                opened_on=opened,
                status=Episode.Status.DISCHARGED,
                discharged_on=discharged,
                discharged_by=mhp,
                discharge_reason=rng.choice(reasons) if reasons else "",
                discharge_summary="Sessions finished; the person knows how to ask again.",
            )
            episodes.append(episode)
            for n, held in enumerate(days, start=1):
                sessions.append(
                    Session(
                        episode=episode,
                        person=person,
                        number=n,
                        session_type=rng.choice(session_type),
                        held_on=held,
                        what_was_done="Guided self-help and a plan for bad days.",
                        delivered_by=mhp,
                        recorded_at=_aware(held, 16),
                    )
                )
    Episode.objects.bulk_create(episodes, batch_size=1000)
    Session.objects.bulk_create(sessions, batch_size=2000)
    return f"{len(episodes)} MHP episodes, {len(sessions)} sessions"


# Peer support ------------------------------------------------------------------------------------------------


def _peer_support(ctx, rng, today, people) -> str:
    from joinedup.peersupport import reference
    from joinedup.peersupport.models import (
        Allocation,
        Contact,
        ContactMethod,
        OutcomeRating,
        PeerReferral,
        PeerWorker,
        ReferralSource,
        ReferralStatus,
    )

    workers = defaultdict(list)
    for worker in PeerWorker.objects.filter(active=True).prefetch_related("localities").order_by("pk"):
        for locality in worker.localities.all():
            workers[locality.pk].append(worker)
    busy = set(PeerReferral.objects.values_list("person_id", flat=True))
    pool = [p for p in people if p.practice.locality_id in workers and p.pk not in busy]
    if not pool:
        return ""
    rng.shuffle(pool)
    outcomes = [o.code for o in reference.outcomes()]
    low, high = reference.scale_bounds()
    referrals, allocations, contacts, ratings = [], [], [], []
    for back in range(MONTHS, -1, -1):
        month = _month(today, back)
        for _ in range(10 + max(0, 12 - back) + rng.randint(-1, 2)):
            if not pool:
                break
            person = pool.pop()
            referred = month + dt.timedelta(days=rng.randrange(28))
            started = referred + dt.timedelta(days=rng.randint(5, 30))
            meets = [started + dt.timedelta(days=7 * k + rng.randint(0, 3)) for k in range(rng.randint(3, 9))]
            ended = meets[-1] + dt.timedelta(days=rng.randint(1, 7))
            if ended >= today:
                continue
            worker = rng.choice(workers[person.practice.locality_id])
            referral = PeerReferral(
                person=person,
                source=rng.choice([s for s, _ in ReferralSource.choices]),
                reason="Wants to get out more and meet people who have been there.",
                locality_id=person.practice.locality_id,
                status=ReferralStatus.CLOSED,
                referred_by=worker.user,
                referred_at=_aware(referred, 11),
                closed_at=_aware(ended, 16),
            )
            referrals.append(referral)
            allocation = Allocation(
                referral=referral,
                person=person,
                worker=worker,
                started=started,
                ended=ended,
                end_reason="Goals met",
                allocated_by=worker.user,
                allocated_at=_aware(started, 10),
            )
            allocations.append(allocation)
            for day in meets:
                contacts.append(
                    Contact(
                        allocation=allocation,
                        person=person,
                        on=day,
                        duration_minutes=rng.choice([30, 45, 60, 90]),
                        method=rng.choice([m for m, _ in ContactMethod.choices]),
                        what_was_done="Met at the community hub and planned the week.",
                        recorded_by=worker.user,
                        recorded_at=_aware(day, 17),
                    )
                )
            for outcome in outcomes:
                first = rng.randint(low, max(low, high - 2))
                for stage, day, score in (("start", meets[0], first), ("end", meets[-1], first + rng.randint(0, 2))):
                    ratings.append(
                        OutcomeRating(
                            allocation=allocation,
                            person=person,
                            stage=stage,
                            outcome=outcome,
                            score=min(score, high),
                            rated_on=day,
                            rated_by=worker.user,
                            recorded_at=_aware(day, 17),
                        )
                    )
    PeerReferral.objects.bulk_create(referrals, batch_size=1000)
    Allocation.objects.bulk_create(allocations, batch_size=1000)
    Contact.objects.bulk_create(contacts, batch_size=2000)
    OutcomeRating.objects.bulk_create(ratings, batch_size=2000)
    return f"{len(referrals)} peer support referrals, {len(contacts)} contacts"
