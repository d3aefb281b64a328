"""Monthly partitions of the audit trail and the timeline (PostgreSQL declarative partitioning, by `at`).

Core migration 0008_ops_partition_audit_timeline turns both tables into tables partitioned by month, with a
DEFAULT partition that catches any row whose month has no partition yet (so a write never fails for want of one).
The scheduled job `ops.partitions_ahead` makes the coming months' partitions every day (PARTITION_MONTHS_AHEAD).
`detach(table, month)` takes an old month out of the table for archiving: it becomes a table of its own
(`core_auditevent_p2025_01`), to be dumped (pg_dump -t) and dropped by the operator; `manage.py partitions` lists
them and detaches (docs/operations.md). SQLite (the demo) keeps plain tables: everything here does nothing there.

The primary key of a partitioned table must include the partition key, so the database's key is (id, at); the
ids still come from one identity sequence, so `id` stays unique and Django keeps using it as the model's key.
"""

import datetime as dt
import re

from django.db import connection, transaction

TABLES = ("core_auditevent", "core_timelineentry")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(table: str, first: dt.date) -> str:
    return f"{table}_p{first:%Y_%m}"


def is_partitioned(table: str, cursor=None) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as c:
        c.execute("SELECT relkind = 'p' FROM pg_class WHERE relname = %s", [table])
        row = c.fetchone()
    return bool(row and row[0])


def create_month(cursor, table: str, first: dt.date) -> bool:
    """Make the partition for the month starting `first`, unless it exists. True when it was made."""
    name = partition_name(table, first)
    cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
    if cursor.fetchone():
        return False
    cursor.execute(
        f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ('{first.isoformat()} 00:00+00') "
        f"TO ('{next_month(first).isoformat()} 00:00+00')"
    )
    return True


def ensure_ahead(today: dt.date, months_ahead: int) -> list[str]:
    """This month's and the next `months_ahead` months' partitions of every partitioned table; the names made."""
    made = []
    if connection.vendor != "postgresql":
        return made
    with transaction.atomic(), connection.cursor() as cursor:
        for table in TABLES:
            if not is_partitioned(table):
                continue
            first = month_start(today)
            for _ in range(months_ahead + 1):
                if create_month(cursor, table, first):
                    made.append(partition_name(table, first))
                first = next_month(first)
    return made


def partitions(table: str) -> list[tuple[str, str, int]]:
    """(name, bounds, estimated rows) of each partition, oldest first, DEFAULT last."""
    if not is_partitioned(table):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), GREATEST(c.reltuples, 0)::bigint
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname = %s, c.relname
            """,
            [table, f"{table}_default"],
        )
        return cursor.fetchall()


def parse_month(text: str) -> dt.date:
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError("a month is written YYYY-MM, for example 2025-01")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def detach(table: str, first: dt.date) -> str:
    """Take one month's partition out of `table` (a table of its own from now on, for archiving); its name.
    The rows leave the live table in one step; nothing is deleted."""
    if table not in TABLES:
        raise ValueError(f"{table} is not a partitioned table of Joined Up")
    name = partition_name(table, first)
    if name not in {row[0] for row in partitions(table)}:
        raise ValueError(f"{table} has no partition for {first:%Y-%m}")
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
    return name
