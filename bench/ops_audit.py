"""A1: the audit trail partitioned by month (PostgreSQL), large. Targets (issue 16, item 4): with 50,000,000
audit rows, one person's "who has looked" list and the IG lead's audit search p95 <= 100 ms; the cost of writing
an audit event per request unchanged.

Rows are made in the database with generate_series (24 months back from now, spread evenly; a person for 90% of
them, among 20,000 people; 200 user names; the mix of actions the service writes) in batches of 5,000,000, with
the bench table's secondary indexes and foreign keys dropped for the fill and rebuilt after it, as the migrations
made them (a bulk load's usual order; only in the scratch database, never in the app's migrations), so 50,000,000
rows fill in minutes; then the tables are ANALYZEd as autovacuum would. Then, interleaved, each measured several
hundred times:

- who has looked: `AuditEvent.objects.filter(person=...).order_by("-at", "-id")[:50]`, a random person each time;
- IG audit search by NHS number and by user name: `core.queries.audit_events(...)`, the audit page's query;
- writing: `audit_record(...)` for one person, as a person page does, each in its own transaction.

Baseline, in the same run: the same rows in a plain (unpartitioned) table with the same indexes, the same reads
in SQL, and the same writes into it. Ratios are partitioned / plain. Needs PostgreSQL (DATABASE_URL).
"""

import argparse
import random
import time

from .common import Progress, backend, emit, ms, percentile, prepare_database, ratio, setup_django, step

TARGET_MS = 100
SEED = 2026
PEOPLE = 20_000
USERS = 200

FILL_SQL = """
INSERT INTO {table} (at, username, action, what, object_id, path, reason, ip_address, person_id, user_id)
SELECT now() - (g::float / %(rows)s) * interval '730 days',
       'user' || (g %% {users}),
       (ARRAY['view','listed','search','change','listed','view','refused','export'])[1 + g %% 8],
       'record', '', '/people/', 'bench', NULL,
       CASE WHEN g %% 10 = 0 THEN NULL ELSE (%(people)s::bigint[])[1 + (g::bigint * 7919) %% {people}] END,
       NULL
FROM generate_series(%(start)s, %(stop)s - 1) AS g
"""


def _cursor():
    from django.db import connection

    return connection.cursor()


def _fill(table, rows, people, progress):
    batch = 5_000_000
    for start in range(0, rows, batch):
        stop = min(start + batch, rows)
        with _cursor() as cursor:
            cursor.execute(
                FILL_SQL.format(table=table, users=USERS, people=len(people)),
                {"rows": rows, "people": people, "start": start, "stop": stop},
            )
        progress(stop)


def _drop_for_fill(table):
    """Drop `table`'s secondary indexes and foreign keys (a bench table in the scratch database only) and return
    the statements that put them back as they were, the way a bulk load is done: maintaining five B-trees (one
    keyed on a random person) and checking two foreign keys row by row is what made filling crawl (about 17,000
    rows a second), where building each index once after the fill sorts the rows once."""
    with _cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(c.relname), pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        for name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    # pg_get_indexdef says `ON ONLY` for a partitioned table's index: without ONLY it is built on every partition
    return [definition.replace(" ON ONLY ", " ON ", 1) for _name, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}" for name, definition in foreign_keys
    ]


def _restore_after_fill(statements):
    with _cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements:
            with step(statement[:110]):
                cursor.execute(statement)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--rows", type=int, help="audit rows (default 500,000; 50,000,000 with --full)")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    rows = args.rows or (50_000_000 if args.full else 500_000)
    setup_django()
    if backend() != "postgresql":
        emit({"id": "A1", "skipped": "partitioning is PostgreSQL's: run with DATABASE_URL=postgres://..."})
        return
    from django.db import transaction

    from joinedup.accounts.models import User
    from joinedup.core.audit import audit_record
    from joinedup.core.models import AuditAction, AuditEvent
    from joinedup.core.queries import audit_events
    from joinedup.demo.synthetic import bulk_insert_people
    from joinedup.people.models import Person

    prepare_database()
    with step(f"insert {PEOPLE:,} people"):
        bulk_insert_people(count=PEOPLE, seed=SEED)
    people = list(Person.objects.values_list("id", flat=True))
    nhs = dict(Person.objects.values_list("id", "nhs_number"))
    user = User.objects.create(username="bench.writer")
    with step("monthly partitions for the last 25 months (as the daily job would have made them)"):
        from django.utils import timezone

        from joinedup.ops import partitions

        first = partitions.month_start(timezone.now().date())
        with _cursor() as cursor:
            for _ in range(25):
                partitions.create_month(cursor, "core_auditevent", first)
                first = partitions.month_start(first - timezone.timedelta(days=1))
    rebuild = _drop_for_fill("core_auditevent")
    with step(f"fill the partitioned audit table with {rows:,} rows (secondary indexes and foreign keys dropped)"):
        _fill("core_auditevent", rows, people, Progress("partitioned rows", rows))
    with step("rebuild the partitioned table's indexes and foreign keys, as the migrations made them"):
        _restore_after_fill(rebuild)
    with step("the same rows in a plain table, then the same indexes and foreign keys"):
        with _cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_audit_plain (LIKE core_auditevent INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
            cursor.execute("ALTER TABLE bench_audit_plain ADD PRIMARY KEY (id)")
        _fill("bench_audit_plain", rows, people, Progress("plain rows", rows))
        _restore_after_fill(
            [
                "CREATE INDEX ON bench_audit_plain (person_id, at DESC)",
                "CREATE INDEX ON bench_audit_plain (user_id, at DESC)",
                "CREATE INDEX ON bench_audit_plain (action, at DESC)",
                "CREATE INDEX ON bench_audit_plain (username, at DESC)",
            ]
            + [
                statement.replace("core_auditevent", "bench_audit_plain")
                for statement in rebuild
                if "FOREIGN" in statement
            ]
        )
    with step("ANALYZE"), _cursor() as cursor:
        cursor.execute("ANALYZE core_auditevent")
        cursor.execute("ANALYZE bench_audit_plain")
        cursor.execute("ANALYZE people_person")
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'core_auditevent'::regclass")
        partition_count = cursor.fetchone()[0]
        cursor.execute(
            "SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('core_auditevent')),"
            " pg_total_relation_size('bench_audit_plain')"
        )
        partitioned_bytes, plain_bytes = cursor.fetchone()

    rng = random.Random(SEED)
    series = {
        name: [] for name in ("who", "who_plain", "nhs", "nhs_plain", "user", "user_plain", "write", "write_plain")
    }

    def timed(name, fn):
        started = time.perf_counter()
        fn()
        series[name].append(time.perf_counter() - started)

    def plain_who(pid):
        with _cursor() as cursor:
            cursor.execute(
                "SELECT * FROM bench_audit_plain WHERE person_id = %s ORDER BY at DESC, id DESC LIMIT 50", [pid]
            )
            cursor.fetchall()

    def plain_search(where, value):
        with _cursor() as cursor:
            cursor.execute(
                "SELECT a.*, p.* FROM bench_audit_plain a LEFT JOIN people_person p ON p.id = a.person_id "
                f"WHERE {where} = %s ORDER BY a.at DESC, a.id DESC LIMIT 200",
                [value],
            )
            cursor.fetchall()

    def plain_write(pid):
        with transaction.atomic(), _cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_audit_plain (at, username, action, what, object_id, path, reason, person_id,"
                " user_id) VALUES (now(), %s, 'view', 'record', '', '/people/', 'bench', %s, %s)",
                [user.username, pid, user.pk],
            )

    def write(pid):
        with transaction.atomic():
            audit_record(by=user, action=AuditAction.VIEW, what="record", person=Person(pk=pid), reason="bench")

    with step(f"{args.samples} of each, interleaved"):
        for i in range(args.samples + 20):
            pid = rng.choice(people)
            name = f"user{rng.randrange(USERS)}"
            steps = [
                ("who", lambda pid=pid: list(AuditEvent.objects.filter(person_id=pid).order_by("-at", "-id")[:50])),
                ("who_plain", lambda pid=pid: plain_who(pid)),
                ("nhs", lambda pid=pid: audit_events(nhs_number=nhs[pid])),
                ("nhs_plain", lambda pid=pid: plain_search("p.nhs_number", nhs[pid])),
                ("user", lambda name=name: audit_events(username=name)),
                ("user_plain", lambda name=name: plain_search("a.username", name)),
                ("write", lambda pid=pid: write(pid)),
                ("write_plain", lambda pid=pid: plain_write(pid)),
            ]
            rng.shuffle(steps)
            for label, fn in steps:
                timed(label, fn)
            if i == 19:
                for values in series.values():
                    values.clear()  # warm-up

    p95 = {name: percentile(values, 95) for name, values in series.items()}
    emit(
        {
            "id": "A1",
            "figure": ms(max(p95["who"], p95["nhs"], p95["user"])),
            "unit": "ms",
            "baseline_figure": ms(max(p95["who_plain"], p95["nhs_plain"], p95["user_plain"])),
            "ratio": ratio(
                max(p95["who"], p95["nhs"], p95["user"]), max(p95["who_plain"], p95["nhs_plain"], p95["user_plain"])
            ),
            "target": "p95 <= 100 ms (reads); writes unchanged",
            "rows": rows,
            "partitions": partition_count,
            "partitioned_gb": round(float(partitioned_bytes) / 2**30, 2),
            "plain_gb": round(float(plain_bytes) / 2**30, 2),
            "samples": args.samples,
            "who_has_looked_p95_ms": ms(p95["who"]),
            "who_has_looked_plain_p95_ms": ms(p95["who_plain"]),
            "who_has_looked_ratio": ratio(p95["who"], p95["who_plain"]),
            "audit_search_nhs_p95_ms": ms(p95["nhs"]),
            "audit_search_nhs_plain_p95_ms": ms(p95["nhs_plain"]),
            "audit_search_user_p95_ms": ms(p95["user"]),
            "audit_search_user_plain_p95_ms": ms(p95["user_plain"]),
            "audit_write_p95_ms": ms(p95["write"]),
            "audit_write_plain_p95_ms": ms(p95["write_plain"]),
            "audit_write_ratio": ratio(p95["write"], p95["write_plain"]),
            "target_ms": TARGET_MS,
            "met": max(p95["who"], p95["nhs"], p95["user"]) <= TARGET_MS / 1000,
        }
    )


if __name__ == "__main__":
    main()
