"""PostgreSQL: the audit trail and the timeline become tables partitioned by month of `at` (issue 16, item 4).

Each table is rebuilt: renamed aside, a partitioned table made in its shape (same columns, defaults and identity,
its indexes and foreign keys again, the primary key now (id, at) because a partitioned table's key must include
the partition key), a partition for every month that holds rows up to three months ahead plus a DEFAULT
partition, the rows copied, the identity sequence carried on, the old table dropped. The audit trail's
append-only triggers (0002, 0006) are made again on the new table: the row trigger is cloned to every partition,
present and future; TRUNCATE of the table is refused. Nothing refers to either table by foreign key.

Copying is fine at the size of a new service; a large live table would be moved in a maintenance window (see
docs/operations.md). SQLite keeps plain tables.
"""

import datetime as dt

from django.db import migrations, models

from joinedup.ops.partitions import create_month, month_start, next_month

AUDIT_TRIGGERS = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();
"""


def _partition(cursor, table):
    old = f"{table}_unpartitioned"
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s", [table, f"{table}_pkey"]
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]

    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    cursor.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {table}_pkey TO {old}_pkey")
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {old}_id_seq")
    for name, _ in indexes:
        cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_unpartitioned")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE) "
        "PARTITION BY RANGE (at)"
    )
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, at)")
    for name, definition in indexes:
        cursor.execute(definition)  # its own name and this table's: the old index was renamed aside
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")

    cursor.execute(f"SELECT min(at), max(at) FROM {old}")
    earliest, latest = cursor.fetchone()
    today = dt.datetime.now(dt.UTC).date()
    first = month_start(min(earliest.date(), today) if earliest else today)
    last = month_start(today)
    for _ in range(3):
        last = next_month(last)
    if latest and month_start(latest.date()) > last:
        last = month_start(latest.date())
    while first <= last:
        create_month(cursor, table, first)
        first = next_month(first)
    cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")

    cursor.execute(f"INSERT INTO {table} OVERRIDING SYSTEM VALUE SELECT * FROM {old}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 0) + 1, false)"
    )
    cursor.execute(f"DROP TABLE {old}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in ("core_auditevent", "core_timelineentry"):
            _partition(cursor, table)
        cursor.execute(AUDIT_TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_scheduled_jobs")]
    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
        # The IG lead's audit search by user name: without it, a search over millions of rows reads them all.
        migrations.AddIndex(
            model_name="auditevent", index=models.Index(fields=["username", "-at"], name="audit_username_at")
        ),
    ]
