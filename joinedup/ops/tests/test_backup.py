"""Backup and point-in-time recovery with scripts/pg_pitr.sh, on a real server (PostgreSQL runs only).

A copy of the test run's server (pgcluster.py) runs as a primary with WAL archiving set by the script's
`archive-settings`; the script takes a base backup; rows are written, the moment noted, more rows written and
some of the first changed and deleted; the script restores the base backup into a new folder to that moment and
the restored server replays the archive and promotes. Every row of the check table, the audit trail and the
people table is compared with what the primary held at that moment; nothing written after it is there."""

import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection

from .pgcluster import as_postgres, free_port, listen_on, query, server_bin, server_copy, start, stop, wait_for

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "pg_pitr.sh"
CHECKSUM = "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"
TABLES = ("pitr_check", "core_auditevent", "people_person")


def _script(*args):
    done = as_postgres(["bash", str(SCRIPT), *map(str, args)], timeout=300)
    assert done.returncode == 0, f"pg_pitr.sh {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


def _sql(port, db, sql):
    result = query(port, db, sql)
    assert result is not None, f"query failed on port {port}: {sql}"
    return result


def _archive(data, work):
    (work / "archive").mkdir()
    if subprocess.run(["id", "-u", "postgres"], capture_output=True, check=False).returncode == 0:
        subprocess.run(["chown", "postgres:postgres", str(work / "archive")], check=False)
    settings = _script("archive-settings", work / "archive")
    as_postgres(["sh", "-c", f"cat >> {data}/postgresql.conf"], input=settings + "\n")


@pytest.mark.slow
def test_base_backup_and_archived_wal_restore_to_a_moment_with_every_row_as_it_was(transactional_db):
    db = connection.settings_dict["NAME"]
    with server_copy(standby=False, before_start=_archive) as (port, data):
        work = data.parent
        _sql(port, db, "CREATE TABLE pitr_check (id int PRIMARY KEY, value text NOT NULL)")
        base = _script("base-backup", work / "backups", "-h", "127.0.0.1", "-p", port, "-U", "postgres")

        _sql(port, db, "INSERT INTO pitr_check SELECT g, md5(g::text) FROM generate_series(1, 5000) g")
        _sql(
            port,
            db,
            "INSERT INTO core_auditevent (at, username, action, what, object_id, path, reason) "
            "SELECT now(), 'pitr', 'view', 'record', g::text, '', '' FROM generate_series(1, 500) g",
        )
        time.sleep(1.2)
        moment = _sql(port, db, "SELECT now()::text")
        expected = {table: _sql(port, db, CHECKSUM.format(table=table)) for table in TABLES}
        time.sleep(1.2)
        _sql(port, db, "INSERT INTO pitr_check SELECT g, 'after' FROM generate_series(5001, 6000) g")
        _sql(port, db, "UPDATE pitr_check SET value = 'changed after' WHERE id <= 100")
        _sql(port, db, "DELETE FROM pitr_check WHERE id BETWEEN 101 AND 200")
        _sql(
            port,
            db,
            "INSERT INTO core_auditevent (at, username, action, what, object_id, path, reason) "
            "VALUES (now(), 'pitr-after', 'view', 'record', '', '', '')",
        )
        last_segment = _sql(port, db, "SELECT pg_walfile_name(pg_switch_wal())")
        wait_for(
            lambda: (
                (_sql(port, db, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") or "") >= last_segment
            ),
            60,
            "the last WAL segment to be archived",
        )
        assert "newest archived WAL segment" in _script("check", work / "archive")

        restored = work / "restored"
        _script("restore", base, work / "archive", restored, moment)
        restored_port = free_port()
        listen_on(restored, work, restored_port)
        bin_dir = server_bin()
        start(bin_dir, restored, work)
        try:
            wait_for(lambda: query(restored_port, db, "SELECT pg_is_in_recovery()") == "f", 120, "recovery to finish")
            for table in TABLES:
                assert _sql(restored_port, db, CHECKSUM.format(table=table)) == expected[table], table
            assert _sql(restored_port, db, "SELECT count(*) FROM pitr_check WHERE id > 5000") == "0"
            assert _sql(restored_port, db, "SELECT count(*) FROM core_auditevent WHERE username = 'pitr-after'") == "0"
            assert _sql(restored_port, db, "SELECT count(*) FROM pitr_check") == "5000"
        finally:
            stop(bin_dir, restored)
