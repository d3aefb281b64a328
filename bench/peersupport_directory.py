"""PS1: searching the community directory over 5,000 offers (peer support, issue 6).

Target: p95 server time <= 100 ms (the record page's bar, P3), and the number of SQL queries does not grow
with the number of offers.

Offers come from the synthetic directory (joinedup/peersupport/directory_data.py) through `offers_load`,
the function `manage.py load_directory_offers` and the demo seed call: 5,000 across the 15 localities. The
searches are the ones a peer support worker makes on /peer-support/directory/: by locality and kind of
activity, by locality and words, by words across every locality, and by kind across every locality (a 20-row
page each, with the total). Requests go through django.test.Client signed in as a peer support worker.
Query counts are taken for the same searches with 150 offers loaded and again with 5,000.
Baseline: GET /health, a trivial view, through the same client and middleware, in the same run.
"""

import argparse
import time

from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 100
OFFERS = 5000
SMALL = 150
WARM_UP = 10
SEARCHES = [
    "?locality=blackpool&category=healthy_living",
    "?locality=burnley&q=group",
    "?q=debt+advice",
    "?category=volunteering",
    "?locality=furness&category=social_leisure&q=walk",
]


def load(n: int) -> None:
    from joinedup.directory.models import Locality
    from joinedup.peersupport.directory_data import synthetic_offers
    from joinedup.peersupport.services import offers_load

    localities = list(Locality.objects.order_by("code").values_list("code", "name"))
    per_locality = -(-n // len(localities))
    rows = synthetic_offers(localities, per_locality=per_locality, seed=2026)
    # Take the same number from every locality first, so a small directory still covers them all.
    rows.sort(key=lambda r: (r["code"].rsplit("-", 1)[1], r["locality"]))
    offers_load(rows[:n])


def searcher():
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create
    from joinedup.directory.models import Team, TeamKind

    team = Team.objects.filter(kind=TeamKind.PEER_SUPPORT).order_by("code").first()
    return staff_create(
        username="bench.peer", first_name="Pat", last_name="Peer", memberships=[(team, Role.PEER_SUPPORT_WORKER)]
    )


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def time_requests(client, urls: list[str], n: int) -> list[float]:
    for i in range(WARM_UP):
        client.get(urls[i % len(urls)])
    times = []
    for i in range(n):
        url = urls[i % len(urls)]
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
    requests = 500 if args.full else 200

    setup_django()
    prepare_database()
    from django.test import Client
    from django.urls import reverse

    from joinedup.peersupport.models import Offer

    client = Client()
    client.force_login(searcher())
    base = reverse("peersupport:directory")
    urls = [base + s for s in SEARCHES]

    with step(f"load {SMALL} offers"):
        load(SMALL)
    count_queries(client, urls[0])  # first request: session, caches
    small_counts = [count_queries(client, url) for url in urls]
    with step(f"load {OFFERS:,} offers"):
        load(OFFERS)
    total = Offer.objects.count()
    big_counts = [count_queries(client, url) for url in urls]
    print(f"  SQL queries per search: {small_counts} with {SMALL} offers, {big_counts} with {total:,}", flush=True)

    with step(f"{requests} directory searches over {total:,} offers"):
        searches = time_requests(client, urls, requests)
    with step(f"{requests} requests for /health (baseline)"):
        health = time_requests(client, ["/health"], requests)
    for label, times in (("search", searches), ("health", health)):
        print(
            f"  {label}: p50 {ms(percentile(times, 50))} ms, p95 {ms(percentile(times, 95))} ms, "
            f"max {ms(max(times))} ms",
            flush=True,
        )
    p95, base_p95 = percentile(searches, 95), percentile(health, 95)
    constant = small_counts == big_counts
    emit(
        {
            "id": "PS1",
            "figure": ms(p95),
            "unit": "ms",
            "baseline": "GET /health (trivial view) through the same client and middleware",
            "baseline_figure": ms(base_p95),
            "ratio": ratio(p95, base_p95),
            "target": f"p95 <= {TARGET_MS} ms; queries constant",
            "met": p95 <= TARGET_MS / 1000 and constant,
            "size": total,
            "requests": requests,
            "backend": backend(),
            "p50": ms(percentile(searches, 50)),
            "queries": {str(SMALL): small_counts, str(total): big_counts},
            "queries_constant": constant,
        }
    )


if __name__ == "__main__":
    main()
