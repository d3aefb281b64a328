"""Helpers the benchmarks share: the scratch database, Django set-up, percentiles and the JSON line."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[1]
# One scratch database per runner process, so that two people (or CI) benchmarking on the same server at the
# same time do not drop each other's database.
BENCH_DATABASE = f"joinedup_bench_{os.getpid()}"


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin_connect(url: str):
    """A psycopg connection to the server's `postgres` database, in autocommit (CREATE DATABASE needs it)."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or None,
        port=parts.port or None,
        user=parts.username or None,
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def _drop_database(url: str, name: str = BENCH_DATABASE) -> None:
    with _admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_abandoned_databases(url: str) -> None:
    """Drop scratch databases left by runs that were killed (their runner process is gone)."""
    with _admin_connect(url) as conn:
        names = [
            row[0] for row in conn.execute(r"SELECT datname FROM pg_database WHERE datname LIKE 'joinedup\_bench\_%'")
        ]
    for name in names:
        pid = name.rsplit("_", 1)[1]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            _drop_database(url, name)


@contextmanager
def scratch_environment():
    """The environment a benchmark process runs in: a temporary JOINEDUP_VAR_DIR and an empty database.

    On PostgreSQL (DATABASE_URL says so) the database `joinedup_bench_<runner pid>` is created on the same server
    and dropped afterwards; otherwise a SQLite file in the temporary folder. The demo database in var/ is never used.
    """
    var_dir = Path(tempfile.mkdtemp(prefix="joinedup-bench-"))
    env = dict(os.environ)
    env.update(
        JOINEDUP_VAR_DIR=str(var_dir),
        JOINEDUP_ENVIRONMENT="demo",
        DJANGO_SETTINGS_MODULE="joinedup.config.settings",
        PYTHONUNBUFFERED="1",
    )
    env.pop("JOINEDUP_STATIC_ROOT", None)
    source = os.environ.get("DATABASE_URL", "")
    postgres = is_postgres(source)
    try:
        if postgres:
            _drop_abandoned_databases(source)
            _drop_database(source)
            with _admin_connect(source) as conn:
                conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
            env["DATABASE_URL"] = _with_database(source, BENCH_DATABASE)
        else:
            env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        yield env
    finally:
        if postgres:
            try:
                _drop_database(source)
            except Exception as error:  # a failed clean-up must not hide the benchmark's own outcome
                print(f"bench: could not drop {BENCH_DATABASE}: {error}", file=sys.stderr)
        shutil.rmtree(var_dir, ignore_errors=True)


def setup_django(*, debug: bool = False) -> None:
    """Configure Django in a benchmark process. The scratch environment has been set by the runner."""
    if "JOINEDUP_VAR_DIR" not in os.environ or "DATABASE_URL" not in os.environ:
        sys.exit("Run benchmarks through `python -m bench`, which gives each its own scratch database.")
    os.environ["DJANGO_DEBUG"] = "true" if debug else "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    import django

    django.setup()


def prepare_database() -> None:
    """Migrate the scratch database and load the region pack, as `make demo` does."""
    from django.conf import settings
    from django.core.management import call_command

    from joinedup.directory.loading import load_region

    with step("migrate and load the region pack"):
        call_command("migrate", interactive=False, verbosity=0)
        load_region(settings.REGION_PACK)


def backend() -> str:
    from django.db import connection

    return connection.vendor


@contextmanager
def step(what: str):
    """Print what is being done and, when done, how long it took."""
    print(f"  {what} ...", flush=True)
    started = time.perf_counter()
    yield
    print(f"  {what}: {time.perf_counter() - started:.1f} s", flush=True)


def percentile(values, pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least pct% of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def ratio(figure: float, baseline: float) -> float | None:
    return round(figure / baseline, 2) if baseline else None


def emit(result: dict) -> None:
    """The benchmark's last line: one JSON object (see QUALITY.md). The machine's load average over the last
    minute is added: other work on a shared machine moves the figures, and this says how much there was."""
    result = {**result, "load_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
    print(json.dumps(result), flush=True)


class Progress:
    """A progress line on the terminal for long work, rewritten in place (one line per update when piped)."""

    def __init__(self, what: str, total: int):
        self.what, self.total = what, total
        self.started = time.perf_counter()
        self.last_shown = 0.0
        self.tty = sys.stdout.isatty()

    def __call__(self, done: int, *_args) -> None:
        now = time.perf_counter()
        if done < self.total and now - self.last_shown < (0.5 if self.tty else 15):
            return
        self.last_shown = now
        elapsed = now - self.started
        pct = 100 * done / self.total if self.total else 100
        line = f"  {self.what}: {done:,} of {self.total:,} ({pct:.0f}%), {elapsed:.0f} s"
        if self.tty:
            print("\r" + line, end="\n" if done >= self.total else "", flush=True)
        else:
            print(line, flush=True)
