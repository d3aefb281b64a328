"""EMDT: the coordinator's triage queue and a meeting's agenda page over a region with 50,000 requests.

Target: p95 server time <= 200 ms for each page, and the number of SQL queries does not grow with the rows
(the queue at 3 requests and at its full first page of 50 of several hundred waiting; an agenda of 2 people
and of 40).

The measured people, requests and meetings are made through the services (person_register, emdt_request_submit,
emdt_request_accept, meeting_create). The region-wide bulk behind them (people and requests in every state across
all fifteen EMDTs, each with its transition rows) is inserted in bulk, as seed_demo does for benchmark sizes:
making 50,000 requests one by one through the services would take longer than the measurement. Requests go through
django.test.Client signed in as the Blackpool EMDT coordinator. Baseline: GET /health, a trivial view, through the
same client and middleware in the same run. The waiting-times query over all requests is timed too.
"""

import argparse
import datetime as dt
import time

from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 200
FULL_REQUESTS = 50_000
QUICK_REQUESTS = 5_000
BIG_AGENDA = 40
WARM_UP = 10


def _person(by, practice, i):
    from joinedup.people.services import person_register

    return person_register(
        by=by,
        given_name=f"Bench{i}",
        family_name="Agenda",
        date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=37 * i),
        practice=practice,
        consents={"nhs": True},
    )


def _request(by, person, at=None):
    from joinedup.referrals.services import emdt_request_submit

    return emdt_request_submit(
        by=by,
        person=person,
        meets_complex_needs=True,
        complex_needs="Debts, housing and low mood",
        services=["debt-advice", "housing-support"],
        meets_care_plan_gap=True,
        care_plan_gap="The plan does not cover money or housing",
        consent_to_discuss=True,
        wants_to_attend="yes",
        urgency="routine",
        at=at,
    )


def build_staff():
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Practice, Team, TeamKind

    practice = Practice.objects.filter(locality__code="blackpool", pcn__isnull=False).order_by("ods_code").first()
    emdt = Team.objects.get(kind=TeamKind.EMDT, locality=practice.locality)
    pcn_team = Team.objects.get(kind=TeamKind.PCN_MENTAL_HEALTH, pcn=practice.pcn)
    gp_team = Team.objects.get(kind=TeamKind.PRACTICE, practice=practice)
    coordinator = staff_create(
        username="bench.coordinator",
        first_name="Rashid",
        last_name="Chair",
        memberships=[(emdt, Role.EMDT_COORDINATOR)],
    )
    mhp = staff_create(
        username="bench.mhp", first_name="Priya", last_name="Network", memberships=[(pcn_team, Role.MHP)]
    )
    gp = staff_create(
        username="bench.gp", first_name="Gina", last_name="Practice", memberships=[(gp_team, Role.GP_PRACTICE_STAFF)]
    )
    return practice, emdt, coordinator, mhp, gp


def bulk_region(total: int, referrer, progress_every=10_000):
    """`total` people across every practice of the region, each with one request to their EMDT, in every state,
    with the transition rows the services would have written."""
    from django.db import transaction
    from django.utils import timezone

    from joinedup.directory.models import EmdtService, Practice, Team, TeamKind
    from joinedup.people.models import Person
    from joinedup.referrals.models import EmdtRequest, EmdtRequestTransition, RequestState

    practices = list(Practice.objects.only("pk", "locality_id").order_by("ods_code"))
    teams = {t.locality_id: t for t in Team.objects.filter(kind=TeamKind.EMDT)}
    services = list(EmdtService.objects.all())
    # The mix of a service a year or two in: most requests are done with, some waiting, a few asked about.
    cycle = (
        [RequestState.DISCUSSED] * 8
        + [RequestState.CLOSED] * 6
        + [RequestState.DECLINED] * 3
        + [RequestState.SUBMITTED] * 2
        + [RequestState.MORE_INFORMATION_REQUESTED]
    )
    now = timezone.now()
    batch = 5000
    done = 0
    while done < total:
        n = min(batch, total - done)
        with transaction.atomic():
            people = Person.objects.bulk_create(
                [
                    Person(
                        given_name=f"Region{done + i}",
                        family_name="Person",
                        search_name=f"region{done + i} person",
                        date_of_birth=dt.date(1950, 1, 1) + dt.timedelta(days=(done + i) % 18000),
                        practice_id=practices[(done + i) % len(practices)].pk,
                        consent_nhs=True,
                    )
                    for i in range(n)
                ]
            )
            if people[0].pk is None:  # backends that do not return ids from bulk inserts
                people = list(Person.objects.order_by("-pk")[:n])[::-1]
            by_pk = {p.pk: p for p in people}
            locality = {p.pk: practices[(done + i) % len(practices)].locality_id for i, p in enumerate(people)}
            requests = []
            for i, p in enumerate(people):
                state = cycle[(done + i) % len(cycle)]
                made = now - dt.timedelta(days=1 + (done + i) % 700, hours=(done + i) % 9)
                requests.append(
                    EmdtRequest(
                        person_id=p.pk,
                        team=teams[locality[p.pk]],
                        referrer=referrer,
                        complex_needs="Bulk benchmark request",
                        care_plan_gap="Bulk benchmark request",
                        consent_to_discuss=True,
                        wants_to_attend="yes",
                        urgency="urgent" if (done + i) % 7 == 0 else "routine",
                        priority=0 if (done + i) % 7 == 0 else 1,
                        state=state,
                        submitted_at=made,
                        state_changed_at=made,
                    )
                )
            requests = EmdtRequest.objects.bulk_create(requests)
            if requests[0].pk is None:
                requests = list(EmdtRequest.objects.order_by("-pk")[:n])[::-1]
            through = EmdtRequest.services.through
            through.objects.bulk_create(
                [
                    through(emdtrequest_id=r.pk, emdtservice_id=services[k % len(services)].pk)
                    for k, r in enumerate(requests)
                ]
            )
            rows = []
            for k, r in enumerate(requests):
                rows.append(
                    EmdtRequestTransition(
                        request_id=r.pk, from_state="", to_state="submitted", by=referrer, at=r.submitted_at
                    )
                )
                decided = r.submitted_at + dt.timedelta(days=1 + k % 20)
                if r.state in (RequestState.DISCUSSED, RequestState.CLOSED):
                    rows.append(
                        EmdtRequestTransition(
                            request_id=r.pk, from_state="submitted", to_state="accepted", by=referrer, at=decided
                        )
                    )
                    rows.append(
                        EmdtRequestTransition(
                            request_id=r.pk,
                            from_state="accepted",
                            to_state="discussed",
                            by=referrer,
                            at=decided + dt.timedelta(days=7 + k % 21),
                        )
                    )
                elif r.state == RequestState.DECLINED:
                    rows.append(
                        EmdtRequestTransition(
                            request_id=r.pk, from_state="submitted", to_state="declined", by=referrer, at=decided
                        )
                    )
                elif r.state == RequestState.MORE_INFORMATION_REQUESTED:
                    rows.append(
                        EmdtRequestTransition(
                            request_id=r.pk,
                            from_state="submitted",
                            to_state="more_information_requested",
                            by=referrer,
                            at=decided,
                        )
                    )
            EmdtRequestTransition.objects.bulk_create(rows)
            del by_pk
        done += n
        if done % progress_every == 0 or done == total:
            print(f"  requests: {done:,} of {total:,}", flush=True)


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def time_requests(client, url, n):
    for _ in range(WARM_UP):
        client.get(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    total = FULL_REQUESTS if args.full else QUICK_REQUESTS
    n_requests = 200 if args.full else 100

    setup_django()
    prepare_database()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from joinedup.meetings.services import meeting_create
    from joinedup.referrals.queries import waiting_times
    from joinedup.referrals.services import emdt_request_accept, emdt_request_ask

    with step("staff, and 3 requests and two meetings through the services"):
        practice, emdt, coordinator, mhp, gp = build_staff()
        few = [_person(gp, practice, i) for i in range(3)]
        made = [_request(mhp, p) for p in few]
        # One waiting for the referrer, so both sections of the queue have rows in both measurements.
        emdt_request_ask(by=coordinator, request=made[0], question="Is there a recent risk assessment?")
        start = timezone.now() + dt.timedelta(days=7)
        small = meeting_create(by=coordinator, team=emdt, starts_at=start, capacity=BIG_AGENDA, place="Hub")
        big = meeting_create(
            by=coordinator, team=emdt, starts_at=start + dt.timedelta(days=7), capacity=BIG_AGENDA, place="Hub"
        )
        for i in range(2):
            emdt_request_accept(by=coordinator, request=_request(mhp, _person(gp, practice, 10 + i)), meeting=small)

    client = Client()
    client.force_login(coordinator)
    queue_url = reverse("referrals:queue")
    small_url, big_url = reverse("meetings:detail", args=[small.pk]), reverse("meetings:detail", args=[big.pk])
    queue_few = count_queries(client, queue_url)
    agenda_few = count_queries(client, small_url)

    with step(f"{total:,} requests across the region in bulk"):
        bulk_region(total, mhp)
    with step(f"an agenda of {BIG_AGENDA} people through the services"):
        for i in range(BIG_AGENDA):
            emdt_request_accept(by=coordinator, request=_request(mhp, _person(gp, practice, 100 + i)), meeting=big)

    from joinedup.referrals.queries import triage_queue

    rows = len(triage_queue(by=coordinator))  # the first page
    queue_many = count_queries(client, queue_url)
    agenda_many = count_queries(client, big_url)
    print(f"  queue rows {rows}; queue queries: {queue_few} with 3 rows, {queue_many} with {rows}", flush=True)
    print(f"  agenda queries: {agenda_few} with 2 people, {agenda_many} with {BIG_AGENDA}", flush=True)

    timings = {}
    with step(f"{n_requests} requests for the triage queue"):
        timings["queue"] = time_requests(client, queue_url, n_requests)
    with step(f"{n_requests} requests for the agenda of {BIG_AGENDA}"):
        timings["agenda"] = time_requests(client, big_url, n_requests)
    with step(f"{n_requests} requests for /health (baseline)"):
        timings["health"] = time_requests(client, "/health", n_requests)
    started = time.perf_counter()
    figures = waiting_times()
    waiting_s = time.perf_counter() - started
    print(f"  waiting times over {total:,} requests: {waiting_s:.2f} s for {len(figures)} EMDTs", flush=True)
    for page, times in timings.items():
        print(f"  {page}: p50 {ms(percentile(times, 50))} ms, p95 {ms(percentile(times, 95))} ms", flush=True)

    p95 = {page: percentile(times, 95) for page, times in timings.items()}
    constant = queue_few == queue_many and agenda_few == agenda_many
    emit(
        {
            "id": "EMDT",
            "figure": ms(max(p95["queue"], p95["agenda"])),
            "unit": "ms",
            "baseline": "GET /health (trivial view) through the same client and middleware",
            "baseline_figure": ms(p95["health"]),
            "ratio": ratio(max(p95["queue"], p95["agenda"]), p95["health"]),
            "target": f"p95 <= {TARGET_MS} ms for the queue and the agenda; queries constant",
            "met": max(p95["queue"], p95["agenda"]) <= TARGET_MS / 1000 and constant,
            "size": total,
            "backend": backend(),
            "queue_p95": ms(p95["queue"]),
            "queue_p50": ms(percentile(timings["queue"], 50)),
            "queue_rows": rows,
            "agenda_p95": ms(p95["agenda"]),
            "agenda_p50": ms(percentile(timings["agenda"], 50)),
            "agenda_people": BIG_AGENDA,
            "queue_queries": {"3": queue_few, str(rows): queue_many},
            "agenda_queries": {"2": agenda_few, str(BIG_AGENDA): agenda_many},
            "queries_constant": constant,
            "waiting_times_s": round(waiting_s, 2),
            "requests": n_requests,
        }
    )


if __name__ == "__main__":
    main()
