"""One way to make a report from a list of measures: by area, month by month, and split by sex, ethnic group and
age band, every count through one `disclose` call.

A measure gives rows (practice id, day, person id): an event on that day for a person of that practice (a
session, a referral), or with `snapshot` a person counted as at the end of the period (on a caseload). With
`people` a person counts once in the period and once in each month they appear in (so the months do not add up
to the period and are not related to it); otherwise every row counts. People are placed by their GP practice.

Splits: sex, ethnic group, age band and deprivation (the IMD 2019 quintile of the person's postcode, deprivation.py).

Keys: ("group", code, measure) with TOTAL for the whole area, ("month", "YYYY-MM", measure), ("split",
dimension, category, measure). Relations: the groups add up to the area; event months add up to the period; each
split's categories add up to the area.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from joinedup.people.models import Person

from . import charts
from .deprivation import NOT_KNOWN, QUINTILES, quintile_label
from .disclosure import Shown, disclose
from .filters import LEVEL_NAMES, LEVEL_PHRASES, Area, Period, month_label
from .presenters import Cell, Column, Report, Table, _group_rows, _month_labels
from .queries import TOTAL, Figures, _among, _days, _groups

Rows = Iterable[tuple[int, dt.date | None, int]]


@dataclass(frozen=True)
class Measure:
    key: str
    heading: str
    rows: Callable[[Period, frozenset], Rows]
    people: bool = False
    snapshot: bool = False
    improvement: str | None = None  # which way is better, for its chart


@dataclass(frozen=True)
class Days:
    """A column of days (median and 90th centile) month by month, shown only where the count it comes from is."""

    key: str
    heading: str
    durations: Callable[[Period, frozenset], Iterable[tuple[int, dt.date, int]]]  # (practice id, day, days)
    count_of: str  # the measure whose count says how many it comes from


# Inequalities. ----------------------------------------------------------------------------------------------

SEX = {"1": "Male", "2": "Female", "9": "Not stated", "0": "Not known"}
# The NHS data dictionary's ethnic category codes, by their five broad groups.
ETHNIC_GROUPS = [
    ("white", "White", "ABC"),
    ("mixed", "Mixed or multiple ethnic groups", "DEFG"),
    ("asian", "Asian or Asian British", "HJKL"),
    ("black", "Black, African, Caribbean or Black British", "MNP"),
    ("other", "Other ethnic group", "RS"),
]
AGE_BANDS = [(0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 200)]


def _age_band(born: dt.date, on: dt.date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low} and over" if high == 200 else f"{low} to {high}"
    return "Not known"


def _ethnic_group(code: str) -> str:
    return next((name for _, name, letters in ETHNIC_GROUPS if code and code[0] in letters), "Not stated")


SPLITS = {
    "sex": ("Sex", [*SEX.values()]),
    "ethnicity": ("Ethnic group", [name for _, name, _ in ETHNIC_GROUPS] + ["Not stated"]),
    "age": ("Age band", [f"{lo} and over" if hi == 200 else f"{lo} to {hi}" for lo, hi in AGE_BANDS]),
    "imd": ("Deprivation (IMD quintile)", [*QUINTILES.values(), NOT_KNOWN]),
}


def _split_of(person_ids, on: dt.date) -> dict[int, dict[str, str]]:
    """Each person's sex, ethnic group, age band on `on`, and deprivation quintile (from their postcode's LSOA,
    deprivation.py; "Not known" when the lookup does not hold it). At the full region an SMI split reads 600,000
    people (P9): the people and then their postcodes' deciles are read in one query each (`_among`)."""
    from .models import PostcodeLsoa

    rows = _among(Person.objects, "pk", person_ids, "bigint", "pk", "sex", "ethnicity", "date_of_birth", "postcode")
    postcodes = {postcode for *_, postcode in rows if postcode}
    deciles = dict(_among(PostcodeLsoa.objects, "postcode", postcodes, "text", "postcode", "lsoa__imd_decile"))
    bands = {}
    out = {}
    for pk, sex, eth, born, postcode in rows:
        if born not in bands:
            bands[born] = _age_band(born, on)
        out[pk] = {
            "sex": SEX.get(sex, NOT_KNOWN),
            "ethnicity": _ethnic_group(eth),
            "age": bands[born],
            "imd": quintile_label(deciles.get(postcode)),
        }
    return out


# Figures. ---------------------------------------------------------------------------------------------------


def measure_figures(measures, days=(), *, period: Period, area: Area, by, geography, split=True) -> Figures:
    group_of, groups = _groups(area, by, geography)
    f = Figures(groups=groups)
    months = [m.strftime("%Y-%m") for m in period.months]
    all_rows = {m.key: [r for r in m.rows(period, area.practice_ids) if r[0] in group_of] for m in measures}
    splits = _split_of({p for rows in all_rows.values() for _, _, p in rows}, period.end) if split else {}
    for m in measures:
        rows = all_rows[m.key]
        counted, counted_month = set(), set()
        for practice_id, day, person_id in rows:
            if m.people and person_id in counted:
                pass
            else:
                counted.add(person_id)
                keys = [("group", group_of[practice_id], m.key)]
                if person_id in splits:
                    keys += [("split", dim, cat, m.key) for dim, cat in splits[person_id].items()]
                for key in keys:
                    f.counts[key] = f.counts.get(key, 0) + 1
            if m.snapshot or day is None:
                continue
            month = day.strftime("%Y-%m")
            if m.people and (month, person_id) in counted_month:
                continue
            counted_month.add((month, person_id))
            f.counts[("month", month, m.key)] = f.counts.get(("month", month, m.key), 0) + 1
        total = ("group", TOTAL, m.key)
        if groups:
            parts = [("group", code, m.key) for code, _ in groups]
            f.add_total(total, parts)
            f.counts[total] = sum(f.counts[k] for k in parts)
        f.counts.setdefault(total, 0)
        if not m.snapshot:
            for month in months:
                f.counts.setdefault(("month", month, m.key), 0)
            if not m.people:
                f.add_total(total, [("month", month, m.key) for month in months])
        if split:
            for dim, (_, categories) in SPLITS.items():
                parts = [("split", dim, cat, m.key) for cat in categories]
                unplaced = f.counts[total] - sum(f.counts.get(k, 0) for k in parts)
                if unplaced:  # a person not found (should not happen): kept so the parts still add up
                    key = ("split", dim, "Not known", m.key)
                    f.counts[key] = f.counts.get(key, 0) + unplaced
                    parts += [] if key in parts else [key]
                f.add_total(total, parts)
    for d in days:
        by_month = defaultdict(list)
        for practice_id, day, n in d.durations(period, area.practice_ids):
            if practice_id in group_of:
                by_month[day.strftime("%Y-%m")].append(n)
        for month in months:
            f.values[("days", month, d.key)] = _days(by_month[month])
        f.values[("days", TOTAL, d.key)] = _days([n for month in months for n in by_month[month]])
    return f


# Presenting. ------------------------------------------------------------------------------------------------


def measure_report(
    slug, title, measures, days=(), *, period: Period, area: Area, by, geography, notes, extra_tables=()
) -> Report:
    """The report of a list of measures: by area, month by month (with a chart of the first two), the splits,
    and any tables made apart (`extra_tables`)."""
    figures = measure_figures(measures, days, period=period, area=area, by=by, geography=geography)
    shown = disclose(figures.counts, figures.relations)

    def s(key) -> Shown:
        return shown.get(key, Shown("0", 0))

    by_group = Table(
        "by-area",
        f"In the period, by {LEVEL_PHRASES.get(by, 'area')}",
        [Column(LEVEL_NAMES.get(by, "Area"), "label"), *[Column(m.heading, "count") for m in measures]],
    )
    for code, name in _group_rows(figures, area) if figures.groups else [(TOTAL, area.name)]:
        by_group.rows.append([Cell.label(name), *[Cell.count(s(("group", code, m.key))) for m in measures]])
    monthly = [m for m in measures if not m.snapshot]
    by_month = Table(
        "by-month",
        "Month by month",
        [
            Column("Month", "label"),
            *[Column(m.heading, "count") for m in monthly],
            *[
                c
                for d in days
                for c in (Column(f"{d.heading} (median)", "days"), Column(f"{d.heading} (90th centile)", "days"))
            ],
        ],
    )
    rows = [(m.strftime("%Y-%m"), month_label(m)) for m in period.months] + [(TOTAL, "Whole period")]
    series = {m.key: ([], []) for m in monthly}
    for key, label in rows:
        cells = [Cell.label(label)]
        for m in monthly:
            count = s(("group", TOTAL, m.key)) if key == TOTAL else s(("month", key, m.key))
            cells.append(Cell.count(count))
            if key != TOTAL:
                series[m.key][0].append(count.value)
                series[m.key][1].append(count.text)
        for d in days:
            n = s(("group", TOTAL, d.count_of)) if key == TOTAL else s(("month", key, d.count_of))
            median, p90 = figures.values.get(("days", key, d.key), (None, None))
            cells += [Cell.days(median, n), Cell.days(p90, n)]
        by_month.rows.append(cells)
    tables = [by_group, by_month] if monthly or days else [by_group]
    split_table = Table(
        "inequalities",
        "In the period, by sex, ethnic group, age band (at the end of the period) and deprivation (IMD quintile)",
        [Column("Group", "label"), Column("Split", "label"), *[Column(m.heading, "count") for m in measures]],
    )
    for dim, (dim_name, categories) in SPLITS.items():
        for cat in categories if NOT_KNOWN in categories else [*categories, NOT_KNOWN]:
            keys = [("split", dim, cat, m.key) for m in measures]
            if cat == NOT_KNOWN and dim != "sex" and not any(k in figures.counts for k in keys):
                continue
            split_table.rows.append([Cell.label(dim_name), Cell.label(cat), *[Cell.count(s(k)) for k in keys]])
    if any(k[0] == "split" for k in figures.counts):
        tables.append(split_table)
    tables += list(extra_tables)
    labels = _month_labels(period)
    report_charts = [
        charts.xmr_chart(
            id=f"chart-{m.key.replace('_', '-')}",
            title=f"{m.heading}, each month",
            labels=labels,
            values=series[m.key][0],
            shown=series[m.key][1],
            improvement=m.improvement,
        )
        for m in monthly[:2]
    ]
    return Report(slug, title, period, area, by, tables, report_charts, notes)
