"""P9: a commissioner's report page from the reporting store, and a refresh of the store, against the same figure
written by hand in SQL in the same run.

The issue's target region is 2,000,000 people, 600,000 on registers and three years of activity: report page p95
<= 300 ms, a refresh after one day's activity <= 60 s. On a shared 2-core machine that region takes far longer to
build than a run may, so by default the register is 20,000 rows (`--size`, or 600,000 with `--full`), made with
the register import (bench.healthchecks_p1's synthetic file), with health checks recorded here spread over three
years for a fifth of them. Then:

- live: the SMI report for the ICB by area over 12 months, worked out from the tables (what a page cost before
  the store; a few runs, it is slow);
- page: the same page served by the view from the reporting store (RequestFactory, a commissioner), p95 of RUNS;
- refresh: one day's activity (1/365 of the checks again, dated today), then `store.refresh` of every report page
  read (each report for the ICB), as the 15-minute job does;
- baseline: the page's headline figure (register and full check in the last 12 months at the end of the period,
  by area) in one hand-written SQL query, p95 of RUNS, interleaved with the page.
"""

import argparse
import datetime as dt
import os
import random
import time
from pathlib import Path

from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

PAGE_TARGET_MS = 300
REFRESH_TARGET_S = 60
RUNS = 50
LIVE_RUNS = 3

BASELINE_SQL = """
SELECT a.code,
       count(*) AS register,
       count(*) FILTER (WHERE e.last_full_check >= %(due)s OR EXISTS (
           SELECT 1 FROM healthchecks_healthcheck h
           WHERE h.person_id = e.person_id AND h."full" AND h.done_on >= %(due)s AND h.done_on <= %(day)s)) AS checked
FROM healthchecks_registerentry e
JOIN directory_practice p ON p.id = e.practice_id
JOIN directory_locality l ON l.id = p.locality_id
JOIN directory_area a ON a.id = l.area_id
WHERE (e.smi_date <= %(day)s OR (e.smi_date IS NULL AND e.joined_on <= %(day)s))
  AND (e.left_on IS NULL OR e.left_on > %(day)s)
  AND (e.remission_code = '' OR e.remission_date > %(day)s)
  AND e.date_of_birth <= %(adult)s
GROUP BY a.code
"""


def add_checks(rng, staff, *, share: float, days_back: int, today: dt.date) -> int:
    from joinedup.healthchecks.models import HealthCheck, RegisterEntry

    people = list(RegisterEntry.objects.values_list("person_id", flat=True))
    checks = [
        HealthCheck(
            person_id=pid,
            by=staff,
            done_on=today - dt.timedelta(days=rng.randint(0, days_back)),
            full=rng.random() < 0.7,
            bmi=25,
            systolic=120,
            diastolic=80,
            hba1c=40,
            total_cholesterol=5,
            smoking="never",
            alcohol_units=4,
        )
        for pid in people
        if rng.random() < share
    ]
    HealthCheck.objects.bulk_create(checks, batch_size=5000)
    return len(checks)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--size", type=int, help="register entries (default 20,000; 600,000 with --full)")
    args = parser.parse_args(argv)
    size = args.size or (600_000 if args.full else 20_000)
    setup_django()
    prepare_database()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from joinedup.accounts.models import User
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Team, TeamKind
    from joinedup.healthchecks.registers import import_register
    from joinedup.healthchecks.rules import adult_born_on_or_before, cutoffs
    from joinedup.reporting import store, views
    from joinedup.reporting.filters import parse_area, parse_period, practice_geography

    from .healthchecks_p1 import make_file

    vendor = backend()
    path = Path(os.environ["JOINEDUP_VAR_DIR"]) / "register.csv"
    with step(f"make and import a {size:,}-row register"):
        make_file(path, size)
        with open(path, "rb") as f:
            import_register(f, filename=path.name)
    team = Team.objects.filter(kind=TeamKind.COMMISSIONING).order_by("code").first()
    user = staff_create(
        username="bench.commissioner",
        first_name="Cam",
        last_name="Commissioner",
        memberships=[(team, Role.COMMISSIONER)],
    )
    rng = random.Random(2026)
    today = timezone.localdate()
    with step("three years of health checks"):
        n_checks = add_checks(rng, user, share=0.2, days_back=3 * 365, today=today)
    if vendor == "postgresql":
        with step("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    geography = practice_geography()
    period = parse_period({}, today=today)
    area = parse_area("icb", geography)
    title, build = views.REPORTS["smi-health-checks"]
    live = []
    with step("live: the SMI report worked out from the tables"):
        for _ in range(LIVE_RUNS):
            started = time.perf_counter()
            build(period=period, area=area, by="area", geography=geography)
            live.append(time.perf_counter() - started)

    factory = RequestFactory()

    def page():
        request = factory.get("/reports/smi-health-checks/", {"by": "area"})
        request.user = User.objects.get(pk=user.pk)
        request.session = SessionStore()
        response = views.smi_health_checks(request)
        assert response.status_code == 200, response.status_code

    for slug, (_, report_build) in views.REPORTS.items():  # every report read once, so the store holds them
        store.stored_report(slug, period=period, area=area, by="area", geography=geography, build=report_build)
    overdue, due = cutoffs(today)
    params = {"day": period.end, "due": due, "adult": adult_born_on_or_before(period.end)}
    page_times, sql_times = [], []
    with connection.cursor() as cursor:
        for i in range(RUNS):
            for which in ("page", "sql") if i % 2 == 0 else ("sql", "page"):
                started = time.perf_counter()
                if which == "page":
                    page()
                else:
                    cursor.execute(BASELINE_SQL, params)
                    cursor.fetchall()
                (page_times if which == "page" else sql_times).append(time.perf_counter() - started)

    with step("one day's activity, then a refresh of the store"):
        n_day = add_checks(rng, user, share=0.2 / 365, days_back=0, today=today)
        later = timezone.now() + dt.timedelta(minutes=16)
        started = time.perf_counter()
        refreshed = store.refresh(later)
        refresh_seconds = time.perf_counter() - started

    page_p95, sql_p95 = percentile(page_times, 95), percentile(sql_times, 95)
    print(
        f"  live report {ms(min(live))} ms best of {LIVE_RUNS}; page from the store p95 {ms(page_p95)} ms; "
        f"hand-written SQL p95 {ms(sql_p95)} ms; refresh of {refreshed} reports {refresh_seconds:.1f} s",
        flush=True,
    )
    emit(
        {
            "id": "P9",
            "backend": vendor,
            "register": size,
            "checks": n_checks,
            "day_checks": n_day,
            "live_report_ms": ms(min(live)),
            "page_p95_ms": ms(page_p95),
            "baseline_sql_p95_ms": ms(sql_p95),
            "page_vs_sql": ratio(page_p95, sql_p95),
            "live_vs_sql": ratio(min(live), sql_p95),
            "page_target_ms": PAGE_TARGET_MS,
            "refresh_s": round(refresh_seconds, 2),
            "refreshed_reports": refreshed,
            "refresh_target_s": REFRESH_TARGET_S,
            "page_meets_target": page_p95 * 1000 <= PAGE_TARGET_MS,
            "refresh_meets_target": refresh_seconds <= REFRESH_TARGET_S,
        }
    )


if __name__ == "__main__":
    main()
