"""The monthly report for each area: a PDF made on the first working day after the month, by a scheduled job,
then kept unchanged (models.MonthlyReport) and listed on the reports page.

The job runs daily and decides itself: from the first working day of a month on, it makes last month's report
for every area that has none yet (so a missed day catches up, and a second run makes nothing twice). Each PDF
holds every report for the 12 months ending with that month, with its charts and tables, as the pages show them.
"""

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from joinedup.core.schedule import scheduled
from joinedup.directory.models import Region

from .filters import (
    PROVIDER,
    Period,
    UnknownArea,
    add_months,
    area_choices,
    month_start,
    parse_area,
    practice_geography,
    stored_area_key,
)
from .models import MonthlyReport

LEVELS_FOR_PDF = ("icb", "area", PROVIDER, "locality")
MONTHS_IN_PDF = 12


def first_working_day(month: dt.date) -> dt.date:
    """The first Monday to Friday of the month that is not New Year's Day."""
    day = month_start(month)
    while day.weekday() >= 5 or (day.month, day.day) == (1, 1):
        day += dt.timedelta(days=1)
    return day


def pdf_areas(geography) -> list[str]:
    """The areas of one region's geography that get a monthly PDF, by their stored key (the ICB with its code)."""
    keys = [key for key, _ in area_choices(geography) if key.split(":")[0] in LEVELS_FOR_PDF]
    return [stored_area_key(parse_area(key, geography)) if key == "icb" else key for key in keys]


def legacy_monthly_key(area_key: str) -> str:
    """Monthly reports made before there were several regions say "icb": that was the first region loaded."""
    if area_key != "icb":
        return area_key
    code = Region.objects.order_by("pk").values_list("code", flat=True).first()
    return f"icb:{code}" if code else area_key


def render_pdf(area, month: dt.date, *, today: dt.date, made_at, geography) -> bytes:
    from weasyprint import HTML

    from .views import REPORTS

    period = Period(add_months(month, 1 - MONTHS_IN_PDF), month, today)
    reports = [
        build(period=period, area=area, by=area.child_levels[0] if area.child_levels else None, geography=geography)
        for _, build in REPORTS.values()
    ]
    html = render_to_string(
        "reporting/monthly_pdf.jinja",
        {"reports": reports, "area": area, "month": month, "period": period, "made_at": made_at},
    )
    return HTML(string=html).write_pdf()


def make_monthly_report(area_key: str, month: dt.date, *, now, geography) -> MonthlyReport | None:
    """One area's report for one month, unless it exists. One transaction."""
    if MonthlyReport.objects.filter(area_key=area_key, month=month).exists():
        return None
    area = parse_area(area_key, geography)
    made_at = timezone.localtime(now)
    pdf = render_pdf(area, month, today=timezone.localdate(now), made_at=made_at, geography=geography)
    try:
        with transaction.atomic():
            return MonthlyReport.objects.create(
                area_key=area_key,
                area_title=area.title,
                month=month,
                made_at=now,
                pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(),
            )
    except IntegrityError:  # another scheduler made it at the same moment: theirs stands
        return None


def make_due_monthly_reports(now: dt.datetime, *, areas: list[str] | None = None) -> list[MonthlyReport]:
    today = timezone.localdate(now)
    if today < first_working_day(today):
        return []
    month = add_months(month_start(today), -1)
    made = []
    # Region by region, so each ICB gets its own report and no area mixes two regions' practices.
    for region_id in Region.objects.order_by("pk").values_list("pk", flat=True):
        geography = practice_geography([region_id])
        if not geography:
            continue
        keys = pdf_areas(geography)
        for key in keys if areas is None else [k for k in areas if k in keys or _in(k, geography)]:
            report = make_monthly_report(key, month, now=now, geography=geography)
            if report is not None:
                made.append(report)
    return made


def _in(area_key: str, geography) -> bool:
    try:
        parse_area(area_key, geography)
    except UnknownArea:
        return False
    return True


@scheduled("reporting.monthly_reports", every=dt.timedelta(days=1))
def monthly_reports(now):
    """Daily: from the first working day of a month, last month's PDF for every area that has none."""
    make_due_monthly_reports(now)
