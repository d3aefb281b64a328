"""C5: an MHP's caseload page with 300 people on it.

Target: p95 server time <= 100 ms (the P3 bar for a page about many records), and the number of SQL queries does
not grow with the number of people on the caseload.

Everything is built through the services (person_register, episode_open, assessment_record, session_record), as
the test fixtures are: each person on the caseload has an assessment and two sessions, so the page's per-row
figures (sessions, last session, assessed) have rows to count. Two MHPs in the same PCN are compared: one with 10
people, one with 300; the page must run the same number of queries for both. Requests go through
django.test.Client, signed in (force_login) as the MHP, second factor skipped as in the demo. Server time is the
time Client.get takes in this process. Baseline: GET /health, a trivial view, through the same client and
middleware in the same run.
"""

import argparse
import datetime as dt
import time

from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step
from .p3_record import count_queries

TARGET_MS = 100
PEOPLE = 300
SMALL = 10
WARM_UP = 20


def time_requests(client, url: str, n: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU times (this process only) of n requests, after a warm-up."""
    for _ in range(WARM_UP):
        client.get(url)
    times, cpu_times = [], []
    for _ in range(n):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
        assert response.status_code == 200, (url, response.status_code)
    return times, cpu_times


def build(label: str, *, people: int, gp, team, practices, start: int):
    """An MHP in `team` with `people` people on their caseload, each assessed and seen twice."""
    from django.db import transaction
    from django.utils import timezone

    from joinedup.accounts.roles import ConsentKind, Role
    from joinedup.accounts.services import staff_create
    from joinedup.people.services import person_register
    from joinedup.primarycare import services

    today = timezone.localdate()
    with transaction.atomic():
        mhp = staff_create(
            username=f"bench.{label}.mhp", first_name="Mina", last_name=label.title(), memberships=[(team, Role.MHP)]
        )
        for i in range(people):
            person = person_register(
                by=gp,
                given_name=f"Person{start + i:04d}",
                family_name=f"Caseload{label.title()}",
                date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=start + i),
                practice=practices[i % len(practices)],
                consents={ConsentKind.NHS: True},
            )
            episode = services.episode_open(
                by=mhp, person=person, reason="Low mood", opened_on=today - dt.timedelta(days=30)
            )
            services.assessment_record(
                by=mhp,
                episode=episode,
                assessed_on=today - dt.timedelta(days=28),
                needs={"mental_health": "Low mood", "money": "Arrears"},
                risk_summary="No current risk",
                what_matters="Work",
                baseline="later",
            )
            for days in (20, 10):
                services.session_record(
                    by=mhp,
                    episode=episode,
                    session_type="problem_solving",
                    held_on=today - dt.timedelta(days=days),
                    what_was_done="Problem list",
                    outcome="One step agreed",
                )
    return mhp


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    requests = 500 if args.full else 200

    setup_django()
    prepare_database()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Practice, Team, TeamKind

    settings.PRIMARY_CARE_CASELOAD_LIMIT = PEOPLE + SMALL  # the benchmark's caseload is bigger than the default
    practice = Practice.objects.filter(pcn__isnull=False).order_by("ods_code").first()
    practices = [practice]  # the GP registers people at their own practice
    team = Team.objects.get(kind=TeamKind.PCN_MENTAL_HEALTH, pcn=practice.pcn)
    gp = staff_create(
        username="bench.gp",
        first_name="Gina",
        last_name="Practice",
        memberships=[(Team.objects.get(kind=TeamKind.PRACTICE, practice=practice), Role.GP_PRACTICE_STAFF)],
    )
    with step(f"build a caseload of {PEOPLE} people (assessment and two sessions each)"):
        big = build("big", people=PEOPLE, gp=gp, team=team, practices=practices, start=0)
    with step(f"build a caseload of {SMALL} people"):
        small = build("small", people=SMALL, gp=gp, team=team, practices=practices, start=PEOPLE)

    url = reverse("primarycare:caseload")
    client, small_client = Client(), Client()
    client.force_login(big)
    small_client.force_login(small)
    count_queries(small_client, url)  # first request: session, caches
    count_queries(client, url)
    small_count = count_queries(small_client, url)[0]
    big_count, sql = count_queries(client, url)
    rows = client.get(url).content.decode().count("/primary-care/") - small_client.get(url).content.decode().count(
        "/primary-care/"
    )
    assert rows == PEOPLE - SMALL, f"the big caseload page lists {rows} more rows than the small one"
    print(f"  caseload page SQL queries: {small_count} with {SMALL} people, {big_count} with {PEOPLE}", flush=True)
    if args.verbose:
        for q in sql:
            print(f"    {q[:160]}", flush=True)

    with step(f"{requests} requests for the caseload page ({PEOPLE} people)"):
        times, cpu = time_requests(client, url, requests)
    with step(f"{requests} requests for /health (baseline)"):
        health, health_cpu = time_requests(client, "/health", requests)
    p95, base = percentile(times, 95), percentile(health, 95)
    print(f"  caseload: p50 {ms(percentile(times, 50))} ms, p95 {ms(p95)} ms, max {ms(max(times))} ms", flush=True)
    print(f"  /health: p50 {ms(percentile(health, 50))} ms, p95 {ms(base)} ms", flush=True)
    constant = small_count == big_count
    emit(
        {
            "id": "C5",
            "figure": ms(p95),
            "unit": "ms",
            "baseline": "GET /health (trivial view) through the same client and middleware",
            "baseline_figure": ms(base),
            "ratio": ratio(p95, base),
            "target": f"p95 <= {TARGET_MS} ms; queries constant",
            "met": p95 <= TARGET_MS / 1000 and constant,
            "size": PEOPLE,
            "requests": requests,
            "backend": backend(),
            "p50": ms(percentile(times, 50)),
            "queries": {str(SMALL): small_count, str(PEOPLE): big_count},
            "queries_constant": constant,
            # CPU time of this process: steadier than wall time on a busy machine.
            "cpu_p50": ms(percentile(cpu, 50)),
            "cpu_p95": ms(percentile(cpu, 95)),
            "health_cpu_p95": ms(percentile(health_cpu, 95)),
        }
    )


if __name__ == "__main__":
    main()
