"""The frozen monthly PDFs: made by the scheduled job from the first working day, once, kept unchanged, listed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.core.models import AuditEvent
from joinedup.core.schedule import registered_jobs
from joinedup.reporting.models import FrozenReport, MonthlyReport
from joinedup.reporting.monthly import first_working_day, make_due_monthly_reports

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))


def test_the_first_working_day():
    assert first_working_day(dt.date(2026, 8, 1)) == dt.date(2026, 8, 3)  # a Saturday: the Monday
    assert first_working_day(dt.date(2027, 1, 1)) == dt.date(2027, 1, 4)  # New Year's Day, a Friday
    assert first_working_day(dt.date(2026, 6, 10)) == dt.date(2026, 6, 1)


def test_the_job_is_registered_daily():
    job = next(j for j in registered_jobs() if j.name == "reporting.monthly_reports")
    assert job.every == dt.timedelta(days=1)


def test_made_once_from_the_first_working_day_kept_unchanged(region, practice):
    area = f"pcn:{practice.pcn.code}"
    assert make_due_monthly_reports(at(dt.date(2026, 8, 1)), areas=["icb"]) == []  # a Saturday: not yet
    made = make_due_monthly_reports(at(dt.date(2026, 8, 3)), areas=["icb", area])
    assert [(r.area_key, r.month) for r in made] == [("icb", dt.date(2026, 7, 1)), (area, dt.date(2026, 7, 1))]
    assert bytes(made[0].pdf).startswith(b"%PDF")
    assert make_due_monthly_reports(at(dt.date(2026, 8, 4)), areas=["icb", area]) == []  # never twice
    row = MonthlyReport.objects.get(area_key="icb")
    row.area_title = "changed"
    with pytest.raises(FrozenReport):
        row.save()


def test_listed_and_opened_by_who_may_read_the_area(client, personas, practice, far_practice):
    make_due_monthly_reports(at(dt.date(2026, 8, 3)), areas=["icb", f"practice:{practice.ods_code}"])
    icb = MonthlyReport.objects.get(area_key="icb")
    own = MonthlyReport.objects.exclude(area_key="icb").get()
    client.force_login(personas.commissioner)
    listing = client.get(reverse("reporting:monthly")).content.decode()
    assert "July 2026" in listing and f"?id={icb.pk}" in listing and f"?id={own.pk}" in listing
    response = client.get(reverse("reporting:monthly_pdf") + f"?id={icb.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == bytes(icb.pdf)
    client.force_login(personas.gp_practice_staff)
    listing = client.get(reverse("reporting:monthly")).content.decode()
    assert f"?id={own.pk}" in listing and f"?id={icb.pk}" not in listing
    assert client.get(reverse("reporting:monthly_pdf") + f"?id={icb.pk}").status_code == 404
    assert client.get(reverse("reporting:monthly_pdf") + "?id=abc").status_code == 404
    assert AuditEvent.objects.filter(user=personas.gp_practice_staff, what="monthly report").exists()
