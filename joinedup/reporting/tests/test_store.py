"""The reporting store: pages read fresh snapshots, the job refreshes what was read lately, pages say how fresh."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.core.schedule import registered_jobs
from joinedup.reporting.models import ReportSnapshot
from joinedup.reporting.store import refresh

pytestmark = pytest.mark.django_db


def test_a_page_is_stored_then_read_from_the_store_and_says_so(client, personas):
    client.force_login(personas.commissioner)
    url = reverse("reporting:emdt")
    first = client.get(url).content.decode()
    assert "worked out when this page was opened" in first
    assert ReportSnapshot.objects.filter(slug="emdt").count() == 1
    ReportSnapshot.objects.update(made_at=timezone.now() - dt.timedelta(minutes=5))
    second = client.get(url).content.decode()
    assert "from the reporting store" in second
    export = client.get(reverse("reporting:emdt_export") + "?table=by-month&format=csv").content.decode("utf-8-sig")
    assert "Figures as of" in export


def test_the_refresh_rebuilds_what_was_read_lately_and_drops_the_unread(client, personas):
    client.force_login(personas.commissioner)
    client.get(reverse("reporting:emdt"))
    client.get(reverse("reporting:smi_health_checks"))
    now = timezone.now()
    ReportSnapshot.objects.update(made_at=now - dt.timedelta(minutes=20))
    ReportSnapshot.objects.filter(slug="emdt").update(last_read_at=now - dt.timedelta(days=8))
    assert refresh(now) == 1
    assert not ReportSnapshot.objects.filter(slug="emdt").exists()
    assert ReportSnapshot.objects.get(slug="smi-health-checks").made_at == now
    assert refresh(now) == 0  # fresh now: nothing to do


def test_the_refresh_job_runs_every_15_minutes():
    job = next(j for j in registered_jobs() if j.name == "reporting.refresh_store")
    assert job.every == dt.timedelta(minutes=15)
