"""Key working, outcomes, primary care mental health and peer support: the measures each report counts, read
from the other apps' tables (reads only). People are placed by their GP practice."""

import datetime as dt
import math
from collections import defaultdict
from statistics import fmean, stdev

from django.db.models import Min, Q

from joinedup.care.models import (
    CarePlanVersion,
    CareTeamMember,
    DialogAssessment,
    DialogRating,
    GoalRating,
    LevelOfCare,
)
from joinedup.care.outcomes import LIFE_ITEMS, dialog_items
from joinedup.healthchecks.models import RegisterEntry
from joinedup.healthchecks.rules import cutoffs
from joinedup.meetings.models import CaseDiscussion
from joinedup.peersupport.models import Contact, OutcomeRating, PeerReferral, PeerWorker, Progression, WorkerKind
from joinedup.primarycare.models import Episode, GpRequest, Session
from joinedup.referrals.models import EmdtRequest, EmdtRequestTransition, RequestState

from . import spc
from .disclosure import Shown, disclose
from .filters import Area, Period
from .measures import Days, Measure, measure_report
from .presenters import FEWEST_FOR_DAYS, Cell, Column, Table
from .queries import _full_check_between, _on_register_at


def _end_exclusive(period: Period) -> dt.date:
    return period.end + dt.timedelta(days=1)


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.first, f"{field}__lt": _end_exclusive(period)})


def _on(model, field):
    """A measure's rows: each row of `model` whose date `field` is in the period, for people of the practices."""

    def rows(period, practices):
        return model.objects.filter(_in(period, field), person__practice_id__in=practices).values_list(
            "person__practice_id", field, "person_id"
        )

    return rows


def _dated(rows):
    """(practice, datetime or date, person) rows with the day as a date."""
    for practice_id, at, person_id in rows:
        yield practice_id, at.date() if isinstance(at, dt.datetime) else at, person_id


# Key working. -----------------------------------------------------------------------------------------------


def _key_workers_at(period, practices):
    end = period.end
    rows = CareTeamMember.objects.filter(
        Q(ended__isnull=True) | Q(ended__gt=end),
        is_key_worker=True,
        started__lte=end,
        person__practice_id__in=practices,
    ).values_list("person__practice_id", "person_id")
    return [(practice, None, person) for practice, person in rows]


def _plans_agreed(period, practices, own_words=False):
    plans = CarePlanVersion.objects.filter(_in(period, "agreed_on"), person__practice_id__in=practices)
    if own_words:
        plans = plans.filter(own_words=True)
    return plans.values_list("person__practice_id", "agreed_on", "person_id")


def _reviews_overdue(period, practices):
    """People whose latest plan agreed by the end of the period had a review date before it."""
    end = period.end
    latest = {}
    for practice, person, _agreed, review in (
        CarePlanVersion.objects.filter(agreed_on__lte=end, person__practice_id__in=practices)
        .order_by("person_id", "agreed_on", "id")
        .values_list("person__practice_id", "person_id", "agreed_on", "review_date")
    ):
        latest[person] = (practice, review)
    return [(practice, None, person) for person, (practice, review) in latest.items() if review and review < end]


KEY_WORKING = [
    Measure(
        "key_worker", "People with a named key worker (end of period)", _key_workers_at, people=True, snapshot=True
    ),
    Measure("plans_agreed", "Plans agreed", _plans_agreed, improvement=spc.UP),
    Measure("own_words", "Plans agreed in the person's own words", lambda p, pr: _plans_agreed(p, pr, True)),
    Measure("reviews_overdue", "Plan reviews overdue (end of period)", _reviews_overdue, people=True, snapshot=True),
]


def _caseloads(period: Period, area: Area) -> Table:
    """How many people each key worker holds at the end of the period: the spread, not who."""
    end = period.end
    sizes = defaultdict(int)
    for user_id, organisation_id, name in CareTeamMember.objects.filter(
        Q(ended__isnull=True) | Q(ended__gt=end),
        is_key_worker=True,
        started__lte=end,
        person__practice_id__in=area.practice_ids,
    ).values_list("user_id", "organisation_id", "name"):
        sizes[user_id or (organisation_id, name)] += 1  # a key worker named without an account: by name
    workers = disclose({"workers": len(sizes)})["workers"]
    table = Table(
        "caseloads",
        "Key workers' caseloads at the end of the period",
        [
            Column("Area", "label"),
            Column("Key workers", "count"),
            Column("People each (median)", "days"),
            Column("Most", "days"),
        ],
    )
    values = sorted(sizes.values())
    median = values[len(values) // 2] if values else None
    most = values[-1] if values else None
    table.rows.append(
        [Cell.label(area.name), Cell.count(workers), Cell.days(median, workers), Cell.days(most, workers)]
    )
    return table


def key_working_report(*, period, area, by, geography):
    notes = [
        "A named key worker is someone on the person's care team marked as their key worker at the end of the "
        "period. A plan is counted in the month it was agreed; a review is overdue when the latest agreed plan's "
        "review date has passed.",
        f"Caseload sizes are shown only where the number of key workers is shown and at least {FEWEST_FOR_DAYS}.",
    ]
    return measure_report(
        "key-working",
        "Key working and care plans",
        KEY_WORKING,
        period=period,
        area=area,
        by=by,
        geography=geography,
        notes=notes,
        extra_tables=[_caseloads(period, area)],
    )


# Outcomes: DIALOG and goals. --------------------------------------------------------------------------------


def _paired(pairs: list[tuple[float, float]]):
    """n, mean first, mean latest, mean change and its 95% confidence interval (normal approximation)."""
    n = len(pairs)
    if n == 0:
        return n, None, None, None, None
    changes = [b - a for a, b in pairs]
    mean = fmean(changes)
    half = 1.96 * stdev(changes) / math.sqrt(n) if n > 1 else None
    ci = (mean - half, mean + half) if half is not None else None
    return n, fmean(a for a, _ in pairs), fmean(b for _, b in pairs), mean, ci


def _dialog_pairs(period: Period, practices) -> dict[str, list]:
    """Per item (and the quality of life mean of 1 to 8): each person's first rating ever and their latest by
    the end of the period, for people rated at least twice with the latest in the period."""
    latest_in_period = (
        DialogAssessment.objects.filter(person__practice_id__in=practices, taken_on__lte=period.end)
        .values("person_id")
        .annotate(first=Min("taken_on"))
    )
    firsts = {row["person_id"]: row["first"] for row in latest_in_period}
    scores = defaultdict(dict)  # person -> {taken_on: {item: score}}
    for person, taken, item, score in DialogRating.objects.filter(
        assessment__person_id__in=list(firsts), assessment__taken_on__lte=period.end
    ).values_list("assessment__person_id", "assessment__taken_on", "item", "score"):
        scores[person].setdefault(taken, {})[item] = score
    pairs = defaultdict(list)
    for by_day in scores.values():
        days = sorted(by_day)
        if len(days) < 2 or days[-1] < period.first:
            continue
        first, last = by_day[days[0]], by_day[days[-1]]
        for item in first.keys() & last.keys():
            pairs[f"item{item}"].append((first[item], last[item]))
        life_first = [first[i] for i in LIFE_ITEMS if i in first]
        life_last = [last[i] for i in LIFE_ITEMS if i in last]
        if life_first and life_last:
            pairs["life"].append((fmean(life_first), fmean(life_last)))
    return pairs


def _goal_pairs(period: Period, practices) -> list:
    ratings = defaultdict(list)
    for person, goal, day, score in (
        GoalRating.objects.filter(person__practice_id__in=practices, rated_on__lte=period.end)
        .order_by("rated_on", "id")
        .values_list("person_id", "goal_key", "rated_on", "score")
    ):
        ratings[(person, goal)].append((day, score))
    return [(r[0][1], r[-1][1]) for r in ratings.values() if len(r) > 1 and r[-1][0] >= period.first]


_dialog_rated = _on(DialogAssessment, "taken_on")


_goals_rated = _on(GoalRating, "rated_on")


OUTCOMES = [
    Measure("dialog_people", "People rated with DIALOG", _dialog_rated, people=True),
    Measure("dialog_ratings", "DIALOG ratings", _dialog_rated),
    Measure("goal_people", "People rating their goals (GBO)", _goals_rated, people=True),
]


def _fmt(value, places=2):
    return "-" if value is None else f"{value:+.{places}f}" if places else f"{value:.0f}"


def _change_table(pairs: dict[str, list], goals: list) -> Table:
    rows = [(f"item{i.item}", f"{i.item}. {i.domain}") for i in dialog_items()]
    rows += [("life", "Quality of life (mean of items 1 to 8)"), ("gbo", "Goals (GBO, 0 to 10)")]
    stats = {key: _paired(pairs.get(key, [])) for key, _ in rows[:-1]}
    stats["gbo"] = _paired(goals)
    shown = disclose({key: s[0] for key, s in stats.items()})
    table = Table(
        "change",
        "Change from the first rating to the latest (people rated at least twice, latest in the period)",
        [
            Column("Measure", "label"),
            Column("People", "count"),
            Column("First (mean)", "mean"),
            Column("Latest (mean)", "mean"),
            Column("Change (mean)", "mean"),
            Column("95% confidence interval", "mean"),
        ],
    )
    for key, label in rows:
        n, first, last, change, ci = stats[key]
        people: Shown = shown[key]
        enough = not people.hidden and (people.value or 0) >= FEWEST_FOR_DAYS
        cells = [Cell.label(label), Cell.count(people)]
        if enough:
            ci_text = f"{ci[0]:+.2f} to {ci[1]:+.2f}" if ci else "-"
            cells += [
                Cell(f"{first:.2f}", round(first, 2)),
                Cell(f"{last:.2f}", round(last, 2)),
                Cell(_fmt(change), round(change, 2)),
                Cell(ci_text, ci_text),
            ]
        else:
            filler = Cell.days(None, people)
            cells += [filler] * 4
        table.rows.append(cells)
    return table


def outcomes_report(*, period, area, by, geography):
    change = _change_table(_dialog_pairs(period, area.practice_ids), _goal_pairs(period, area.practice_ids))
    notes = [
        "DIALOG items are rated 1 (totally dissatisfied) to 7 (totally satisfied); a rise is better. Goals are "
        "rated 0 to 10 towards the goal. The change is each person's latest rating minus their first; the 95% "
        "confidence interval is the mean change plus and minus 1.96 standard errors.",
        f"Means and intervals are shown only where the number of people is shown and at least {FEWEST_FOR_DAYS}.",
    ]
    return measure_report(
        "outcomes",
        "Outcomes: DIALOG and goals",
        OUTCOMES,
        period=period,
        area=area,
        by=by,
        geography=geography,
        notes=notes,
        extra_tables=[change],
    )


# Primary care mental health practitioners. ------------------------------------------------------------------


_sessions = _on(Session, "held_on")


def _gp_questions(period, practices):
    return _dated(
        GpRequest.objects.filter(_in(period, "asked_at__date"), person__practice_id__in=practices).values_list(
            "person__practice_id", "asked_at", "person_id"
        )
    )


def _first_session_waits(period, practices):
    """(practice, day of the first session, person, days since the episode opened), first sessions in the period."""
    rows = (
        Episode.objects.filter(person__practice_id__in=practices)
        .annotate(first=Min("sessions__held_on"))
        .filter(first__gte=period.first, first__lt=_end_exclusive(period))
        .values_list("person__practice_id", "first", "person_id", "opened_on")
    )
    return [(practice, first, person, (first - opened).days) for practice, first, person, opened in rows]


def _answer_waits(period, practices):
    """(practice, day answered, person, days from the GP's question), answers in the period."""
    rows = GpRequest.objects.filter(
        _in(period, "answered_at__date"), person__practice_id__in=practices, answered_at__isnull=False
    ).values_list("person__practice_id", "answered_at", "person_id", "asked_at")
    return [
        (pr, answered.date(), person, (answered.date() - asked.date()).days) for pr, answered, person, asked in rows
    ]


def _events(waits):
    return lambda period, practices: [(pr, day, person) for pr, day, person, _ in waits(period, practices)]


def _durations(waits):
    return lambda period, practices: [(pr, day, days) for pr, day, _, days in waits(period, practices)]


PRIMARY_CARE = [
    Measure("people_seen", "People seen", _sessions, people=True, improvement=spc.UP),
    Measure("sessions", "Sessions", _sessions, improvement=spc.UP),
    Measure("first_sessions", "First sessions", _events(_first_session_waits)),
    Measure("gp_questions", "Questions from GPs", _gp_questions),
    Measure("answers", "Questions answered", _events(_answer_waits)),
]
PRIMARY_CARE_DAYS = [
    Days("to_first_session", "Days to first session", _durations(_first_session_waits), "first_sessions"),
    Days("to_answer", "Days to answer a GP", _durations(_answer_waits), "answers"),
]


def primary_care_report(*, period, area, by, geography):
    notes = [
        "Sessions with a primary care mental health practitioner or a trainee or associate psychologist. Days to "
        "first session run from the day the person was added to the caseload; days to answer from the GP's "
        "question to the answer, counted in the month of the answer.",
        f"Days are shown only where the number they come from is {FEWEST_FOR_DAYS} or more.",
    ]
    return measure_report(
        "primary-care",
        "Primary care mental health practitioners",
        PRIMARY_CARE,
        PRIMARY_CARE_DAYS,
        period=period,
        area=area,
        by=by,
        geography=geography,
        notes=notes,
    )


# Peer support. ----------------------------------------------------------------------------------------------


def _peer_referrals(period, practices):
    return _dated(
        PeerReferral.objects.filter(_in(period, "referred_at__date"), person__practice_id__in=practices).values_list(
            "person__practice_id", "referred_at", "person_id"
        )
    )


def _peer_waiting(period, practices):
    end = period.end
    rows = (
        PeerReferral.objects.filter(referred_at__date__lte=end, person__practice_id__in=practices)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=end))
        .exclude(allocations__started__lte=end)
        .values_list("person__practice_id", "person_id")
        .distinct()
    )
    return [(practice, None, person) for practice, person in rows]


_peer_contacts = _on(Contact, "on")


_peer_outcomes_rated = _on(OutcomeRating, "rated_on")


def _peer_improved(period, practices):
    """People whose latest rating of an outcome in the period is higher than their first of it."""
    ratings = defaultdict(list)
    for practice, person, outcome, day, score in (
        OutcomeRating.objects.filter(person__practice_id__in=practices, rated_on__lt=_end_exclusive(period))
        .order_by("rated_on", "id")
        .values_list("person__practice_id", "person_id", "outcome", "rated_on", "score")
    ):
        ratings[(practice, person, outcome)].append((day, score))
    return [
        (practice, r[-1][0], person)
        for (practice, person, _), r in ratings.items()
        if len(r) > 1 and r[-1][0] >= period.first and r[-1][1] > r[0][1]
    ]


PEER_SUPPORT = [
    Measure("referrals", "Referrals", _peer_referrals, improvement=spc.UP),
    Measure("contacts", "Contacts", _peer_contacts, improvement=spc.UP),
    Measure("waiting", "Waiting for a worker (end of period)", _peer_waiting, people=True, snapshot=True),
    Measure("outcomes_rated", "People with outcomes rated", _peer_outcomes_rated, people=True),
    Measure("improved", "People better on at least one outcome", _peer_improved, people=True),
]


def _workforce(period: Period, area: Area) -> Table:
    """Volunteers and moves into paid roles: by organisation, so for the whole ICB only."""
    table = Table(
        "workforce",
        "Peer support workforce (whole ICB)",
        [Column("Measure", "label"), Column("People", "count")],
    )
    if area.level != "icb":
        return table
    volunteers = PeerWorker.objects.filter(kind=WorkerKind.VOLUNTEER, active=True, started__lte=period.end).count()
    moves = (
        Progression.objects.filter(from_kind=WorkerKind.VOLUNTEER, on__gte=period.first, on__lte=period.end)
        .exclude(to_kind=WorkerKind.VOLUNTEER)
        .values("worker")
        .distinct()
        .count()
    )
    shown = disclose({"volunteers": volunteers, "moves": moves})
    table.rows += [
        [Cell.label("Active volunteers (end of period)"), Cell.count(shown["volunteers"])],
        [Cell.label("Volunteers who moved into a paid role in the period"), Cell.count(shown["moves"])],
    ]
    return table


def peer_support_report(*, period, area, by, geography):
    notes = [
        "People are counted in the area of their GP practice. Waiting: referred, not closed and not yet "
        "allocated to a worker at the end of the period. Better: the latest rating of an outcome in the period "
        "is higher than the first.",
        "The workforce table is for the whole ICB only: workers belong to organisations, not to practices.",
    ]
    tables = [_workforce(period, area)] if area.level == "icb" else []
    return measure_report(
        "peer-support",
        "Peer support",
        PEER_SUPPORT,
        period=period,
        area=area,
        by=by,
        geography=geography,
        notes=notes,
        extra_tables=tables,
    )


# EMDT decisions and outcomes. -------------------------------------------------------------------------------

ASKED_AGAIN_WITHIN = dt.timedelta(days=90)


def _emdt_received(period, practices):
    return _dated(
        EmdtRequest.objects.filter(_in(period, "submitted_at__date"), person__practice_id__in=practices).values_list(
            "person__practice_id", "submitted_at", "person_id"
        )
    )


def _declined(with_next_step: bool):
    """Requests declined (their first decision) in the period, with or without a recommended next step."""

    def rows(period, practices):
        seen, out = set(), []
        for request_id, state, at, practice, person, recommendation in (
            EmdtRequestTransition.objects.filter(
                _in(period, "at__date"),
                request__person__practice_id__in=practices,
                to_state__in=(RequestState.ACCEPTED, RequestState.DECLINED),
            )
            .order_by("request_id", "at", "id")
            .values_list(
                "request_id",
                "to_state",
                "at",
                "request__person__practice_id",
                "request__person_id",
                "request__recommendation",
            )
        ):
            if request_id in seen:
                continue
            seen.add(request_id)
            if state == RequestState.DECLINED and bool(recommendation.strip()) == with_next_step:
                out.append((practice, at.date(), person))
        return out

    return rows


def _discussed_to(level: str):
    """Requests discussed (first discussion) in the period whose discussion set this level of care ("" none)."""

    def rows(period, practices):
        seen, out = set(), []
        for request_id, held, practice, person, decided in (
            CaseDiscussion.objects.filter(
                _in(period, "item__meeting__starts_at__date"), item__request__person__practice_id__in=practices
            )
            .order_by("item__meeting__starts_at", "pk")
            .values_list(
                "item__request_id",
                "item__meeting__starts_at",
                "item__request__person__practice_id",
                "item__request__person_id",
                "level_of_care",
            )
        ):
            if request_id in seen:
                continue
            seen.add(request_id)
            if decided == level:
                out.append((practice, held.date(), person))
        return out

    return rows


def _asked_again(period, practices):
    """Requests in the period about a person asked about before, within 90 days of the earlier request."""
    rows = (
        EmdtRequest.objects.filter(person__practice_id__in=practices, submitted_at__date__lt=_end_exclusive(period))
        .filter(submitted_at__date__gte=period.first - ASKED_AGAIN_WITHIN)
        .order_by("person_id", "submitted_at", "id")
        .values_list("person__practice_id", "person_id", "submitted_at")
    )
    out, last = [], {}
    for practice, person, at in rows:
        day = at.date()
        before = last.get(person)
        if before is not None and day - before <= ASKED_AGAIN_WITHIN and day >= period.first:
            out.append((practice, day, person))
        last[person] = day
    return out


EMDT_OUTCOMES = [
    Measure("received", "Requests received", _emdt_received),
    Measure("declined_next_step", "Declined, with a next step", _declined(True)),
    Measure("declined_no_next_step", "Declined, no next step recorded", _declined(False), improvement=spc.DOWN),
    *[
        Measure(f"discussed_{value}", f"Discussed: {label.lower()}", _discussed_to(value))
        for value, label in LevelOfCare.choices
    ],
    Measure("discussed_no_level", "Discussed: no change of care recorded", _discussed_to("")),
    Measure("asked_again", "Asked about again within 90 days", _asked_again, improvement=spc.DOWN),
]


def emdt_outcomes_report(*, period, area, by, geography):
    notes = [
        "A decline is the first decision on a request, in the month it was made; its next step is the EMDT's "
        "recommendation recorded with it. A discussion counts once, at the first meeting that discussed the request, "
        "by the level of care it decided.",
        "Asked about again: a request about a person who had another request in the 90 days before it.",
    ]
    return measure_report(
        "emdt-outcomes",
        "EMDT decisions and outcomes",
        EMDT_OUTCOMES,
        period=period,
        area=area,
        by=by,
        geography=geography,
        notes=notes,
    )


# SMI physical health checks: who is on the registers and who is checked, by sex, ethnic group and age. -----


def _smi_snapshot(checked: bool):
    def rows(period, practices):
        end = period.end
        entries = RegisterEntry.objects.filter(_on_register_at(end), practice_id__in=practices)
        if checked:
            _, due = cutoffs(end)
            entries = entries.filter(_full_check_between(due, end))
        return [(practice, None, person) for practice, person in entries.values_list("practice_id", "person_id")]

    return rows


SMI_SPLITS = [
    Measure("register", "On the register (end of period)", _smi_snapshot(False), people=True, snapshot=True),
    Measure("checked", "Full check in the last 12 months", _smi_snapshot(True), people=True, snapshot=True),
]


def smi_inequalities_report(*, period, area, by, geography):
    notes = [
        "The same people as the SMI physical health checks report, at the end of the period: adults on a GP "
        "practice's SMI register not in remission, and those with a full check in the 12 months before it. "
        "Compare the share checked in each group with the whole.",
    ]
    return measure_report(
        "smi-inequalities",
        "SMI health checks: who is checked",
        SMI_SPLITS,
        period=period,
        area=area,
        by=by,
        geography=geography,
        notes=notes,
    )
