"""Reads for the health check pages, scoped by the access policy (or aggregated, for coverage)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from joinedup.core.access import visible_people
from joinedup.directory.models import OutreachCoverage, Pcn, Practice, TeamKind
from joinedup.reporting.disclosure import disclose_one, percent

from .models import (
    Booking,
    Claim,
    ContactAttempt,
    FollowUp,
    HealthCheck,
    HealthPlan,
    RegisterEntry,
    RegisterImport,
    RegisterUpdateFile,
    Reminder,
)
from .rules import cohort_filter, cutoffs, needs_outreach_filter, needs_outreach_order

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class WorklistRow:
    """One line of a worklist: the register entry, who it is, and where outreach has got to."""

    person_id: int
    given_name: str
    family_name: str
    nhs_number: str
    do_not_contact: bool
    practice_name: str
    date_of_birth: dt.date
    remission_code: str
    left_on: dt.date | None
    last_full_check: dt.date | None
    hard_to_reach: bool
    claimed_by: int | None
    last_contact_at: dt.datetime | None


# Each WorklistRow field and the column it is read from.
WORKLIST_COLUMNS = {
    "person_id": "person_id",
    "given_name": "person__given_name",
    "family_name": "person__family_name",
    "nhs_number": "person__nhs_number",
    "do_not_contact": "person__do_not_contact",
    "practice_name": "practice__name",
    "date_of_birth": "date_of_birth",
    "remission_code": "remission_code",
    "left_on": "left_on",
    "last_full_check": "last_full_check",
    "hard_to_reach": "hard_to_reach",
    "claimed_by": "claimed_by",
    "last_contact_at": "last_contact_at",
}


@dataclass
class Scope:
    kind: str  # "provider", "pcn" or "practice"
    pk: int
    name: str


def scopes_for(user) -> list[Scope]:
    """The worklists a user works from: their outreach provider's, their PCN's or their practice's."""
    scopes = []
    for m in user.active_memberships:
        team = m.team
        if team.kind == TeamKind.OUTREACH:
            scopes.append(Scope("provider", team.organisation_id, team.organisation.name))
        elif team.kind == TeamKind.PRACTICE and team.practice_id:
            scopes.append(Scope("practice", team.practice_id, team.practice.name))
        elif team.kind == TeamKind.PCN_MENTAL_HEALTH and team.pcn_id:
            scopes.append(Scope("pcn", team.pcn_id, team.pcn.name))
    seen, unique = set(), []
    for s in scopes:
        if (s.kind, s.pk) not in seen:
            seen.add((s.kind, s.pk))
            unique.append(s)
    return unique


def practices_in_scope(scope: Scope):
    if scope.kind == "practice":
        return Practice.objects.filter(pk=scope.pk)
    if scope.kind == "pcn":
        return Practice.objects.filter(pcn_id=scope.pk)
    localities = OutreachCoverage.objects.filter(provider_id=scope.pk).values("locality_id")
    return Practice.objects.filter(locality_id__in=localities)


def worklist(*, by, scope: Scope, practice_id=None, mine=False, page=1, today=None, page_size=PAGE_SIZE):
    """One page of people needing outreach, in priority order, with their claim and latest contact.

    One query: the scope's register walked in the order of its index, each entry kept only when the access policy
    lets this user see the person (an EXISTS on the policy's filter, so PostgreSQL asks it about the rows it walks,
    not the whole register), with the open claim and latest contact alongside. Rows come back as plain values."""
    today = today or timezone.localdate()
    entries = RegisterEntry.objects.filter(
        needs_outreach_filter(today),
        Exists(visible_people(by).filter(pk=OuterRef("person_id"))),
        **{f"{scope.kind}_id": scope.pk},
    )
    if practice_id:
        entries = entries.filter(practice_id=practice_id)
    if mine:
        entries = entries.filter(
            person_id__in=Claim.objects.filter(worker=by, released_at__isnull=True).values("person_id")
        )
    open_claims = Claim.objects.filter(person_id=OuterRef("person_id"), released_at__isnull=True)
    latest = ContactAttempt.objects.filter(person_id=OuterRef("person_id")).order_by("-at", "-id")
    offset = (max(page, 1) - 1) * page_size
    found = list(
        entries.annotate(
            claimed_by=Subquery(open_claims.values("worker_id")[:1]),
            last_contact_at=Subquery(latest.values("at")[:1]),
        )
        .order_by(*needs_outreach_order())
        .values_list(*WORKLIST_COLUMNS.values())[offset : offset + page_size + 1]
    )
    rows = [WorklistRow(**dict(zip(WORKLIST_COLUMNS, values, strict=True))) for values in found[:page_size]]
    return rows, len(found) > page_size


def entries_for(*, person):
    return list(RegisterEntry.objects.filter(person=person).select_related("practice", "provider").order_by("left_on"))


def open_claim_for(*, person):
    return Claim.objects.filter(person=person, released_at__isnull=True).select_related("worker").first()


def ended_claims_for(*, person):
    """Who worked with the person before, newest first: each claim with who ended it and why."""
    return list(
        Claim.objects.filter(person=person, released_at__isnull=False)
        .select_related("worker", "released_by")
        .order_by("-released_at", "-id")[:20]
    )


def contacts_for(*, person):
    return list(ContactAttempt.objects.filter(person=person).select_related("by")[:50])


def bookings_for(*, person):
    return list(Booking.objects.filter(person=person).select_related("booked_by"))


def open_bookings_for(*, person):
    """The person's appointments still marked as booked, soonest first: the ones a check can be recorded against."""
    return list(Booking.objects.filter(person=person, status=Booking.Status.BOOKED).order_by("at", "id"))


def booking_for(*, person, pk):
    try:
        return Booking.objects.select_related("person").get(person=person, pk=pk)
    except (Booking.DoesNotExist, ValueError):
        raise Http404("No booking found") from None


def checks_for(*, person):
    return list(HealthCheck.objects.filter(person=person).select_related("by")[:20])


def follow_ups_for(*, person):
    return list(FollowUp.objects.filter(person=person).select_related("owner"))


def follow_up_for(*, person, pk):
    try:
        return FollowUp.objects.select_related("person").get(person=person, pk=pk)
    except (FollowUp.DoesNotExist, ValueError):
        raise Http404("No follow-up found") from None


def plan_for(*, person):
    return HealthPlan.objects.filter(person=person).first()


@dataclass
class HealthPlanSummary:
    """The person's health plan as shown inside their care and support plan (care/plan.jinja)."""

    what_matters: str
    goals: str
    agreed_with_person: bool
    updated_at: dt.datetime
    follow_ups: list  # the open follow-ups, soonest due first


def health_plan_summary_for(*, person) -> HealthPlanSummary | None:
    """The person's current health plan and open follow-ups, or None when there is neither. The caller has already
    decided that the viewer may see the person's care and support plan."""
    plan = HealthPlan.objects.filter(person=person).first()
    open_follow_ups = list(FollowUp.objects.filter(person=person, status=FollowUp.Status.OPEN).order_by("due", "id"))
    if plan is None and not open_follow_ups:
        return None
    return HealthPlanSummary(
        what_matters=plan.what_matters if plan else "",
        goals=plan.goals if plan else "",
        agreed_with_person=plan.agreed_with_person if plan else False,
        updated_at=plan.updated_at if plan else None,
        follow_ups=open_follow_ups,
    )


def reminders_for(*, person, user):
    return list(Reminder.objects.filter(person=person, owner=user, done_at__isnull=True))


def import_for(*, by, pk):
    from .registers import _allowed_practices

    try:
        record = RegisterImport.objects.select_related("practice").get(pk=pk)
    except (RegisterImport.DoesNotExist, ValueError):
        raise Http404("No import found") from None
    allowed = _allowed_practices(by)
    if record.by_id != by.pk and (record.practice_id is None or record.practice_id not in (allowed or set())):
        raise Http404("No import found")
    return record


def recent_imports(*, by):
    return list(RegisterImport.objects.filter(by=by)[:10])


def update_practices(*, by):
    """The practices whose register updates this user handles, with the count of results not yet sent."""
    from .models import CodedResult
    from .registers import _allowed_practices

    allowed = _allowed_practices(by)
    practices = Practice.objects.filter(pk__in=allowed or [])
    pending = dict(
        CodedResult.objects.filter(practice__in=practices, update_file__isnull=True)
        .values("practice_id")
        .annotate(n=Count("id"))
        .values_list("practice_id", "n")
    )
    files = list(RegisterUpdateFile.objects.filter(practice__in=practices).select_related("practice")[:100])
    with_pending = [(p, pending[p.pk]) for p in practices.filter(pk__in=pending.keys()).order_by("name")]
    return with_pending, files


def results_not_coded(*, by, files):
    """The results the register update file cannot carry (no SNOMED CT code in data/check_elements.csv), so the
    page can name them: those waiting, by practice, and those kept against each of `files` (a re-send carries
    what its original did). Each as (practice or file, [(description, count), ...])."""
    from .models import CodedResult
    from .registers import _allowed_practices

    practices = {p.pk: p for p in Practice.objects.filter(pk__in=_allowed_practices(by) or []).order_by("name")}
    originals = {f.pk: f.resend_of_id or f.pk for f in files}
    counts = (
        CodedResult.objects.filter(snomed_code="")
        .filter(
            Q(practice_id__in=practices.keys(), update_file__isnull=True)
            | Q(update_file_id__in=set(originals.values()))
        )
        .values_list("practice_id", "update_file_id", "description")
        .annotate(n=Count("id"))
        .order_by("description")
    )
    waiting: dict[int, list] = {}
    in_file: dict[int, list] = {}
    for practice_id, file_id, description, n in counts:
        if file_id is None:
            waiting.setdefault(practice_id, []).append((description, n))
        else:
            in_file.setdefault(file_id, []).append((description, n))
    return (
        [(p, waiting[pk]) for pk, p in practices.items() if pk in waiting],
        [(f, in_file[originals[f.pk]]) for f in files if originals[f.pk] in in_file],
    )


def update_file_for(*, by, pk):
    from .registers import _allowed_practices

    allowed = _allowed_practices(by) or set()
    try:
        return RegisterUpdateFile.objects.select_related("practice").get(pk=pk, practice_id__in=allowed)
    except (RegisterUpdateFile.DoesNotExist, ValueError):
        raise Http404("No file found") from None


# Coverage: figures only, never a named person. -----------------------------------------------------------------


def suppress(count: int) -> str:
    """A count as it may be published (joinedup/reporting/disclosure.py holds the rule)."""
    return disclose_one(count).text


def suppressed_percent(part: int, whole: int) -> str:
    """A percentage from the rounded counts, hidden when either count is."""
    return percent(disclose_one(part), disclose_one(whole))


@dataclass
class CoverageRow:
    name: str
    register: int
    checked_12m: int
    none_36m: int
    checks_done: int
    follow_ups_done: int

    @property
    def shown(self):
        return {
            "register": suppress(self.register),
            "checked_12m": suppress(self.checked_12m),
            "percent_12m": suppressed_percent(self.checked_12m, self.register),
            "none_36m": suppress(self.none_36m),
            "percent_36m": suppressed_percent(self.none_36m, self.register),
            "checks_done": suppress(self.checks_done),
            "follow_ups_done": suppress(self.follow_ups_done),
        }

    def meets(self, target: int) -> bool:
        return self.register > 7 and 100 * self.checked_12m >= target * self.register


def coverage(*, group: str, today=None) -> list[CoverageRow]:
    """Register size, full check in 12 months, none in 36 months, checks done and follow-ups completed in the last
    12 months, by provider, PCN or practice."""
    today = today or timezone.localdate()
    overdue, due = cutoffs(today)
    key = {"provider": "provider_id", "pcn": "pcn_id", "practice": "practice_id"}[group]
    cohort = RegisterEntry.objects.filter(cohort_filter(today))
    figures = {
        row[key]: row
        for row in cohort.values(key).annotate(
            register=Count("id"),
            checked=Count("id", filter=Q(last_full_check__gte=due)),
            none36=Count("id", filter=Q(last_full_check__isnull=True) | Q(last_full_check__lt=overdue)),
        )
    }
    since = today - dt.timedelta(days=365)
    person_key = {"provider": "provider_id", "pcn": "pcn_id", "practice": "practice_id"}[group]
    entry_of = RegisterEntry.objects.filter(left_on__isnull=True).values("person_id", person_key)
    group_of = {
        e["person_id"]: e[person_key]
        for e in entry_of.filter(person_id__in=HealthCheck.objects.filter(done_on__gte=since).values("person_id"))
    }
    checks, follow_ups = {}, {}
    for person_id, n in (
        HealthCheck.objects.filter(done_on__gte=since)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    ):
        g = group_of.get(person_id)
        checks[g] = checks.get(g, 0) + n
    for person_id, n in (
        FollowUp.objects.filter(status=FollowUp.Status.DONE, completed_on__gte=since)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    ):
        g = group_of.get(person_id)
        follow_ups[g] = follow_ups.get(g, 0) + n
    names = _group_names(group, figures.keys())
    rows = [
        CoverageRow(
            name=names.get(k, "Not known"),
            register=f["register"],
            checked_12m=f["checked"],
            none_36m=f["none36"],
            checks_done=checks.get(k, 0),
            follow_ups_done=follow_ups.get(k, 0),
        )
        for k, f in figures.items()
    ]
    return sorted(rows, key=lambda r: r.name)


def _group_names(group, keys):
    from joinedup.directory.models import Organisation

    model = {"provider": Organisation, "pcn": Pcn, "practice": Practice}[group]
    return dict(model.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
