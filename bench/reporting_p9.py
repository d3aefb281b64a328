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
RUNS = 30

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


def day_of_activity(cursor, user_id: int, today: dt.date) -> int:
    """One day's activity at the full region's rate, dated today: health checks, EMDT requests and MHP sessions."""
    cursor.execute(
        """
        INSERT INTO healthchecks_healthcheck (done_on, bmi, systolic, diastolic, hba1c, total_cholesterol, smoking,
            alcohol_units, glucose_kind, wider, "full", recorded_at, by_id, person_id)
        SELECT %(today)s, 25, 120, 80, 40, 5, 'never', 4, '', '{}'::jsonb, true, now(), %(user)s, person_id
        FROM healthchecks_registerentry WHERE id %% 365 = 7
        """,
        {"today": today, "user": user_id},
    )
    n = cursor.rowcount
    cursor.execute(
        """
        INSERT INTO referrals_emdtrequest (complex_needs, care_plan_gap, other_emdt_reason, consent_to_discuss,
            wants_to_attend, risks, urgency, priority, state, submitted_at, state_changed_at, recommendation,
            question, person_id, referrer_id, referrer_organisation_id, team_id)
        SELECT 'Bench', '', '', true, 'no', '', 'routine', 0, 'submitted', now(), now(), '', '', p.id,
               %(user)s, NULL, t.id
        FROM people_person p
        JOIN directory_practice pr ON pr.id = p.practice_id
        JOIN directory_team t ON t.locality_id = pr.locality_id AND t.kind = 'emdt'
        WHERE p.id %% 14600 = 21
        """,
        {"user": user_id},
    )
    n += cursor.rowcount
    cursor.execute(
        """
        INSERT INTO primarycare_session (number, session_type, held_on, what_was_done, outcome, over_limit_reason,
            recorded_at, reviewed_at, review_comment, delivered_by_id, episode_id, person_id, reviewed_by_id,
            supervisor_id)
        SELECT 4, 'face_to_face', %(today)s, 'Bench', '', '', now(), NULL, '', %(user)s, id, person_id, NULL, NULL
        FROM primarycare_episode WHERE id %% 120 = 13
        """,
        {"today": today, "user": user_id},
    )
    return n + cursor.rowcount


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="the issue's region, made in SQL (PostgreSQL only)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--size", type=int, help="register entries at the quick size (default 20,000)")
    parser.add_argument("--people", type=int, default=2_000_000, help="people with --full")
    parser.add_argument("--register", type=int, default=600_000, help="register entries with --full")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a full region already in the database (run by hand on your own)"
    )
    parser.add_argument("--generate-only", action="store_true", help="with --full: make the region and stop")
    args = parser.parse_args(argv)
    size = args.size or 20_000
    setup_django()
    prepare_database()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils import timezone

    from joinedup.accounts.models import User
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Team, TeamKind
    from joinedup.healthchecks.registers import import_register
    from joinedup.healthchecks.rules import adult_born_on_or_before, cutoffs
    from joinedup.people.models import Person
    from joinedup.reporting import store, views
    from joinedup.reporting.deprivation import load_deprivation
    from joinedup.reporting.filters import parse_area, parse_period, practice_geography
    from joinedup.reporting.models import ReportSnapshot, SmiMonthEnd

    from .healthchecks_p1 import make_file
    from .reporting_region import generate

    vendor = backend()
    load_deprivation(settings.REGION_PACK)
    today = timezone.localdate()
    user = User.objects.filter(username="bench.commissioner").first()
    if user is None:
        team = Team.objects.filter(kind=TeamKind.COMMISSIONING).order_by("code").first()
        user = staff_create(
            username="bench.commissioner",
            first_name="Cam",
            last_name="Commissioner",
            memberships=[(team, Role.COMMISSIONER)],
        )
    rng = random.Random(2026)
    counts = {}
    if args.full:
        if vendor != "postgresql":
            raise SystemExit("--full makes the region in PostgreSQL's SQL: set DATABASE_URL to a PostgreSQL database")
        if args.reuse and Person.objects.count() >= args.people:
            print("  reusing the region already in the database", flush=True)
        else:
            what = f"make {args.people:,} people, {args.register:,} on registers and three years of activity"
            with step(what), connection.cursor() as cursor:
                counts = generate(cursor, people=args.people, register=args.register, today=today, user_id=user.pk)
        size = args.register
        n_checks = counts.get("healthchecks_healthcheck", 0)
    else:
        path = Path(os.environ["JOINEDUP_VAR_DIR"]) / "register.csv"
        with step(f"make and import a {size:,}-row register"):
            make_file(path, size)
            with open(path, "rb") as f:
                import_register(f, filename=path.name)
        with step("three years of health checks"):
            n_checks = add_checks(rng, user, share=0.2, days_back=3 * 365, today=today)
    if vendor == "postgresql":
        with step("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if args.generate_only:
        print(f"  made: {counts}", flush=True)
        return

    geography = practice_geography()
    period = parse_period({}, today=today)
    area = parse_area("icb", geography)
    ReportSnapshot.objects.all().delete()
    SmiMonthEnd.objects.all().delete()  # cold: the first build works the month ends out (then keeps them)
    builds = {}
    for slug, (_, report_build) in views.REPORTS.items():  # every report built once (a page before the store)
        with step(f"live: {slug} worked out from the tables"):
            started = time.perf_counter()
            store.stored_report(slug, period=period, area=area, by="area", geography=geography, build=report_build)
            builds[slug] = time.perf_counter() - started

    factory = RequestFactory()
    reader = User.objects.get(pk=user.pk)

    def page(slug):
        request = factory.get(f"/reports/{slug}/", {"by": "area"})
        request.user = reader
        request.session = SessionStore()
        response = resolve(f"/reports/{slug}/").func(request)
        assert response.status_code == 200, response.status_code

    overdue, due = cutoffs(today)
    params = {"day": period.end, "due": due, "adult": adult_born_on_or_before(period.end)}
    page_times = {slug: [] for slug in views.REPORTS}
    sql_times = []
    with step("pages from the store, interleaved with the hand-written SQL"), connection.cursor() as cursor:
        for i in range(args.runs):  # each round: every page once, and the baseline once, before or after them
            for which in ("pages", "sql") if i % 2 == 0 else ("sql", "pages"):
                if which == "sql":
                    started = time.perf_counter()
                    cursor.execute(BASELINE_SQL, params)
                    cursor.fetchall()
                    sql_times.append(time.perf_counter() - started)
                    continue
                for slug in views.REPORTS:
                    started = time.perf_counter()
                    page(slug)
                    page_times[slug].append(time.perf_counter() - started)

    with step("one day's activity, then a refresh of the store"):
        with connection.cursor() as cursor:
            n_day = day_of_activity(cursor, user.pk, today)
        later = timezone.now() + dt.timedelta(minutes=16)
        started = time.perf_counter()
        refreshed = store.refresh(later)
        refresh_seconds = time.perf_counter() - started

    page_p95 = {slug: percentile(times, 95) for slug, times in page_times.items()}
    worst = max(page_p95.values())
    sql_p95 = percentile(sql_times, 95)
    for slug in views.REPORTS:
        print(f"  {slug}: built in {builds[slug]:.1f} s; page from the store p95 {ms(page_p95[slug])} ms", flush=True)
    print(
        f"  worst page p95 {ms(worst)} ms; hand-written SQL p95 {ms(sql_p95)} ms; "
        f"refresh of {refreshed} reports {refresh_seconds:.1f} s; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    emit(
        {
            "id": "P9",
            "backend": vendor,
            "people": Person.objects.count(),
            "register": size,
            "checks": n_checks,
            "day_rows": n_day,
            "build_s": {slug: round(t, 2) for slug, t in builds.items()},
            "page_p95_ms": {slug: ms(t) for slug, t in page_p95.items()},
            "worst_page_p95_ms": ms(worst),
            "live_report_ms": ms(builds["smi-health-checks"]),
            "baseline_sql_p95_ms": ms(sql_p95),
            "page_vs_sql": ratio(worst, sql_p95),
            "live_vs_sql": ratio(builds["smi-health-checks"], sql_p95),
            "page_target_ms": PAGE_TARGET_MS,
            "refresh_s": round(refresh_seconds, 2),
            "refreshed_reports": refreshed,
            "refresh_target_s": REFRESH_TARGET_S,
            "page_meets_target": worst * 1000 <= PAGE_TARGET_MS,
            "refresh_meets_target": refresh_seconds <= REFRESH_TARGET_S,
            "load": os.getloadavg()[0],
            "counts": counts,
        }
    )


if __name__ == "__main__":
    main()
