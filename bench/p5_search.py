"""P5: search by name and date of birth over 2,000,000 people. Target: p95 <= 50 ms on PostgreSQL.

People are inserted with joinedup.demo.synthetic.bulk_insert_people (seed 2026), registered across every
practice of the region; the time it takes is reported. On PostgreSQL the tables are then ANALYZEd, as autovacuum
would do soon after a bulk load. Each search looks for an existing person, chosen at random, by their date of
birth and their name with one letter of the last name changed (a typo), through `search_people(by=...)`, the
function the search page and the API call. The user is read afresh for each search, as each request does, so
the cost of building their access filter is counted.

The figure: the searching user is a PCN mental health practitioner (one membership, the usual case) and
searches for people registered in their PCN, so every person searched for is visible to them; the database
still looks among all the people born that day. A second series (`all_pcns_*` fields) searches as a
practitioner with a membership in every PCN's team (41 in the LSC region), for anyone registered in a PCN:
it shows what the access filter costs for a user with many memberships.

Baseline, in the same run and interleaved with the searches: the same lookup written by hand in SQL with no
access scoping. On PostgreSQL: `SELECT ... FROM people_person WHERE date_of_birth = %s AND
similarity(search_name, %s) >= 0.3 ORDER BY score DESC, family_name LIMIT 20`. SQLite has no similarity():
there the baseline selects by date of birth and scores in Python with the same trigram measure, as the app
does. The target applies to PostgreSQL only.
"""

import argparse
import random
import time

from .common import Progress, backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 50
SEED = 2026
WARM_UP = 20
LIMIT = 20

BASELINE_SQL_POSTGRES = (
    "SELECT id, given_name, family_name, date_of_birth, postcode, similarity(search_name, %s) AS score "
    "FROM people_person WHERE date_of_birth = %s AND similarity(search_name, %s) >= %s "
    "ORDER BY score DESC, family_name LIMIT %s"
)
BASELINE_SQL_SQLITE = (
    "SELECT id, given_name, family_name, postcode, search_name FROM people_person WHERE date_of_birth = %s"
)


def with_typo(rng: random.Random, search_name: str) -> str:
    """The name with one letter of the last word changed (never the first letter)."""
    words = search_name.split()
    last = words[-1]
    if len(last) < 3:
        return search_name
    i = rng.randrange(1, len(last))
    letter = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != last[i]])
    words[-1] = last[:i] + letter + last[i + 1 :]
    return " ".join(words)


def pick_targets(rng: random.Random, n: int, *, pcn_id=None) -> list[dict]:
    """n people chosen at random among those registered at a practice in a PCN (or in PCN `pcn_id`)."""
    from django.db.models import Max, Min

    from joinedup.people.models import Person

    people = Person.objects.filter(practice__pcn__isnull=False)
    fields = ("id", "search_name", "date_of_birth", "practice__pcn_id")
    targets: dict[int, dict] = {}
    if pcn_id is not None:
        ids = list(people.filter(practice__pcn_id=pcn_id).values_list("id", flat=True))
        for row in people.filter(id__in=rng.sample(ids, min(n, len(ids)))).values(*fields):
            targets[row["id"]] = row
    else:
        bounds = Person.objects.aggregate(low=Min("id"), high=Max("id"))
        while len(targets) < n:
            ids = [rng.randint(bounds["low"], bounds["high"]) for _ in range(2 * n)]
            for row in people.filter(id__in=ids).values(*fields):
                targets.setdefault(row["id"], row)
    chosen = sorted(targets.values(), key=lambda row: row["id"])
    rng.shuffle(chosen)
    for row in chosen:
        row["typed"] = with_typo(rng, row["search_name"])
    return chosen[:n]


def searcher(username: str, pcn_teams) -> int:
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create

    return staff_create(
        username=username,
        first_name="Sam",
        last_name="Searcher",
        memberships=[(team, Role.MHP) for team in pcn_teams],
    ).pk


def baseline_search(cursor, vendor: str, name: str, date_of_birth) -> list[int]:
    from joinedup.people.matching import THRESHOLD, trigram_similarity

    if vendor == "postgresql":
        cursor.execute(BASELINE_SQL_POSTGRES, [name, date_of_birth, name, THRESHOLD, LIMIT])
        return [row[0] for row in cursor.fetchall()]
    cursor.execute(BASELINE_SQL_SQLITE, [date_of_birth.isoformat()])
    scored = [(row[0], row[2], trigram_similarity(name, row[4])) for row in cursor.fetchall()]
    scored = [s for s in scored if s[2] >= THRESHOLD]
    scored.sort(key=lambda s: (-s[2], s[1]))
    return [s[0] for s in scored[:LIMIT]]


def run_series(user_id: int, targets: list[dict]) -> dict:
    """Time search_people and the hand-written SQL for each target, alternating which goes first."""
    from django.db import connection

    from joinedup.accounts.models import User
    from joinedup.people.queries import search_people

    vendor = connection.vendor
    app_times, sql_times, app_cpu, app_found, sql_found = [], [], [], 0, 0
    with connection.cursor() as cursor:
        for i, target in enumerate(targets[:WARM_UP] + targets):
            by = User.objects.get(pk=user_id)  # a fresh user, as in each request: its access filter is rebuilt
            timed = []
            for which in ("app", "sql") if i % 2 == 0 else ("sql", "app"):
                started, cpu_started = time.perf_counter(), time.process_time()
                if which == "app":
                    found = [
                        m.person.pk
                        for m in search_people(by=by, name=target["typed"], date_of_birth=target["date_of_birth"])
                    ]
                else:
                    found = baseline_search(cursor, vendor, target["typed"], target["date_of_birth"])
                timed.append(
                    (which, time.perf_counter() - started, time.process_time() - cpu_started, target["id"] in found)
                )
            if i < WARM_UP:
                continue
            for which, seconds, cpu_seconds, hit in timed:
                if which == "app":
                    app_times.append(seconds)
                    app_cpu.append(cpu_seconds)
                    app_found += hit
                else:
                    sql_times.append(seconds)
                    sql_found += hit
    n = len(targets)
    return {
        "p95": percentile(app_times, 95),
        "p50": percentile(app_times, 50),
        "cpu_p95": percentile(app_cpu, 95),
        "baseline_p95": percentile(sql_times, 95),
        "baseline_p50": percentile(sql_times, 50),
        "found": round(app_found / n, 3),
        "baseline_found": round(sql_found / n, 3),
    }


def explain(user_id: int, target: dict) -> None:
    """Print the SQL search_people runs for one search and, on PostgreSQL, its plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from joinedup.accounts.models import User
    from joinedup.people.queries import search_people

    by = User.objects.get(pk=user_id)
    with CaptureQueriesContext(connection) as captured:
        search_people(by=by, name=target["typed"], date_of_birth=target["date_of_birth"])
    for query in captured.captured_queries:
        print(f"    {query['sql'][:2000]}", flush=True)
        if connection.vendor == "postgresql" and "similarity" in query["sql"].lower():
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                for (line,) in cursor.fetchall():
                    print(f"      {line}", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--size", type=int, help="how many people (default 50,000; 2,000,000 with --full)")
    args = parser.parse_args(argv)
    size = args.size or (2_000_000 if args.full else 50_000)
    searches = 300

    setup_django()
    prepare_database()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from joinedup.demo.synthetic import bulk_insert_people
    from joinedup.directory.models import Team, TeamKind
    from joinedup.people.queries import search_people

    vendor = backend()
    started = time.perf_counter()
    with step(f"insert {size:,} synthetic people (bulk_insert_people, seed {SEED})"):
        bulk_insert_people(count=size, seed=SEED, progress=Progress("people inserted", size))
    insert_seconds = time.perf_counter() - started
    analyze_seconds = None
    if vendor == "postgresql":
        started = time.perf_counter()
        with step("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        analyze_seconds = time.perf_counter() - started

    rng = random.Random(SEED)
    pcn_teams = list(Team.objects.filter(kind=TeamKind.PCN_MENTAL_HEALTH).order_by("code"))
    everywhere = searcher("bench.searcher.all", pcn_teams)
    all_targets = pick_targets(rng, searches + WARM_UP)
    one_pcn = all_targets[0]["practice__pcn_id"]
    local = searcher("bench.searcher.one", [t for t in pcn_teams if t.pcn_id == one_pcn])
    targets = pick_targets(rng, searches + WARM_UP, pcn_id=one_pcn)

    from joinedup.accounts.models import User

    with CaptureQueriesContext(connection) as captured:
        by = User.objects.get(pk=local)
        search_people(by=by, name=targets[0]["typed"], date_of_birth=targets[0]["date_of_birth"])
    queries_per_search = len(captured.captured_queries) - 1  # not counting the user, read before the timer
    if args.verbose:
        print(f"  one search as a practitioner in one PCN ({queries_per_search} queries):", flush=True)
        explain(local, targets[0])

    with step(f"{searches} searches as a practitioner in one PCN, for people of that PCN, and the SQL baseline"):
        result = run_series(local, targets[WARM_UP:])
    with step(f"{searches} searches as a practitioner in all {len(pcn_teams)} PCNs, and the SQL baseline"):
        all_result = run_series(everywhere, all_targets[WARM_UP:])
    for label, r in (("one PCN", result), (f"all {len(pcn_teams)} PCNs", all_result)):
        print(
            f"  {label}: search_people p50 {ms(r['p50'])} ms, p95 {ms(r['p95'])} ms, found {r['found']:.1%}; "
            f"hand-written SQL p50 {ms(r['baseline_p50'])} ms, p95 {ms(r['baseline_p95'])} ms, "
            f"found {r['baseline_found']:.1%}",
            flush=True,
        )

    emit(
        {
            "id": "P5",
            "figure": ms(result["p95"]),
            "unit": "ms",
            "baseline": "hand-written SQL: date_of_birth = %s AND similarity(search_name, %s) >= 0.3 LIMIT 20"
            if vendor == "postgresql"
            else "hand-written SQL by date_of_birth, trigram similarity in Python",
            "baseline_figure": ms(result["baseline_p95"]),
            "ratio": ratio(result["p95"], result["baseline_p95"]),
            "target": f"p95 <= {TARGET_MS} ms on PostgreSQL",
            "met": result["p95"] <= TARGET_MS / 1000 if vendor == "postgresql" else None,
            "size": size,
            "backend": vendor,
            "searches": len(targets) - WARM_UP,
            "p50": ms(result["p50"]),
            "baseline_p50": ms(result["baseline_p50"]),
            "cpu_p95": ms(result["cpu_p95"]),
            "found": result["found"],
            "baseline_found": result["baseline_found"],
            "queries_per_search": queries_per_search,
            "all_pcns_memberships": len(pcn_teams),
            "all_pcns_p95": ms(all_result["p95"]),
            "all_pcns_p50": ms(all_result["p50"]),
            "all_pcns_baseline_p95": ms(all_result["baseline_p95"]),
            "all_pcns_found": all_result["found"],
            "bulk_insert_s": round(insert_seconds, 1),
            "bulk_insert_rows_per_s": round(size / insert_seconds),
            "analyze_s": round(analyze_seconds, 1) if analyze_seconds is not None else None,
        }
    )


if __name__ == "__main__":
    main()
