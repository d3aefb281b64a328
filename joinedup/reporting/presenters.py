"""Reports as tables and charts: every count hidden or rounded by `disclosure.disclose`, in one call per report.

A table is what a page shows and what the CSV and XLSX files carry, cell for cell, so a file can never show
more than the page.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from . import charts, spc
from .disclosure import HIDDEN, Shown, disclose, percent, percent_value
from .filters import LEVEL_NAMES, LEVEL_PHRASES, Area, Period, month_label
from .queries import ELEMENTS, EMDT_MONTHLY, SOURCES, TOTAL, Figures, smi_month_key

FEWEST_FOR_DAYS = 8  # days are only shown when the number they come from is itself shown


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str  # "label", "count", "percent" or "days"


@dataclass(frozen=True)
class Cell:
    text: str
    value: object  # what a file holds: a number, "*" or a label

    @classmethod
    def count(cls, shown: Shown):
        return cls(shown.text, HIDDEN if shown.hidden else shown.value)

    @classmethod
    def label(cls, text: str):
        return cls(text, text)

    @classmethod
    def percent(cls, part: Shown, whole: Shown):
        value = percent_value(part, whole)
        if value is None:
            return cls(percent(part, whole), HIDDEN if part.hidden or whole.hidden else "")
        return cls(percent(part, whole), round(value))

    @classmethod
    def days(cls, value: float | None, n: Shown):
        if value is None or n.hidden or (n.value or 0) < FEWEST_FOR_DAYS:
            return cls("-" if not n.hidden else HIDDEN, "" if not n.hidden else HIDDEN)
        text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
        return cls(text, value)


@dataclass
class Table:
    slug: str
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Report:
    slug: str
    title: str
    period: Period
    area: Area
    by: str | None
    tables: list[Table]
    charts: list
    notes: list[str]
    figures_at: dt.datetime | None = None  # when the figures were worked out (the reporting store says)

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)

    @property
    def by_name(self) -> str:
        return LEVEL_NAMES.get(self.by, "")


def _month_labels(period: Period) -> list[str]:
    return [m.strftime("%b %Y") for m in period.months]


def _group_rows(figures: Figures, area: Area):
    """The breakdown's groups, then the whole area as the last row."""
    return [(code, name) for code, name in figures.groups] + [(TOTAL, f"{area.name} (all)")]


# SMI physical health checks. --------------------------------------------------------------------------------


def smi_report(figures: Figures, *, period: Period, area: Area, by: str | None) -> Report:
    shown = disclose(figures.counts, figures.relations)
    target = settings.HEALTH_CHECK_COVERAGE_TARGET

    def s(key) -> Shown:
        return shown.get(key, Shown("0", 0))

    by_group = Table(
        "by-area",
        f"At {period.end:%-d %B %Y}, by {LEVEL_PHRASES.get(by, 'area')}; checks and follow-ups in the period",
        [
            Column(LEVEL_NAMES.get(by, "Area"), "label"),
            Column("On the register", "count"),
            Column("Full check in the last 12 months", "count"),
            Column(f"Per cent (target {target}%)", "percent"),
            Column("No full check in 36 months", "count"),
            Column("Per cent", "percent"),
            *[Column(f"{name} in the last 12 months", "count") for _, name in ELEMENTS],
            Column("Checks done", "count"),
            Column("Follow-ups offered", "count"),
            Column("Follow-ups completed", "count"),
        ],
    )
    for code, name in _group_rows(figures, area):
        register = s(("group", code, "register"))
        checked = s(("group", code, "checked_12m"))
        none = s(("group", code, "none_36m"))
        by_group.rows.append(
            [
                Cell.label(name),
                Cell.count(register),
                Cell.count(checked),
                Cell.percent(checked, register),
                Cell.count(none),
                Cell.percent(none, register),
                *[Cell.count(s(("group", code, element))) for element, _ in ELEMENTS],
                *[Cell.count(s(("group", code, m))) for m in ("checks_done", "follow_ups_offered", "follow_ups_done")],
            ]
        )
    by_month = Table(
        "by-month",
        "Month by month: the register at the end of each month, checks and follow-ups during it",
        [
            Column("Month", "label"),
            Column("On the register", "count"),
            Column("Full check in the last 12 months", "count"),
            Column(f"Per cent (target {target}%)", "percent"),
            Column("No full check in 36 months", "count"),
            Column("Checks done", "count"),
            Column("Follow-ups offered", "count"),
            Column("Follow-ups completed", "count"),
        ],
    )
    coverage, coverage_text = [], []
    checks, checks_text = [], []
    for month in period.months:
        register = s(smi_month_key(period, month, "register"))
        checked = s(smi_month_key(period, month, "checked_12m"))
        done = s(("activity", month.strftime("%Y-%m"), "checks_done"))
        by_month.rows.append(
            [
                Cell.label(month_label(month)),
                Cell.count(register),
                Cell.count(checked),
                Cell.percent(checked, register),
                Cell.count(s(smi_month_key(period, month, "none_36m"))),
                Cell.count(done),
                Cell.count(s(("activity", month.strftime("%Y-%m"), "follow_ups_offered"))),
                Cell.count(s(("activity", month.strftime("%Y-%m"), "follow_ups_done"))),
            ]
        )
        coverage.append(percent_value(checked, register))
        coverage_text.append(percent(checked, register))
        checks.append(done.value)
        checks_text.append(done.text)
    labels = _month_labels(period)
    report_charts = [
        charts.xmr_chart(
            id="chart-coverage",
            title="Full check in the last 12 months (per cent of the register)",
            labels=labels,
            values=coverage,
            shown=coverage_text,
            unit="%",
            improvement=spc.UP,
            target=target,
        ),
        charts.xmr_chart(
            id="chart-checks",
            title="Health checks done each month",
            labels=labels,
            values=checks,
            shown=checks_text,
            improvement=spc.UP,
        ),
    ]
    notes = [
        "Adults on a GP practice's SMI register who are not in remission. A full check has all six elements.",
        "Earlier months use the register's latest full check date and the checks this service recorded; a "
        "practice's earlier checks replaced by a later one are not known, so older months may read low.",
    ]
    return Report(
        "smi-health-checks", "SMI physical health checks", period, area, by, [by_group, by_month], report_charts, notes
    )


# EMDT requests. ---------------------------------------------------------------------------------------------


def emdt_report(figures: Figures, *, period: Period, area: Area, by: str | None) -> Report:
    shown = disclose(figures.counts, figures.relations)

    def s(key) -> Shown:
        return shown.get(key, Shown("0", 0))

    by_source = Table(
        "by-source",
        f"Requests received by who made them, by {LEVEL_PHRASES.get(by, 'area')}",
        [
            Column(LEVEL_NAMES.get(by, "Area"), "label"),
            *[Column(name, "count") for _, name in SOURCES],
            Column("All requests", "count"),
        ],
    )
    group_rows = _group_rows(figures, area) if figures.groups else [(TOTAL, area.name)]
    for code, name in group_rows:
        by_source.rows.append(
            [
                Cell.label(name),
                *[Cell.count(s(("source", code, src))) for src, _ in SOURCES],
                Cell.count(s(("source", code, TOTAL))),
            ]
        )
    by_month = Table(
        "by-month",
        "Month by month: requests received, triage decisions and discussions in each month",
        [
            Column("Month", "label"),
            Column("Requests received", "count"),
            Column("Triaged", "count"),
            Column("Accepted", "count"),
            Column("Declined", "count"),
            Column("Days to triage (median)", "days"),
            Column("Days to triage (90th centile)", "days"),
            Column("Discussed", "count"),
            Column("Days to discussion (median)", "days"),
            Column("Days to discussion (90th centile)", "days"),
        ],
    )
    received, received_text, triage_median = [], [], []
    rows = [(m.strftime("%Y-%m"), month_label(m)) for m in period.months] + [(TOTAL, "Whole period")]
    for key, label in rows:
        triaged = s(("month", key, "triaged"))
        discussed = s(("month", key, "discussed"))
        t_median, t_p90 = figures.values.get(("days", key, "triage"), (None, None))
        d_median, d_p90 = figures.values.get(("days", key, "discussion"), (None, None))
        by_month.rows.append(
            [
                Cell.label(label),
                *[Cell.count(s(("month", key, m))) for m in EMDT_MONTHLY[:4]],
                Cell.days(t_median, triaged),
                Cell.days(t_p90, triaged),
                Cell.count(discussed),
                Cell.days(d_median, discussed),
                Cell.days(d_p90, discussed),
            ]
        )
        if key != TOTAL:
            r = s(("month", key, "received"))
            received.append(r.value)
            received_text.append(r.text)
            days_cell = Cell.days(t_median, triaged)
            triage_median.append(days_cell.value if isinstance(days_cell.value, float) else None)
    labels = _month_labels(period)
    report_charts = [
        charts.xmr_chart(
            id="chart-received",
            title="EMDT requests received each month",
            labels=labels,
            values=received,
            shown=received_text,
        ),
        charts.xmr_chart(
            id="chart-triage-days",
            title="Days from request to triage (median)",
            labels=labels,
            values=triage_median,
            shown=[f"{v:g}" if v is not None else "-" for v in triage_median],
            unit="days",
            improvement=spc.DOWN,
        ),
    ]
    notes = [
        "People are counted in the area of their GP practice. Triage is the first decision, accepted or declined, "
        "counted in the month it was made; a discussion in the month of its meeting.",
        f"Days are shown only where the number of requests they come from is {FEWEST_FOR_DAYS} or more.",
    ]
    return Report("emdt", "EMDT requests", period, area, by, [by_source, by_month], report_charts, notes)


def stamp(report: Report, made_at: dt.datetime) -> list[tuple[str, str]]:
    """What every exported file says about itself."""
    return [
        ("Report", report.title),
        ("Period", report.period.label),
        ("Area", report.area.title),
        ("Made", f"{made_at:%-d %B %Y at %H:%M}"),
        ("Figures as of", f"{timezone.localtime(report.figures_at or made_at):%-d %B %Y at %H:%M}"),
        (
            "Disclosure control",
            "Counts of 1 to 7 are shown as * and others rounded to the nearest 5; a second "
            "count is hidden where one could be worked out from a total",
        ),
    ]
