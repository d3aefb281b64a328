"""Scheduled jobs: what runs on its own at set times (the monthly reports, the access review, expiring exports...).

An app registers a job with `@scheduled(name, every=...)`; the job takes the moment it runs for and must be safe to
run again (it decides for itself whether there is anything to do: "on the first working day" is a daily job that
does nothing on other days). `run_due(now)` runs each job whose time has come and records when it ran, so that
several scheduler processes, or one restarted, never run a job twice for the same slot. `manage.py run_scheduled_jobs`
calls it (once, or in a loop for the production process).
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    fn: Callable[[dt.datetime], object]


_JOBS: dict[str, Job] = {}


def scheduled(name: str, *, every: dt.timedelta):
    """Register `fn(now)` to run every `every` (at least a minute)."""
    if every < dt.timedelta(minutes=1):
        raise ValueError("A scheduled job runs at most once a minute")

    def register(fn):
        _JOBS[name] = Job(name=name, every=every, fn=fn)
        return fn

    return register


def registered_jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def run_due(now: dt.datetime | None = None, *, only: str | None = None) -> dict[str, str]:
    """Run every job that is due (or just `only`, whether due or not). Answers {name: "ran" | "failed: ..."}.

    A job is claimed before it runs (a row lock on its ScheduledJob, skipped by a second scheduler), so two
    schedulers never run it at once; a failure is recorded and logged and the next job still runs."""
    from .models import ScheduledJob

    now = now or timezone.now()
    outcome = {}
    for job in registered_jobs():
        if only and job.name != only:
            continue
        ScheduledJob.objects.get_or_create(name=job.name)
        with transaction.atomic():
            row = ScheduledJob.objects.select_for_update(skip_locked=True).filter(name=job.name).first()
            if row is None:
                continue  # another scheduler holds it
            if not only and row.last_run_at is not None and row.last_run_at + job.every > now:
                continue
            try:
                with transaction.atomic():
                    job.fn(now)
            except Exception as error:  # noqa: BLE001  (recorded and logged: one job must not stop the others)
                log.exception("scheduled job %s failed", job.name)
                row.last_error = f"{type(error).__name__}: {error}"[:500]
                outcome[job.name] = f"failed: {row.last_error}"
            else:
                row.last_error = ""
                outcome[job.name] = "ran"
            row.last_run_at = now
            row.save(update_fields=["last_run_at", "last_error"])
    return outcome
