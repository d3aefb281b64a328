"""Prometheus metrics (prometheus-client): requests, the task queue's depth, failed tasks and failing scheduled jobs.

Request counts and durations are counted in the web processes. Under gunicorn several processes serve: the
gunicorn config (joinedup/config/gunicorn.py) sets PROMETHEUS_MULTIPROC_DIR, each process writes its counts
there, and the metrics page adds them up (prometheus-client's multiprocess mode). The queue and the scheduled jobs
are read from the database when the page is asked for, so they are right whichever process did the work.
"""

import datetime as dt
import os

from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

REQUESTS = Counter(
    "joinedup_http_requests", "Requests answered, by route name and status", ["method", "view", "status"]
)
DURATION = Histogram(
    "joinedup_http_request_duration_seconds",
    "Time to answer a request, by route name",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)


def observe_request(method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    DURATION.labels(view=view).observe(seconds)


class DatabaseCollector:
    """Read at every scrape: tasks waiting per queue, tasks failed in the last hour, scheduled jobs whose last run
    failed, and how old the worker's last heartbeat is."""

    def collect(self):
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from joinedup.core.models import ScheduledJob

        from .readiness import last_heartbeat

        depth = GaugeMetricFamily("joinedup_task_queue_depth", "Tasks waiting to run, by queue", labels=["queue"])
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list("queue_name")
        counts: dict[str, int] = {}
        for (queue,) in waiting.iterator():
            counts[queue] = counts.get(queue, 0) + 1
        for queue, count in sorted((counts or {"default": 0}).items()):
            depth.add_metric([queue], count)
        yield depth

        since = timezone.now() - dt.timedelta(hours=1)
        failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, finished_at__gte=since).count()
        yield GaugeMetricFamily("joinedup_tasks_failed_last_hour", "Tasks that failed in the last hour", value=failed)

        jobs = GaugeMetricFamily(
            "joinedup_scheduled_job_failing", "1 when the scheduled job's last run failed", labels=["job"]
        )
        for name, error in ScheduledJob.objects.values_list("name", "last_error").order_by("name"):
            jobs.add_metric([name], 1 if error else 0)
        yield jobs

        beat = last_heartbeat()
        if beat is not None:
            age = (timezone.now() - beat).total_seconds()
            yield GaugeMetricFamily(
                "joinedup_worker_heartbeat_age_seconds", "Seconds since the task worker last ran a heartbeat", value=age
            )


def render() -> tuple[bytes, str]:
    """The metrics page: every process's request counts (multiprocess mode) or this one's, and the database's."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _ThisProcess:
    def collect(self):
        yield from REQUESTS.collect()
        yield from DURATION.collect()
