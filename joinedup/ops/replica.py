"""Reads that may come from a read replica (PostgreSQL streaming replication), and the router that sends them.

With DATABASE_REPLICA_URL set, settings add a "replica" database and this router. Reads go to the replica only
inside `use_replica()` (a context manager and a decorator) and only while no transaction is open on the primary:
a page that has just written reads its own writes from the primary. Writes always go to the primary. Pages are
chosen by route name in settings (REPLICA_READ_VIEWS: the reports and their exports, search, the IG lead's audit
search), GET and HEAD only, by `ReplicaPagesMiddleware`, so no app needs to know a replica exists.

Sessions, sign-in lockouts, second-factor devices and the task queue are always read from the primary: a session
written a moment ago must not be missing because the replica is a moment behind. When the replica is more than
REPLICA_MAX_LAG_SECONDS behind, or does not answer, reads go to the primary (checked at most every few seconds).
"""

import contextvars
import fnmatch
import logging
import time
from contextlib import ContextDecorator

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY_ONLY_APPS = {"sessions", "axes", "otp_totp", "otp_static", "django_otp", "django_tasks_database"}
_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)
_health = {"checked_at": 0.0, "usable": False}
LAG_SQL = """
SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_lag_seconds() -> float:
    """How far the replica is behind the primary (0 when it has replayed all it received)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_usable() -> bool:
    """Answers, and is not too far behind; asked at most every REPLICA_CHECK_SECONDS per process."""
    now = time.monotonic()
    if now - _health["checked_at"] >= settings.REPLICA_CHECK_SECONDS:
        try:
            lag = replica_lag_seconds()
            _health["usable"] = lag <= settings.REPLICA_MAX_LAG_SECONDS
            if not _health["usable"]:
                log.warning("read replica %.1f s behind: reading from the primary", lag)
        except Exception:  # noqa: BLE001  (an unreachable replica means: read from the primary)
            log.warning("read replica does not answer: reading from the primary", exc_info=True)
            connections[REPLICA].close()
            _health["usable"] = False
        _health["checked_at"] = now
    return _health["usable"]


class use_replica(ContextDecorator):  # noqa: N801  (used like a function: `with use_replica():`, `@use_replica()`)
    """Reads inside may come from the replica (when one is configured, usable, and no primary transaction is open)."""

    def __enter__(self):
        self._token = _wanted.set(True)
        return self

    def __exit__(self, *exc):
        _wanted.reset(self._token)
        return False


def reading_from_replica(model=None) -> bool:
    if not _wanted.get() or not replica_configured():
        return False
    if model is not None and model._meta.app_label in PRIMARY_ONLY_APPS:
        return False
    if connections["default"].in_atomic_block:
        return False  # read-after-write: this transaction's own writes are only on the primary
    return replica_usable()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica(model) else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {"default", REPLICA}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _matches(view_name: str) -> bool:
    return any(fnmatch.fnmatchcase(view_name, pattern) for pattern in settings.REPLICA_READ_VIEWS)


class ReplicaPagesMiddleware:
    """GET and HEAD of the pages named in REPLICA_READ_VIEWS read from the replica. Last in the chain: by then
    sign-in and the second factor have been checked (from the primary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method in ("GET", "HEAD") and match and _matches(match.view_name) and replica_configured():
            return use_replica()(view_func)(request, *view_args, **view_kwargs)
        return None
