"""Is this instance ready for traffic? The database answers, and (when tasks run in a worker) a worker has run the
scheduler's heartbeat task recently, so work handed to the background is being done.

`/health` (core) says only that the process is alive; `/health/ready` is what a load balancer or orchestrator asks
before sending requests, and what an operator reads when something is wrong: each check says what it found."""

import datetime as dt

from django.conf import settings
from django.db import connections
from django.utils import timezone

HEARTBEAT_TASK = "joinedup.ops.background.heartbeat"


def tasks_need_a_worker() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def last_heartbeat() -> dt.datetime | None:
    if not tasks_need_a_worker():
        return None
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK, status=TaskResultStatus.SUCCESSFUL)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


def _database(alias: str) -> str | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001  (any failure means not ready; said in the answer)
        return f"{type(error).__name__}"
    return None


def checks(now: dt.datetime | None = None) -> dict[str, str]:
    """{check: "ok" | what is wrong}."""
    now = now or timezone.now()
    found = {}
    for alias in connections:
        problem = _database(alias)
        found[f"database:{alias}"] = f"unreachable ({problem})" if problem else "ok"
    if "database:replica" in found and found["database:replica"] != "ok":
        # Not a reason to take this instance out of service: its reads go to the primary meanwhile.
        found["database:replica"] = f"ok (reading from the primary: replica {found['database:replica']})"
    if not tasks_need_a_worker():
        found["worker"] = "ok (tasks run in the web process)"
    elif found["database:default"] != "ok":
        found["worker"] = "unknown (database unreachable)"
    else:
        beat = last_heartbeat()
        limit = dt.timedelta(seconds=settings.READINESS_HEARTBEAT_SECONDS)
        if beat is None:
            found["worker"] = "no heartbeat yet: is the task worker (and the scheduler) running?"
        elif now - beat > limit:
            found["worker"] = f"last heartbeat {int((now - beat).total_seconds())} s ago (limit {limit.seconds} s)"
        else:
            found["worker"] = "ok"
    return found


def ready(found: dict[str, str]) -> bool:
    return all(value.startswith("ok") for value in found.values())
