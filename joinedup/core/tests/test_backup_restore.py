"""docs/operations.md says how to back up and restore. This does it and finds every row again."""

import shutil
import sqlite3
import subprocess

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TABLES = ["people_person", "care_careteammember", "core_auditevent", "core_timelineentry", "directory_practice"]


def counts(cursor):
    result = {}
    for table in TABLES:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
        result[table] = cursor.fetchone()[0]
    return result


def test_backup_then_restore_finds_every_row(person, tmp_path):
    with connection.cursor() as cursor:
        before = counts(cursor)
    assert before["people_person"] >= 1 and before["core_auditevent"] >= 1

    if connection.vendor == "sqlite":
        target = tmp_path / "backup.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        with sqlite3.connect(target) as restored:
            assert counts(restored.cursor()) == before
        return

    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is needed to test PostgreSQL backups (apt-get install postgresql-client)")
    settings = connection.settings_dict
    base = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432), "-U", settings["USER"]]
    dump = tmp_path / "joinedup.dump"
    restored_name = f"{settings['NAME']}_restore"
    subprocess.run(["pg_dump", *base, "--format=custom", f"--file={dump}", settings["NAME"]], check=True)
    subprocess.run(["dropdb", *base, "--if-exists", restored_name], check=True)
    subprocess.run(["createdb", *base, restored_name], check=True)
    try:
        subprocess.run(["pg_restore", *base, "--no-owner", f"--dbname={restored_name}", str(dump)], check=True)
        import psycopg

        with psycopg.connect(host=base[1], port=base[3], user=settings["USER"], dbname=restored_name) as conn:
            assert counts(conn.cursor()) == before
            # The append-only trigger comes back with the data.
            with pytest.raises(psycopg.errors.RaiseException), conn.transaction():
                conn.execute("DELETE FROM core_auditevent")
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", restored_name], check=True)
