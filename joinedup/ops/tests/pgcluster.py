"""Test machinery: a second PostgreSQL server on loopback, copied from the test run's own server with
pg_basebackup (a streaming replica, or a restore from a base backup and archived WAL).

CI runs as root and PostgreSQL refuses to run as root, so the servers run as the `postgres` user (runuser).
A replication connection needs a `replication` line in the server's pg_hba.conf: when it is missing and the tests
run as root (as on CI), one line is added for the postgres user from 127.0.0.1 only (the same trust the server
already gives every loopback connection) and the configuration reloaded; otherwise the test is skipped and says
what to add.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

HBA_LINE = "host replication postgres 127.0.0.1/32 trust  # joinedup tests: streaming replica on loopback"


def _skip(reason):
    pytest.skip(f"no PostgreSQL replica for this test: {reason}")


def server_bin() -> Path:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    path = Path(f"/usr/lib/postgresql/{major}/bin")
    if not (path / "pg_ctl").exists():
        _skip(f"{path}/pg_ctl is not installed on this machine")
    return path


def as_postgres(args, **kwargs):
    """Run a server program as the postgres user (as root on CI), or as ourselves when we are not root."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)


def _sql(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def allow_replication_connections(host, port):
    probe = subprocess.run(
        [
            "psql",
            f"host={host} port={port} user=postgres replication=true",
            "-c",
            "IDENTIFY_SYSTEM",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode == 0:
        return
    hba = Path(_sql("SHOW hba_file")[0])
    if os.geteuid() != 0 or not os.access(hba, os.W_OK):
        _skip(f"the server refuses replication connections; add to {hba}: {HBA_LINE}")
    with hba.open("a") as f:
        f.write(f"\n{HBA_LINE}\n")
    _sql("SELECT pg_reload_conf()")
    time.sleep(0.5)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wal_lsn_on_primary():
    return _sql("SELECT pg_current_wal_lsn()::text")[0]


@contextmanager
def server_copy(*, standby: bool, before_start=None):
    """A copy of the test run's server (pg_basebackup, fast checkpoint), started on a free loopback port; as a
    streaming replica when `standby`. `before_start(data, work)` may add to its configuration. Yields
    (port, data_dir); data_dir's parent is a work folder the postgres user owns. Stopped and removed afterwards."""
    if connection.vendor != "postgresql":
        _skip("this run is on SQLite")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _skip("running as root without runuser: PostgreSQL will not run as root")
    bin_dir = server_bin()
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432)
    allow_replication_connections(host, port)
    work = Path(tempfile.mkdtemp(prefix="joinedup-pg-"))
    data = work / "data"
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    work.chmod(0o700)
    backup = as_postgres(
        [
            str(bin_dir / "pg_basebackup"),
            "-h",
            host,
            "-p",
            port,
            "-U",
            "postgres",
            "-D",
            str(data),
            "-c",
            "fast",
            "-X",
            "stream",
            *(["-R"] if standby else []),
        ],
        timeout=180,
    )
    if backup.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        _skip(f"pg_basebackup failed: {backup.stderr.strip()[-500:]}")
    new_port = free_port()
    listen_on(data, work, new_port)
    if before_start:
        before_start(data, work)
    start(bin_dir, data, work)
    try:
        yield new_port, data
    finally:
        stop(bin_dir, data)
        shutil.rmtree(work, ignore_errors=True)


def start(bin_dir, data, work):
    """Start the server in `data` (as postgres), waiting until it takes connections; fail with its log if not."""
    started = as_postgres(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(work / f"{data.name}.log"), "-w", "-t", "120", "start"],
        timeout=150,
    )
    if started.returncode != 0:
        log = as_postgres(["cat", str(work / f"{data.name}.log")]).stdout
        pytest.fail(f"the PostgreSQL server in {data} did not start: {started.stderr}\n{log[-2000:]}")


def stop(bin_dir, data):
    as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)


def listen_on(data, work, port):
    """Configuration lines for a server copied into `data`: its own loopback port and socket folder."""
    conf = [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{work}'",
        "hot_standby = on",
        "fsync = off",
        "shared_buffers = 16MB",
    ]
    as_postgres(["sh", "-c", f"cat >> {data}/postgresql.conf"], input="\n".join(conf) + "\n")
    as_postgres(
        ["sh", "-c", f"cat > {data}/pg_hba.conf"],
        input="host all all 127.0.0.1/32 trust\nhost replication postgres 127.0.0.1/32 trust\nlocal all all trust\n",
    )
    as_postgres(["touch", str(data / "pg_ident.conf")])


def query(port, dbname, sql):
    result = subprocess.run(
        ["psql", f"host=127.0.0.1 port={port} user=postgres dbname={dbname}", "-Atc", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def wait_for(predicate, seconds, what):
    """Ask `predicate()` every 0.3 s until it is true; fail the test after `seconds`, saying what was awaited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    pytest.fail(f"waited {seconds} s for {what}")


def wait_until_replayed(port, dbname, lsn, seconds=30):
    wait_for(
        lambda: query(port, dbname, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t",
        seconds,
        f"the replica to replay up to {lsn}",
    )
