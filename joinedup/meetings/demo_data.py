"""Demo EMDT meetings: weekly meetings past and future for every EMDT (a coordinator each), and, in
Blackpool, people accepted onto coming meetings, discussed at past ones (actions owned by the personas, some
now overdue, reviews booked or due) and closed. Everything through the services, each call replayed at its own
moment (joinedup/demo/clock.py): requests before triage, triage before the meeting, the outcome recorded at the
meeting, actions done after it, so audit events, timeline entries and recorded times say when it happened.
"""

import contextlib
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedup.accounts.models import User
from joinedup.accounts.roles import Role
from joinedup.accounts.services import staff_create
from joinedup.care.queries import key_worker_for
from joinedup.demo import places
from joinedup.demo.clock import DemoClock
from joinedup.directory.models import Team, TeamKind
from joinedup.people.services import NotAllowed
from joinedup.referrals.demo_data import demo_request, eligible_people
from joinedup.referrals.models import RequestState
from joinedup.referrals.services import emdt_request_accept, emdt_request_close

from .models import AttendanceStatus, AttendeeKind
from .services import action_complete, attendance_record, discussion_record, meeting_create, person_words_record

PAST_WEEKS = 6
FUTURE_WEEKS = 4
SET_UP_DAYS = 28  # a meeting is arranged this long before it
WORDS = (
    "I want someone to help me sort out the debts so I can sleep again.",
    "I would like to go back to work, part-time to start with.",
    "I don't want to keep telling my story to new people. I want one person I can call.",
    "I want to understand why I feel like this and what I can do on bad days.",
)
ACTIONS = (
    ("Book a debt advice appointment with the person", Role.PARTNER_PROFESSIONAL),
    ("Ring the housing officer about the rent arrears", Role.COMMUNITY_CLINICIAN),
    ("Introduce the person to the walking group", Role.PEER_SUPPORT_WORKER),
    ("Review medication with the GP", Role.MHP),
    ("Arrange a joint visit with the key worker", Role.KEY_WORKER),
)
DISCUSSION = "We talked through what matters most to them, the money and housing worries and who can help."
SUMMARY_FOR_PERSON = (
    "Thank you for talking with us. We agreed that a debt adviser will see you, and that your key worker will help "
    "with the letters from the council. We will talk again at your review."
)
SUMMARY_FOR_GP = (
    "Discussed at the EMDT. Multi-agency needs (debt, housing, mood). Actions agreed with the VCFSE partner and the "
    "community mental health team. No change to medication recommended."
)
# Who is invited to every meeting: (kind, the persona who does it in the demo's home locality, who does it elsewhere).
# Away from home the attendees are named by their job, with the locality's own organisations.
CORE = (
    (AttendeeKind.MHP, Role.MHP, "PCN mental health practitioner"),
    (AttendeeKind.COMMUNITY_MENTAL_HEALTH, Role.COMMUNITY_CLINICIAN, "Community mental health nurse"),
    (AttendeeKind.VCFSE, Role.PARTNER_PROFESSIONAL, "Community wellbeing worker"),
    (AttendeeKind.PEER_SUPPORT, Role.PEER_SUPPORT_WORKER, "Peer support worker"),
    (AttendeeKind.LOCAL_AUTHORITY, None, "Adult social care officer"),
)


def _persona(ctx, role):
    return ctx.personas.get(role) or ctx.personas.get(str(role))


def _coordinator_for(ctx, team, demo_coordinator):
    if demo_coordinator is not None and any(m.team_id == team.pk for m in demo_coordinator.active_memberships):
        return demo_coordinator
    username = f"demo.emdt.{team.locality.code}" if team.locality_id else f"demo.emdt.{team.code}"
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    # In post before the first meeting of the series was arranged.
    with DemoClock.of(ctx).at(ctx.today - dt.timedelta(days=7 * PAST_WEEKS + SET_UP_DAYS + 7)):
        return staff_create(
            username=username,
            first_name="EMDT",
            last_name=f"Coordinator {team.locality.name if team.locality_id else team.name}"[:40],
            memberships=[(team, Role.EMDT_COORDINATOR)],
        )


def _weekly(ctx, coordinator, team, *, hour):
    clock = DemoClock.of(ctx)
    meetings = []
    for week in range(-PAST_WEEKS, FUTURE_WEEKS + 1):
        day = ctx.today + dt.timedelta(days=7 * week + 1)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
        with clock.at(day - dt.timedelta(days=SET_UP_DAYS)):  # arranged weeks ahead (or today, for the last ones)
            meetings.append(
                meeting_create(
                    by=coordinator,
                    team=team,
                    starts_at=starts,
                    capacity=8,
                    place=f"{team.locality.name if team.locality_id else team.name} community hub",
                    video_link="https://meet.example.nhs.uk/emdt-" + team.code if week % 2 else "",
                )
            )
    return meetings


def _invited(ctx, team, *, home):
    """(kind, name, organisation) for each core attendee of the team's meetings: in the home locality the
    personas, with their own organisations; elsewhere that locality's services."""
    organisations = {
        AttendeeKind.MHP: places.nhs_trust(),
        AttendeeKind.COMMUNITY_MENTAL_HEALTH: places.nhs_trust(),
        AttendeeKind.VCFSE: places.vcfse_partner_organisation(team.locality) if team.locality_id else None,
        AttendeeKind.PEER_SUPPORT: places.peer_support_organisation(team.locality) if team.locality_id else None,
        AttendeeKind.LOCAL_AUTHORITY: places.social_care_organisation(team.locality) if team.locality_id else None,
    }
    invited = []
    for kind, role, job in CORE:
        persona = _persona(ctx, role) if home and role else None
        if persona is not None and persona.primary_organisation is not None:
            invited.append((kind, persona.get_full_name(), persona.primary_organisation))
        elif organisations[kind] is not None:
            invited.append((kind, job, organisations[kind]))
    return invited


def _attendance(ctx, coordinator, meeting, invited, *, past):
    with DemoClock.of(ctx).at(meeting.starts_at, after=meeting.starts_at):  # taken as the meeting starts
        for kind, name, organisation in invited:
            status = AttendanceStatus.INVITED
            if past:
                status = AttendanceStatus.APOLOGIES if ctx.rng.random() < 0.15 else AttendanceStatus.ATTENDED
            attendance_record(
                by=coordinator, meeting=meeting, name=name, organisation=organisation, kind=kind, status=status
            )


def seed(ctx) -> None:
    demo_coordinator = _persona(ctx, Role.EMDT_COORDINATOR)
    teams = list(Team.objects.filter(kind=TeamKind.EMDT).select_related("locality").order_by("code"))
    home_team = None
    by_team = {}
    for n, team in enumerate(teams):
        ctx.progress("EMDT meetings", n, len(teams))
        coordinator = _coordinator_for(ctx, team, demo_coordinator)
        meetings = _weekly(ctx, coordinator, team, hour=10 if n % 2 else 14)
        invited = _invited(ctx, team, home=coordinator == demo_coordinator)
        for m in meetings:
            if timezone.localtime(m.starts_at).date() < ctx.today:
                _attendance(ctx, coordinator, m, invited, past=True)
        by_team[team.pk] = (coordinator, meetings)
        if coordinator == demo_coordinator:
            home_team = team
    ctx.progress("EMDT meetings", len(teams), len(teams))
    if home_team is None:
        return
    _seed_home(ctx, home_team, *by_team[home_team.pk])


def _seed_home(ctx, team, coordinator, meetings):
    clock = DemoClock.of(ctx)
    mhp, people = eligible_people(ctx)
    clinician = _persona(ctx, Role.COMMUNITY_CLINICIAN)
    people = [p for i, p in enumerate(people) if i % 3 != 0 and p.practice.locality_id == team.locality_id]
    past = [m for m in meetings if timezone.localtime(m.starts_at).date() < ctx.today]
    future = [m for m in meetings if timezone.localtime(m.starts_at).date() >= ctx.today]
    for n, person in enumerate(people):
        ctx.progress("EMDT case discussions", n, len(people))
        if n % 3 == 0 and future:
            # Accepted onto a coming meeting; for some, their words are already recorded.
            meeting = future[(n // 3) % len(future)]
            with clock.at(ctx.today - dt.timedelta(days=5 + ctx.rng.randrange(10))) as made:
                request = demo_request(ctx, by=mhp, person=person, at=made)
            try:
                with clock.at(made + dt.timedelta(days=2)) as accepted:
                    emdt_request_accept(by=coordinator, request=request, meeting=meeting, at=accepted)
            except ValidationError:  # a full meeting: leave the request waiting for triage
                continue
            if n % 2 == 0 and clinician is not None:
                # The clinician may have no relationship with this person: then no words are recorded.
                with contextlib.suppress(NotAllowed):
                    item = meeting.items.get(person=person)
                    words = ctx.rng.choice(WORDS)
                    with clock.at(clock.day_between(accepted.date() + dt.timedelta(days=1), ctx.today), after=accepted):
                        person_words_record(by=clinician, item=item, words=words)
            continue
        if not past:
            continue
        meeting = past[n % len(past)]
        day = timezone.localtime(meeting.starts_at).date()
        made = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=7 + ctx.rng.randrange(14)), dt.time(11)))
        with clock.at(made):
            request = demo_request(ctx, by=mhp, person=person, at=made)
        try:
            with clock.at(made + dt.timedelta(days=2)) as accepted:
                emdt_request_accept(by=coordinator, request=request, meeting=meeting, at=accepted)
        except ValidationError:  # a full meeting
            continue
        item = meeting.items.get(person=person)
        actions = []
        for k in range(1 + ctx.rng.randrange(2)):
            description, role = ACTIONS[(n + k) % len(ACTIONS)]
            owner = _persona(ctx, role)
            if (
                owner is not None
                and owner.primary_organisation is not None
                and person.has_consent(owner.primary_membership.consent_kind)
            ):
                actions.append({"description": description, "owner": owner, "due": day + dt.timedelta(days=7 + 7 * k)})
        review = day + dt.timedelta(days=28 + 7 * ctx.rng.randrange(4))
        # Recorded at the meeting, where the service books the review on the first meeting on or after its date.
        # A date already past by now would land on a past meeting that never discussed it: such a review is
        # booked on the next meeting to come instead.
        review = max(review, ctx.today + dt.timedelta(days=1))
        took_part = ctx.rng.choice(["led", "took_part", "took_part", "words_shared", "did_not_attend"])
        closing = n % 5 == 4
        # A request closed because "the key worker takes it on" needs a key worker: one is named at the meeting.
        key_worker = clinician if closing and key_worker_for(person=person) is None else None
        with clock.at(meeting.starts_at, after=meeting.starts_at) as discussed:
            # Only the care team and those attending own actions: an owner who sent apologies does not get one,
            # and any other owner was at the meeting.
            recorded = dict(meeting.attendance.values_list("name", "status"))
            actions = [a for a in actions if recorded.get(a["owner"].get_full_name()) != AttendanceStatus.APOLOGIES]
            for owner in {a["owner"] for a in actions}:
                if recorded.get(owner.get_full_name()) != AttendanceStatus.ATTENDED:
                    attendance_record(
                        by=coordinator,
                        meeting=meeting,
                        name=owner.get_full_name(),
                        organisation=owner.primary_organisation,
                        kind=AttendeeKind.INVITED,
                        status=AttendanceStatus.ATTENDED,
                    )
            record = discussion_record(
                by=coordinator,
                item=item,
                took_part=took_part,
                discussion=DISCUSSION,
                plan_changes="Debt advice and housing support added to the plan.",
                summary_for_person=SUMMARY_FOR_PERSON,
                summary_for_gp=SUMMARY_FOR_GP,
                actions=actions,
                next_review=review if review > day else None,
                key_worker=key_worker,
                today=day,
            )
        # Most actions past their date were done, between the meeting and their due date; the rest show as
        # overdue in their owners' task lists.
        for action in record.actions.all():
            if action.due < ctx.today and ctx.rng.random() < 0.6:
                done_on = clock.day_between(day + dt.timedelta(days=1), action.due)
                with clock.at(done_on, after=discussed):
                    action_complete(by=action.owner, action=action, note="Done and recorded with the person")
        if closing:
            request.refresh_from_db()
            if request.state == RequestState.DISCUSSED:
                closed_on = clock.day_between(day + dt.timedelta(days=1), day + dt.timedelta(days=14))
                taken_on_by = (
                    "the key worker takes it on"
                    if key_worker_for(person=person)
                    else "the practice's mental health practitioner follows it up"
                )
                with clock.at(closed_on, after=discussed):
                    emdt_request_close(by=coordinator, request=request, note=f"Plan in place; {taken_on_by}")
    ctx.progress("EMDT case discussions", len(people), len(people))
