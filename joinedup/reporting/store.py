"""The reporting store: built reports kept in ReportSnapshot, refreshed by a scheduled job, read by the pages.

A page asks `stored_report(slug, period, area, by, build)`: a snapshot made less than REPORTING_STORE_MAX_AGE ago
(30 minutes) is read as it is; otherwise the report is built now and stored. Every REPORTING_STORE_REFRESH (15
minutes) the job `reporting.refresh_store` rebuilds the snapshots read in the last day that are older than that
(incremental: only what people read, and a snapshot at most once per run), and drops the ones no one has read for
a week. So a page people use is nearly always served from the store, and its figures are at most about 15
minutes old; the page says when they were worked out.

Snapshots hold only what a page shows (disclosed figures, no person): pickled presenters.Report objects that
only this module writes and reads.
"""

import datetime as dt
import pickle
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.core.schedule import scheduled

from .filters import Period, UnknownArea, parse_area, practice_geography, stored_area_key
from .models import ReportSnapshot

KEEP_UNREAD = dt.timedelta(days=7)
READ_LATELY = dt.timedelta(days=1)


def max_age() -> dt.timedelta:
    return dt.timedelta(minutes=settings.REPORTING_STORE_MAX_AGE_MINUTES)


def refresh_every() -> dt.timedelta:
    return dt.timedelta(minutes=settings.REPORTING_STORE_REFRESH_MINUTES)


def snapshot_key(slug: str, period: Period, area_key: str, by: str | None) -> str:
    return "|".join([slug, area_key, by or "", f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"])


def _save(key, slug, report, seconds, now, *, read=True):
    payload = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
    fields = {"slug": slug, "made_at": now, "payload": payload, "seconds": seconds}
    if read:
        fields["last_read_at"] = now
    try:
        with transaction.atomic():
            ReportSnapshot.objects.update_or_create(
                key=key, defaults=fields, create_defaults={**fields, "last_read_at": now}
            )
    except IntegrityError:  # built at the same moment by another request: either is as good
        pass


def stored_report(slug, *, period: Period, area, by, geography, build, now=None):
    """(report, made_at): from the store when fresh enough, else built now and stored."""
    now = now or timezone.now()
    key = snapshot_key(slug, period, stored_area_key(area), by)
    row = ReportSnapshot.objects.filter(key=key, made_at__gt=now - max_age()).first()
    if row is not None:
        report = pickle.loads(bytes(row.payload))  # noqa: S301  (written by _save only, never from outside)
        ReportSnapshot.objects.filter(pk=row.pk).update(last_read_at=now)
        report.period = period  # "today" moves on; the figures are those of made_at
        return report, row.made_at
    started = time.perf_counter()
    report = build(period=period, area=area, by=by, geography=geography)
    _save(key, slug, report, time.perf_counter() - started, now)
    return report, now


def refresh(now=None, *, reports=None) -> int:
    """Rebuild every snapshot read lately and older than the refresh interval. Returns how many."""
    if reports is None:
        from .views import REPORTS as reports
    now = now or timezone.now()
    today = timezone.localdate(now)
    stale = ReportSnapshot.objects.filter(
        made_at__lte=now - refresh_every(), last_read_at__gte=now - READ_LATELY
    ).values_list("key", "slug")
    geography = practice_geography()
    done = 0
    for key, slug in list(stale):
        _, area_key, by, first, last = key.split("|")
        if slug not in reports:
            continue
        period = Period(dt.date(int(first[:4]), int(first[5:]), 1), dt.date(int(last[:4]), int(last[5:]), 1), today)
        try:
            area = parse_area(area_key, geography)
        except UnknownArea:  # the region pack changed: no one can ask for it again
            ReportSnapshot.objects.filter(key=key).delete()
            continue
        started = time.perf_counter()
        report = reports[slug][1](period=period, area=area, by=by or None, geography=geography)
        _save(key, slug, report, time.perf_counter() - started, now, read=False)
        done += 1
    ReportSnapshot.objects.filter(last_read_at__lt=now - KEEP_UNREAD).delete()
    return done


@scheduled("reporting.refresh_store", every=dt.timedelta(minutes=15))
def refresh_store(now):
    """Every 15 minutes: the reports people read lately, worked out again."""
    refresh(now)


@scheduled("reporting.smi_month_ends", every=dt.timedelta(days=1))
def smi_month_ends(now):
    """Daily: the SMI register figures at each kept month end worked out again (queries.month_end_counts), so
    late changes reach past months within a day and a page or a 15-minute refresh never waits for them."""
    from .models import SmiMonthEnd
    from .queries import month_end_counts

    for day in SmiMonthEnd.objects.order_by("day").values_list("day", flat=True):
        month_end_counts(day, again=True)
