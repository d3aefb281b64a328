"""Scheduled jobs run when due, once per slot, and one failing job does not stop the others."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from joinedup.core import schedule
from joinedup.core.models import ScheduledJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(monkeypatch):
    monkeypatch.setattr(schedule, "_JOBS", {})
    ran = []

    @schedule.scheduled("test.daily", every=dt.timedelta(days=1))
    def daily(now):
        ran.append(("daily", now))

    @schedule.scheduled("test.broken", every=dt.timedelta(hours=1))
    def broken(now):
        raise RuntimeError("the file store is full")

    return ran


def test_a_due_job_runs_once_per_slot(jobs):
    now = timezone.now()
    assert schedule.run_due(now)["test.daily"] == "ran"
    assert "test.daily" not in schedule.run_due(now + dt.timedelta(hours=23))
    assert schedule.run_due(now + dt.timedelta(days=1))["test.daily"] == "ran"
    assert [name for name, _ in jobs] == ["daily", "daily"]


def test_a_failing_job_is_recorded_and_the_others_still_run(jobs):
    outcome = schedule.run_due()
    assert outcome["test.broken"].startswith("failed: RuntimeError")
    assert outcome["test.daily"] == "ran"
    assert "file store is full" in ScheduledJob.objects.get(name="test.broken").last_error


def test_a_job_runs_on_demand_and_an_unknown_one_is_refused(jobs, capsys):
    call_command("run_scheduled_jobs", job="test.daily")
    call_command("run_scheduled_jobs", job="test.daily")
    assert len(jobs) == 2
    with pytest.raises(Exception, match="No scheduled job"):
        call_command("run_scheduled_jobs", job="nothing.here")


def test_a_job_runs_at_most_once_a_minute():
    with pytest.raises(ValueError):
        schedule.scheduled("too.often", every=dt.timedelta(seconds=5))
