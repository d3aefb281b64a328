"""Scheduled jobs of the service itself (core/schedule.py)."""

import datetime as dt

from joinedup.core.schedule import scheduled

from .readiness import HEARTBEAT_TASK, tasks_need_a_worker


@scheduled("ops.worker_heartbeat", every=dt.timedelta(minutes=1))
def worker_heartbeat(now):
    """Hand the worker a heartbeat; the readiness check reads when the last one finished."""
    from .background import heartbeat

    if tasks_need_a_worker():
        heartbeat.enqueue()


@scheduled("ops.prune_heartbeats", every=dt.timedelta(days=1))
def prune_heartbeats(now):
    """Heartbeats older than a day say nothing any more."""
    if not tasks_need_a_worker():
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK, enqueued_at__lt=now - dt.timedelta(days=1)).delete()


@scheduled("ops.partitions_ahead", every=dt.timedelta(days=1))
def partitions_ahead(now):
    """The audit trail's and the timeline's partitions for this month and the coming ones (PostgreSQL only)."""
    from django.conf import settings

    from .partitions import ensure_ahead

    ensure_ahead(now.date(), settings.PARTITION_MONTHS_AHEAD)
