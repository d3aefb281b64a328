"""The figures behind the reports: reads only, aggregated, never a named person.

Each function returns true counts keyed by where they sit in the report, the relations between them (a total and
its parts) and any figures that are not counts (days). The presenters hide and round every count in ONE call to
`disclosure.disclose`, so a count shown in two tables is hidden or shown the same way in both, and a total in one
table and its parts in another are checked against each other.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median, quantiles

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

from joinedup.directory.models import OrganisationKind
from joinedup.healthchecks.models import FollowUp, HealthCheck, RegisterEntry
from joinedup.healthchecks.rules import adult_born_on_or_before, cutoffs
from joinedup.meetings.models import CaseDiscussion
from joinedup.people.models import Person
from joinedup.referrals.models import DECISION_STATES, EmdtRequest, EmdtRequestTransition, RequestState

from .filters import Area, Period

TOTAL = "total"
ELEMENTS = [
    ("bmi_date", "BMI"),
    ("bp_date", "Blood pressure"),
    ("glucose_date", "Glucose or HbA1c"),
    ("lipids_date", "Cholesterol"),
    ("smoking_date", "Smoking status"),
    ("alcohol_date", "Alcohol use"),
]
# What a check this service recorded must hold to count for each element (as healthchecks.services.is_full).
ELEMENT_RESULTS = {
    "bmi_date": Q(bmi__isnull=False),
    "bp_date": Q(systolic__isnull=False, diastolic__isnull=False),
    "glucose_date": Q(hba1c__isnull=False) | Q(glucose__isnull=False),
    "lipids_date": Q(total_cholesterol__isnull=False),
    "smoking_date": ~Q(smoking=""),
    "alcohol_date": Q(alcohol_units__isnull=False) | Q(audit_c__isnull=False),
}
NOT_KNOWN = "not_known"
SOURCES = [*OrganisationKind.choices, (NOT_KNOWN, "Not known")]


@dataclass
class Figures:
    """True counts {key: n}, their relations [(total key, [part keys])], other values {key: number or None}, and
    the groups of the breakdown [(code, name)] in the order shown."""

    counts: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)

    def add_total(self, total_key, part_keys):
        for key in (total_key, *part_keys):
            self.counts.setdefault(key, 0)
        self.relations.append((total_key, list(part_keys)))


def _groups(area: Area, by: str | None, geography) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """{practice id: group code} for the area's practices at the breakdown level, and the groups by name."""
    if by is None:
        return {pk: TOTAL for pk in area.practice_ids}, []
    of = {pk: geography[pk][by][0] for pk in area.practice_ids}
    names = sorted({geography[pk][by] for pk in area.practice_ids}, key=lambda g: g[1])
    return of, names


CHUNK = 10_000  # ids per query on SQLite: well inside its parameter limit


def _among(queryset, field: str, values, cast: str, *fields) -> list[tuple]:
    """`queryset.filter(<field> in values).values_list(*fields)` for many values: on PostgreSQL one array
    parameter (a list of 600,000 ids as literals costs Django and psycopg about 10 µs each, P9), on SQLite in
    chunks."""
    values = list(values)
    if connection.vendor == "postgresql":
        among = RawSQL(f"SELECT unnest(%s::{cast}[])", (values,))  # noqa: S611 - cast is ours, values a parameter
        return list(queryset.filter(**{f"{field}__in": among}).values_list(*fields))
    rows = []
    for i in range(0, len(values), CHUNK):
        rows += queryset.filter(**{f"{field}__in": values[i : i + CHUNK]}).values_list(*fields)
    return rows


# SMI physical health checks. --------------------------------------------------------------------------------


def _on_register_at(day: dt.date) -> Q:
    """On a practice's SMI register on `day`, an adult, not in remission: the coverage cohort as it stood then.
    The register's own diagnosis date says when someone joined it; without one, when we first heard."""
    return (
        (Q(smi_date__lte=day) | Q(smi_date__isnull=True, joined_on__lte=day))
        & (Q(left_on__isnull=True) | Q(left_on__gt=day))
        & (Q(remission_code="") | Q(remission_date__gt=day))
        & Q(date_of_birth__lte=adult_born_on_or_before(day))
    )


def _full_check_between(start: dt.date, end: dt.date) -> Q:
    """A full check known to us in [start, end]: the register's latest, or one this service recorded."""
    recorded = HealthCheck.objects.filter(person=OuterRef("person"), full=True, done_on__gte=start, done_on__lte=end)
    return Q(last_full_check__gte=start, last_full_check__lte=end) | Q(Exists(recorded))


def _register_snapshot(entries, day: dt.date, *, elements: bool) -> dict[int, Counter]:
    """Per practice on `day`: on the register, a full check in the last 12 months, none in 36 (and each element)."""
    overdue, due = cutoffs(day)
    measures = {
        "register": Count("id"),
        "checked_12m": Count("id", filter=_full_check_between(due, day)),
        "none_36m": Count("id", filter=~_full_check_between(overdue, day)),
    }
    if elements:
        for name, _ in ELEMENTS:
            recorded = HealthCheck.objects.filter(
                ELEMENT_RESULTS[name], person=OuterRef("person"), done_on__gte=due, done_on__lte=day
            )
            from_file = Q(**{f"{name}__gte": due, f"{name}__lte": day})
            measures[name] = Count("id", filter=from_file | Q(Exists(recorded)))
    rows = entries.filter(_on_register_at(day)).values("practice_id").annotate(**measures)
    return {row.pop("practice_id"): Counter(row) for row in rows}


SMI_SNAPSHOT = ["register", "checked_12m", "none_36m"]
SMI_ACTIVITY = ["checks_done", "follow_ups_offered", "follow_ups_done"]
MONTH_END_KEPT = dt.timedelta(hours=48)  # the nightly job (store.smi_month_ends) works them out again each day


def _month_end_counts(day: dt.date) -> dict[int, Counter]:
    """Every practice's register figures at the end of a completed month, from the summary table (SmiMonthEnd)
    when worked out in the last day, else worked out now for all practices (one query) and kept. A month's figures
    hardly move once it is over, and the register snapshot is the costly part of an SMI report (P9): a refresh
    after a day's activity then works out only the last month. A month not yet over is never kept."""
    return month_end_counts(day)


def month_end_counts(day: dt.date, *, again: bool = False) -> dict[int, Counter]:
    """As _month_end_counts; `again` works the month out even when a kept one is fresh (the nightly job)."""
    from django.utils import timezone

    from .models import SmiMonthEnd

    now = timezone.now()
    row = None if again else SmiMonthEnd.objects.filter(day=day, made_at__gt=now - MONTH_END_KEPT).first()
    if row is not None:
        return {int(pk): Counter(dict(zip(SMI_SNAPSHOT, values, strict=True))) for pk, values in row.counts.items()}
    counts = _register_snapshot(RegisterEntry.objects.all(), day, elements=False)
    if day < timezone.localdate(now):
        kept = {str(pk): [c[m] for m in SMI_SNAPSHOT] for pk, c in counts.items()}
        SmiMonthEnd.objects.update_or_create(day=day, defaults={"counts": kept, "made_at": now})
    return counts


def smi_month_key(period: Period, month: dt.date, measure: str):
    """Where a month's figure is kept: the last month's register figures are the area's own (one key, so the two
    tables show them the same way)."""
    if month == period.last and measure in SMI_SNAPSHOT:
        return ("group", TOTAL, measure)
    return ("month", month.strftime("%Y-%m"), measure)


def smi_figures(*, period: Period, area: Area, by: str | None, geography) -> Figures:
    """Register, coverage and each element at the end of the period by group; the same month by month with the
    checks and follow-ups of each month. Keys: ("group", code, measure), ("month", "YYYY-MM", measure), and
    ("group", TOTAL, measure) for the whole area (also the last month's snapshot, so both tables agree)."""
    group_of, groups = _groups(area, by, geography)
    entries = RegisterEntry.objects.filter(practice_id__in=area.practice_ids)
    f = Figures(groups=groups)
    months = period.months
    last = months[-1]

    def month_key(month, measure):
        return smi_month_key(period, month, measure)

    # At the end of the period, by group (with the elements).
    snapshot = _register_snapshot(entries, period.end, elements=True)
    measures = SMI_SNAPSHOT + [name for name, _ in ELEMENTS]
    for practice_id, counts in snapshot.items():
        for measure in measures:
            f.counts[("group", group_of[practice_id], measure)] = (
                f.counts.get(("group", group_of[practice_id], measure), 0) + counts[measure]
            )
    if groups:
        for measure in measures:
            f.counts[("group", TOTAL, measure)] = sum(f.counts.get(("group", code, measure), 0) for code, _ in groups)
    # Month by month for the whole area.
    for month in months:
        if month == last:
            continue
        per_practice = _month_end_counts(period.month_end(month))
        for measure in SMI_SNAPSHOT:
            f.counts[month_key(month, measure)] = sum(
                c[measure] for pk, c in per_practice.items() if pk in area.practice_ids
            )
    # Activity: checks done and follow-ups, by the month they happened and the group of the person's practice.
    start, end = period.first, period.end
    on_registers = entries.values("person_id")
    checks = HealthCheck.objects.filter(person_id__in=on_registers)
    follow_ups = FollowUp.objects.filter(person_id__in=on_registers)
    activity = [
        ("checks_done", checks.filter(done_on__gte=start, done_on__lte=end).values_list("person_id", "done_on")),
        (
            "follow_ups_offered",
            follow_ups.filter(check_record__done_on__gte=start, check_record__done_on__lte=end).values_list(
                "person_id", "check_record__done_on"
            ),
        ),
        (
            "follow_ups_done",
            follow_ups.filter(status=FollowUp.Status.DONE, completed_on__gte=start, completed_on__lte=end).values_list(
                "person_id", "completed_on"
            ),
        ),
    ]
    activity = [(measure, list(rows)) for measure, rows in activity]
    people = {person_id for _, rows in activity for person_id, _ in rows}
    practice_of = dict(
        _among(
            entries.filter(Q(left_on__isnull=True) | Q(left_on__gte=start)),
            "person_id",
            people,
            "bigint",
            "person_id",
            "practice_id",
        )
    )
    for measure, rows in activity:
        for person_id, day in rows:
            practice_id = practice_of.get(person_id)
            if practice_id is None:
                continue
            for key in (("group", group_of[practice_id], measure), ("activity", day.strftime("%Y-%m"), measure)):
                f.counts[key] = f.counts.get(key, 0) + 1
    for measure in SMI_ACTIVITY:
        month_keys = [("activity", m.strftime("%Y-%m"), measure) for m in months]
        f.add_total(("activity", TOTAL, measure), month_keys)
        f.counts[("activity", TOTAL, measure)] = sum(f.counts[key] for key in month_keys)
    # The relations: each group column adds up to the area; the months' activity adds up to the period's.
    for measure in measures + SMI_ACTIVITY:
        parts = [("group", code, measure) for code, _ in groups]
        if measure in SMI_ACTIVITY:
            f.counts[("group", TOTAL, measure)] = sum(
                f.counts.get(("activity", m.strftime("%Y-%m"), measure), 0) for m in months
            )
            f.add_total(("group", TOTAL, measure), [("activity", TOTAL, measure)])
        if parts:
            f.add_total(("group", TOTAL, measure), parts)
        else:
            f.counts.setdefault(("group", TOTAL, measure), 0)
    for month in months:
        for measure in SMI_SNAPSHOT:
            f.counts.setdefault(month_key(month, measure), 0)
    return f


# EMDT requests. ---------------------------------------------------------------------------------------------


def _days(durations: list[int]) -> tuple[float | None, float | None]:
    """Median and 90th centile of whole days."""
    if not durations:
        return None, None
    if len(durations) == 1:
        return float(durations[0]), float(durations[0])
    return float(median(durations)), float(quantiles(durations, n=10, method="inclusive")[-1])


EMDT_MONTHLY = ["received", "triaged", "accepted", "declined", "discussed"]


def emdt_figures(*, period: Period, area: Area, by: str | None, geography) -> Figures:
    """Requests received by source and group, and month by month: received, triaged (accepted or declined, by the
    month of the decision), discussed, with the days from request to triage and to discussion (median and 90th
    centile). People are placed by their GP practice. Keys: ("source", group, source), ("month", "YYYY-MM",
    measure); days in `values` under ("days", "YYYY-MM", "triage" or "discussion")."""
    group_of, groups = _groups(area, by, geography)
    f = Figures(groups=groups)
    start = period.first
    end_exclusive = period.end + dt.timedelta(days=1)
    in_area = Person.objects.filter(practice_id__in=area.practice_ids).values("pk")

    received = EmdtRequest.objects.filter(person_id__in=in_area, submitted_at__date__gte=start).filter(
        submitted_at__date__lt=end_exclusive
    )
    for practice_id, kind, at in received.values_list(
        "person__practice_id", "referrer_organisation__kind", "submitted_at"
    ):
        month = at.date().strftime("%Y-%m")
        group = group_of[practice_id]
        source = kind or NOT_KNOWN
        f.counts[("source", group, source)] = f.counts.get(("source", group, source), 0) + 1
        f.counts[("month", month, "received")] = f.counts.get(("month", month, "received"), 0) + 1

    # First decision on each request in the period.
    decisions = (
        EmdtRequestTransition.objects.filter(
            request__person_id__in=in_area,
            to_state__in=DECISION_STATES,
            at__date__gte=start,
            at__date__lt=end_exclusive,
        )
        .order_by("request_id", "at", "id")
        .values_list("request_id", "to_state", "at", "request__submitted_at")
    )
    seen, triage_days = set(), defaultdict(list)
    for request_id, state, at, submitted in decisions:
        if request_id in seen:
            continue
        seen.add(request_id)
        month = at.date().strftime("%Y-%m")
        measure = "accepted" if state == RequestState.ACCEPTED else "declined"
        f.counts[("month", month, measure)] = f.counts.get(("month", month, measure), 0) + 1
        triage_days[month].append((at.date() - submitted.date()).days)
    discussions = (
        CaseDiscussion.objects.filter(item__request__person_id__in=in_area, item__meeting__starts_at__date__gte=start)
        .filter(item__meeting__starts_at__date__lt=end_exclusive)
        .order_by("item__meeting__starts_at", "pk")
        .values_list("item__request_id", "item__meeting__starts_at", "item__request__submitted_at")
    )
    discussion_days, discussed = defaultdict(list), set()
    for request_id, held, submitted in discussions:
        if request_id in discussed:  # a request counts once, at its first discussion
            continue
        discussed.add(request_id)
        month = held.date().strftime("%Y-%m")
        f.counts[("month", month, "discussed")] = f.counts.get(("month", month, "discussed"), 0) + 1
        discussion_days[month].append((held.date() - submitted.date()).days)

    months = [m.strftime("%Y-%m") for m in period.months]
    for month in months:
        f.add_total(("month", month, "triaged"), [("month", month, "accepted"), ("month", month, "declined")])
        f.counts[("month", month, "triaged")] = (
            f.counts[("month", month, "accepted")] + f.counts[("month", month, "declined")]
        )
        for measure in EMDT_MONTHLY:
            f.counts.setdefault(("month", month, measure), 0)
        f.values[("days", month, "triage")] = _days(triage_days[month])
        f.values[("days", month, "discussion")] = _days(discussion_days[month])
    all_triage = [d for m in months for d in triage_days[m]]
    all_discussion = [d for m in months for d in discussion_days[m]]
    f.values[("days", TOTAL, "triage")] = _days(all_triage)
    f.values[("days", TOTAL, "discussion")] = _days(all_discussion)
    for measure in EMDT_MONTHLY:
        f.add_total(("month", TOTAL, measure), [("month", m, measure) for m in months])
        f.counts[("month", TOTAL, measure)] = sum(f.counts[("month", m, measure)] for m in months)
    f.add_total(("month", TOTAL, "triaged"), [("month", TOTAL, "accepted"), ("month", TOTAL, "declined")])

    # Source by group: a grid with its row and column totals, and the whole agreeing with the months.
    group_codes = [code for code, _ in groups] or [TOTAL]
    sources = [code for code, _ in SOURCES]
    for g in group_codes:
        f.add_total(("source", g, TOTAL), [("source", g, s) for s in sources])
        f.counts[("source", g, TOTAL)] = sum(f.counts[("source", g, s)] for s in sources)
    if groups:
        for s in sources:
            f.add_total(("source", TOTAL, s), [("source", g, s) for g in group_codes])
            f.counts[("source", TOTAL, s)] = sum(f.counts[("source", g, s)] for g in group_codes)
        f.add_total(("source", TOTAL, TOTAL), [("source", TOTAL, s) for s in sources])
        f.add_total(("source", TOTAL, TOTAL), [("source", g, TOTAL) for g in group_codes])
        f.counts[("source", TOTAL, TOTAL)] = sum(f.counts[("source", g, TOTAL)] for g in group_codes)
    f.add_total(("source", TOTAL, TOTAL), [("month", TOTAL, "received")])
    return f
