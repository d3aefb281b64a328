"""C4 (compare): two versions of a care and support plan with 100 actions each, compared side by side with
the changes marked (difflib, word by word, per section).

Target: p95 <= 100 ms, and the number of SQL queries does not grow with the number of actions (a plan of 5
actions runs the same number). Plans are built through the services: version 1 agreed, version 2 a draft
copied from it with every action's wording changed. Baseline: GET /health through the same client, same run.
"""

import argparse

from .care_common import count_queries, key_worker, person_with_key_worker, plan, staff, summary, time_requests
from .common import backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 100
ACTIONS = 100
SMALL = 5


def two_versions(i, *, gp, mhp, kw, practice, actions):
    from joinedup.care import services

    person = person_with_key_worker(i, gp=gp, mhp=mhp, kw=kw, practice=practice, label=f"a{actions}")
    plan(person, kw, actions=actions)
    draft = services.plan_draft_start(by=kw, person=person)
    # Version 2: every second action replaced by a reworded one, and new words in what matters.
    for action in list(draft.actions.all())[::2]:
        services.plan_action_remove(by=kw, draft=draft, action_id=action.pk)
        services.plan_action_add(
            by=kw, draft=draft, description=action.description + " and the boiler", owner="person", due=action.due
        )
    draft.refresh_from_db()
    services.plan_draft_save(
        by=kw, draft=draft, expected_revision=draft.revision, what_matters="Seeing my sister, my flat and my job"
    )
    return person


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

    with step(f"build plans of {ACTIONS} and {SMALL} actions, two versions each"), transaction.atomic():
        gp, mhp, cmht, practice = staff()
        kw = key_worker("bench.kw", cmht)
        big = two_versions(1, gp=gp, mhp=mhp, kw=kw, practice=practice, actions=ACTIONS)
        small = two_versions(2, gp=gp, mhp=mhp, kw=kw, practice=practice, actions=SMALL)

    client = Client()
    client.force_login(kw)
    big_url = f"/care/{big.pk}/plan/compare/?a=1&b=2"
    small_url = f"/care/{small.pk}/plan/compare/?a=1&b=2"
    count_queries(client, big_url)
    queries = {SMALL: count_queries(client, small_url), ACTIONS: count_queries(client, big_url)}
    print(f"  compare SQL queries: {queries[SMALL]} ({SMALL} actions), {queries[ACTIONS]} ({ACTIONS})", flush=True)
    body = client.get(big_url).content.decode()
    assert body.count("<ins>") >= ACTIONS // 2, "the changes are not marked"

    with step(f"{requests} requests for the comparison page"):
        times = time_requests(client, big_url, requests)
    with step(f"{requests} requests for /health (baseline)"):
        health = time_requests(client, "/health", requests)
    print(summary("compare", times), flush=True)
    print(summary("health", health), flush=True)
    p95, base = percentile(times, 95), percentile(health, 95)
    constant = queries[SMALL] == queries[ACTIONS]
    emit(
        {
            "id": "C4-compare",
            "figure": ms(p95),
            "unit": "ms",
            "baseline": "GET /health (trivial view) through the same client and middleware",
            "baseline_figure": ms(base),
            "ratio": ratio(p95, base),
            "target": f"p95 <= {TARGET_MS} ms; queries constant",
            "met": p95 <= TARGET_MS / 1000 and constant,
            "size": ACTIONS,
            "requests": requests,
            "backend": backend(),
            "p50": ms(percentile(times, 50)),
            "queries": {str(SMALL): queries[SMALL], str(ACTIONS): queries[ACTIONS]},
            "queries_constant": constant,
        }
    )


if __name__ == "__main__":
    main()
