"""Readiness, metrics, request ids and JSON logs, from the outside (the test client), plus the scheduled jobs."""

import datetime as dt
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from joinedup.core.models import ScheduledJob
from joinedup.core.schedule import run_due
from joinedup.ops.readiness import HEARTBEAT_TASK
from joinedup.ops.requestid import bind, unbind

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _heartbeat(finished_at):
    return DBTaskResult.objects.create(
        task_path=HEARTBEAT_TASK,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=finished_at,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at=finished_at,
    )


def test_ready_when_tasks_run_in_the_web_process_and_the_database_answers(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["checks"]["database:default"] == "ok"


@override_settings(TASKS=DB_TASKS)
def test_not_ready_without_a_worker_heartbeat_and_it_says_why(client):
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert "no heartbeat yet" in response.json()["checks"]["worker"]


@override_settings(TASKS=DB_TASKS)
def test_ready_with_a_recent_heartbeat_and_not_with_an_old_one(client):
    _heartbeat(timezone.now() - dt.timedelta(seconds=settings.READINESS_HEARTBEAT_SECONDS + 60))
    response = client.get("/health/ready")
    assert response.status_code == 503 and "last heartbeat" in response.json()["checks"]["worker"]
    _heartbeat(timezone.now() - dt.timedelta(seconds=30))
    assert client.get("/health/ready").status_code == 200


@override_settings(TASKS=DB_TASKS)
def test_the_scheduler_hands_the_worker_a_heartbeat_and_prunes_old_ones():
    old = _heartbeat(timezone.now() - dt.timedelta(days=2))
    DBTaskResult.objects.filter(pk=old.pk).update(enqueued_at=timezone.now() - dt.timedelta(days=2))
    outcome = run_due(only="ops.worker_heartbeat")
    assert outcome == {"ops.worker_heartbeat": "ran"}
    assert DBTaskResult.objects.filter(task_path=HEARTBEAT_TASK, status=TaskResultStatus.READY).count() == 1
    run_due(only="ops.prune_heartbeats")
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()


def test_metrics_count_requests_by_route_and_read_the_queue_and_failing_jobs(client, personas):
    ScheduledJob.objects.create(name="reporting.broken", last_error="ValueError: no")
    client.force_login(personas.community_clinician)
    client.get("/tasks/")
    body = client.get("/metrics").content.decode()
    assert 'joinedup_http_requests_total{method="GET",status="200",view="my_tasks"}' in body
    assert 'joinedup_http_request_duration_seconds_bucket{le="0.3",view="my_tasks"}' in body
    assert 'joinedup_task_queue_depth{queue="default"} 0.0' in body
    assert 'joinedup_scheduled_job_failing{job="reporting.broken"} 1.0' in body
    assert "joinedup_tasks_failed_last_hour 0.0" in body


def test_metrics_are_hidden_from_other_machines_and_need_the_token_when_one_is_set(client):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    with override_settings(METRICS_TOKEN="s3cret-metrics-token"):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        response = client.get(
            "/metrics", REMOTE_ADDR="10.1.2.3", headers={"Authorization": "Bearer s3cret-metrics-token"}
        )
        assert response.status_code == 200 and b"joinedup_task_queue_depth" in response.content


def test_every_answer_carries_a_request_id_and_keeps_a_sensible_one_from_the_proxy(client):
    fresh = client.get("/health")["X-Request-ID"]
    assert len(fresh) == 32
    assert client.get("/health", headers={"X-Request-ID": "lb-1234abcd"})["X-Request-ID"] == "lb-1234abcd"
    sent = "bad id\nwith a new line"
    assert client.get("/no-such-page/", headers={"X-Request-ID": sent})["X-Request-ID"] != sent


def test_log_lines_are_json_with_the_request_id():
    config = json.loads(json.dumps(settings.LOGGING))  # a copy, not the live settings
    config["handlers"]["console"]["formatter"] = "json"
    out = io.StringIO()
    config["handlers"]["console"]["stream"] = "ext://sys.stdout"
    logging.config.dictConfig(config)
    try:
        handler = logging.getLogger().handlers[0]
        handler.setStream(out)
        token = bind("req-0001abcd")
        try:
            logging.getLogger("joinedup.test").warning("something happened", extra={"status": 503})
        finally:
            unbind(token)
        line = json.loads(out.getvalue().strip().splitlines()[-1])
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert line["request_id"] == "req-0001abcd"
    assert line["message"] == "something happened" and line["status"] == 503 and line["level"] == "WARNING"
