"""P3: a person's record page with 1,000 timeline entries and 30 care team members.

Target: p95 server time <= 100 ms, and the number of SQL queries does not grow with the number of entries.

Everything is built through the services (person_register, care_team_add, timeline_add), as the test fixtures
are. Two people are compared: one with 10 timeline entries and 9 care team members, one with 1,000 entries and
30 members; the page must run the same number of queries for both. Requests go through django.test.Client,
signed in (force_login) as a community clinician on both care teams; the second factor is skipped, as in the
demo. Server time is the time Client.get takes in this process: URL resolution, every middleware, the view,
the template and the SQL. Baseline: GET /health, a trivial view, through the same client and middleware
(session, authentication, sign-in check) in the same run.
"""

import argparse
import datetime as dt
import time

from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 100
ENTRIES = 1000
CARE_TEAM = 30
SMALL_ENTRIES = 10
WARM_UP = 20


def _staff_pool(practice):
    """(team, role) pairs for care team members, round the teams that serve `practice`."""
    from joinedup.accounts.roles import Role
    from joinedup.directory.models import OrganisationKind, Team, TeamKind

    locality = practice.locality
    pairs = [
        (Team.objects.get(kind=TeamKind.COMMUNITY_MENTAL_HEALTH, locality=locality), Role.COMMUNITY_CLINICIAN),
        (Team.objects.get(kind=TeamKind.PCN_MENTAL_HEALTH, pcn=practice.pcn), Role.MHP),
        (Team.objects.get(kind=TeamKind.EMDT, locality=locality), Role.EMDT_COORDINATOR),
        (Team.objects.get(kind=TeamKind.PRACTICE, practice=practice), Role.GP_PRACTICE_STAFF),
        (Team.objects.get(kind=TeamKind.COMMUNITY_MENTAL_HEALTH, locality=locality), Role.KEY_WORKER),
    ]
    for kind, role in (
        (TeamKind.PEER_SUPPORT, Role.PEER_SUPPORT_WORKER),
        (TeamKind.OUTREACH, Role.OUTREACH_WORKER),
        (TeamKind.PARTNER, Role.PARTNER_PROFESSIONAL),
    ):
        team = Team.objects.filter(kind=kind).order_by("code").first()
        if team is not None:
            pairs.append((team, role))
    council = Team.objects.filter(kind=TeamKind.PARTNER, organisation__kind=OrganisationKind.LOCAL_AUTHORITY).first()
    if council is not None:
        pairs.append((council, Role.PARTNER_PROFESSIONAL))
    return pairs


def build(label: str, *, entries: int, care_team: int):
    """A person with `care_team` members on their care team and exactly `entries` timeline entries.

    Returns (person, the signed-in viewer: a community clinician and key worker on the care team)."""
    from django.db import transaction
    from django.utils import timezone

    from joinedup.accounts.roles import ConsentKind, Role
    from joinedup.accounts.services import staff_create
    from joinedup.care.services import care_team_add
    from joinedup.core.models import Service, TimelineEntry
    from joinedup.core.timeline import timeline_add
    from joinedup.directory.models import Practice
    from joinedup.people.services import person_register

    practice = Practice.objects.filter(pcn__isnull=False).order_by("ods_code").first()
    pool = _staff_pool(practice)
    gp_team = next(team for team, role in pool if role == Role.GP_PRACTICE_STAFF)
    pcn_team = next(team for team, role in pool if role == Role.MHP)
    with transaction.atomic():
        gp = staff_create(
            username=f"bench.{label}.gp",
            first_name="Gina",
            last_name="Practice",
            memberships=[(gp_team, Role.GP_PRACTICE_STAFF)],
        )
        mhp = staff_create(
            username=f"bench.{label}.mhp", first_name="Mo", last_name="Network", memberships=[(pcn_team, Role.MHP)]
        )
        person = person_register(
            by=gp,
            nhs_number=None,
            given_name="Alex",
            family_name=f"Bench{label.title()}",
            date_of_birth=dt.date(1980, 5, 17),
            sex="0",
            postcode="FY1 3AB",
            practice=practice,
            consents={kind: True for kind in ConsentKind.values},
        )
        members = []
        for i in range(care_team):
            team, role = pool[i % len(pool)]
            user = staff_create(
                username=f"bench.{label}.member{i:02d}",
                first_name=f"Member{i:02d}",
                last_name=Role(role).label.split()[0],
                email=f"member{i:02d}@example.nhs.uk",
                phone="01253 000000",
                memberships=[(team, role)],
            )
            care_team_add(
                by=mhp,
                person=person,
                user=user,
                organisation=user.primary_organisation,
                role_title=Role(role).label[:120],
                is_key_worker=i == 0,
            )
            members.append(user)
        services = list(Service.values)
        now = timezone.now()
        for i in range(entries - TimelineEntry.objects.filter(person=person).count()):
            timeline_add(
                person=person,
                service=services[i % len(services)],
                kind="bench_event",
                summary=f"Benchmark event {i}: contact made and plan reviewed with the person",
                by=members[i % len(members)],
                at=now - dt.timedelta(hours=i + 1),
            )
    assert TimelineEntry.objects.filter(person=person).count() == entries, "the timeline has not the size wanted"
    return person, members[0]


def count_queries(client, url: str) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    requests = 500 if args.full else 200

    setup_django()
    prepare_database()
    from django.test import Client
    from django.urls import reverse

    with step(f"build a person with {ENTRIES:,} timeline entries and {CARE_TEAM} care team members"):
        big, viewer = build("big", entries=ENTRIES, care_team=CARE_TEAM)
    with step(f"build a person with {SMALL_ENTRIES} timeline entries and {SMALL_ENTRIES - 1} care team members"):
        small, small_viewer = build("small", entries=SMALL_ENTRIES, care_team=SMALL_ENTRIES - 1)

    client = Client()
    small_client = Client()
    client.force_login(viewer)
    small_client.force_login(small_viewer)
    pages = {"record": "people:record", "timeline": "people:timeline"}
    queries = {}
    for page, name in pages.items():
        count_queries(small_client, reverse(name, args=[small.pk]))  # first request: session, caches
        count_queries(client, reverse(name, args=[big.pk]))
        queries[page] = (
            count_queries(small_client, reverse(name, args=[small.pk]))[0],
            count_queries(client, reverse(name, args=[big.pk])),
        )
        print(
            f"  {page} page SQL queries: {queries[page][0]} with {SMALL_ENTRIES} entries, "
            f"{queries[page][1][0]} with {ENTRIES:,} entries",
            flush=True,
        )
        if args.verbose:
            for sql in queries[page][1][1]:
                print(f"    {sql[:160]}", flush=True)

    timings, cpu = {}, {}
    for page, name in pages.items():
        with step(f"{requests} requests for the {page} page"):
            timings[page], cpu[page] = time_requests(client, reverse(name, args=[big.pk]), requests)
    with step(f"{requests} requests for /health (baseline)"):
        timings["health"], cpu["health"] = time_requests(client, "/health", requests)
    for page, times in timings.items():
        print(
            f"  {page}: p50 {ms(percentile(times, 50))} ms, p95 {ms(percentile(times, 95))} ms, "
            f"max {ms(max(times))} ms; CPU time in this process p50 {ms(percentile(cpu[page], 50))} ms, "
            f"p95 {ms(percentile(cpu[page], 95))} ms",
            flush=True,
        )

    p95 = {page: percentile(times, 95) for page, times in timings.items()}
    constant = all(small_count == big_count for small_count, (big_count, _) in queries.values())
    emit(
        {
            "id": "P3",
            "figure": ms(p95["record"]),
            "unit": "ms",
            "baseline": "GET /health (trivial view) through the same client and middleware",
            "baseline_figure": ms(p95["health"]),
            "ratio": ratio(p95["record"], p95["health"]),
            "target": f"p95 <= {TARGET_MS} ms; queries constant",
            "met": p95["record"] <= TARGET_MS / 1000 and p95["timeline"] <= TARGET_MS / 1000 and constant,
            "size": ENTRIES,
            "care_team": CARE_TEAM,
            "requests": requests,
            "backend": backend(),
            "record_p50": ms(percentile(timings["record"], 50)),
            "timeline_p95": ms(p95["timeline"]),
            "timeline_p50": ms(percentile(timings["timeline"], 50)),
            "record_queries": {str(SMALL_ENTRIES): queries["record"][0], str(ENTRIES): queries["record"][1][0]},
            "timeline_queries": {str(SMALL_ENTRIES): queries["timeline"][0], str(ENTRIES): queries["timeline"][1][0]},
            "queries_constant": constant,
            # CPU time of this process: steadier than wall time on a busy machine; leaves out the database
            # server's own work on PostgreSQL.
            "record_cpu_p50": ms(percentile(cpu["record"], 50)),
            "record_cpu_p95": ms(percentile(cpu["record"], 95)),
            "health_cpu_p95": ms(percentile(cpu["health"], 95)),
        }
    )


if __name__ == "__main__":
    main()
