"""C4 (caseload): a key worker's caseload page with 200 people, each with plan status and next review date.

Target: p95 <= 100 ms, and the number of SQL queries does not grow with the number of people (a key worker
with 10 people runs the same number). People are registered, put on the key worker's care team and given
plans (a third none, a third a draft, a third agreed) through the services. Requests go through
django.test.Client signed in as the key worker. Baseline: GET /health through the same client, same run.
"""

import argparse

from .care_common import count_queries, key_worker, person_with_key_worker, plan, staff, summary, time_requests
from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 100
PEOPLE = 200
SMALL = 10


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    requests = 300 if args.full else 100

    setup_django()
    prepare_database()
    from django.db import transaction
    from django.test import Client

    with step(f"build a caseload of {PEOPLE} people and one of {SMALL}"), transaction.atomic():
        gp, mhp, cmht, practice = staff()
        big_kw, small_kw = key_worker("bench.kw.big", cmht), key_worker("bench.kw.small", cmht)
        for i in range(PEOPLE + SMALL):
            kw = big_kw if i < PEOPLE else small_kw
            person = person_with_key_worker(i, gp=gp, mhp=mhp, kw=kw, practice=practice)
            if i % 3 == 1:
                plan(person, kw, actions=2, agree=False)
            elif i % 3 == 2:
                plan(person, kw, actions=2)

    big, small = Client(), Client()
    big.force_login(big_kw)
    small.force_login(small_kw)
    url = "/care/caseload/"
    count_queries(big, url)
    count_queries(small, url)
    queries = {SMALL: count_queries(small, url), PEOPLE: count_queries(big, url)}
    print(f"  caseload SQL queries: {queries[SMALL]} with {SMALL} people, {queries[PEOPLE]} with {PEOPLE}", flush=True)
    body = big.get(url).content.decode()
    assert body.count("/plan/") >= PEOPLE, "the caseload does not list every person"

    with step(f"{requests} requests for the caseload page"):
        times = time_requests(big, url, requests)
    with step(f"{requests} requests for /health (baseline)"):
        health = time_requests(big, "/health", requests)
    print(summary("caseload", times), flush=True)
    print(summary("health", health), flush=True)
    p95, base = percentile(times, 95), percentile(health, 95)
    constant = queries[SMALL] == queries[PEOPLE]
    emit(
        {
            "id": "C4-caseload",
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
            "queries": {str(SMALL): queries[SMALL], str(PEOPLE): queries[PEOPLE]},
            "queries_constant": constant,
        }
    )


if __name__ == "__main__":
    main()
