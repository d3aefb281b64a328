"""Reporting's demo step: two years of back-dated health checks, with a step up the SPC chart can see."""

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.utils import timezone

from joinedup.healthchecks.models import HealthCheck, RegisterEntry
from joinedup.healthchecks.registers import import_register
from joinedup.healthchecks.tests.helpers import register_file, row
from joinedup.reporting import demo_data, spc

pytestmark = pytest.mark.django_db


def test_two_years_of_checks_with_a_signal(personas):
    provider = personas.outreach_worker.primary_organisation
    from joinedup.directory.models import Practice

    practice = Practice.objects.filter(locality__outreach_coverage__provider=provider).order_by("ods_code").first()
    rows = [row(practice.ods_code, n) for n in range(1, 30)]
    assert import_register(register_file(practice.ods_code, rows), filename="demo.csv").rejected == 0
    assert RegisterEntry.objects.filter(provider=provider).exists()
    from joinedup.people.models import Person

    Person.objects.update(created_at=timezone.now() - dt.timedelta(days=3 * 365))  # known to us for years
    ctx = SimpleNamespace(
        rng=random.Random(3),
        today=timezone.localdate(),
        personas={str(k): v for k, v in personas.all().items()},
        progress=lambda *a: None,
    )
    demo_data.seed(ctx)
    months = {d.strftime("%Y-%m") for d in HealthCheck.objects.values_list("done_on", flat=True)}
    assert len(months) >= 22
    series = [demo_data.checks_in_month(i) for i in range(demo_data.MONTHS)]
    assert spc.xmr(series, improvement=spc.UP).variation == spc.IMPROVEMENT
