"""The figures behind the reports, from states the services make: true counts, before any hiding."""

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.healthchecks.registers import import_register
from joinedup.healthchecks.tests.helpers import register_file, row
from joinedup.referrals.services import emdt_request_decline
from joinedup.referrals.tests.fixtures import make_request
from joinedup.reporting.filters import parse_area, parse_period, practice_geography
from joinedup.reporting.queries import TOTAL, emdt_figures, smi_figures

pytestmark = pytest.mark.django_db


def every_relation_adds_up(figures):
    for total, parts in figures.relations:
        assert figures.counts[total] == sum(figures.counts[p] for p in parts), (total, parts)


@pytest.fixture
def registers(practice, far_practice, hc_check):
    """Zoë (checked today, a full check) and 11 others at the Blackpool practice, 3 at the Furness one; two of the
    Blackpool people were put on the register in March 2026."""
    zoe = row(practice.ods_code, 0, family="Ashworth", given="Zoë", dob="1984-03-15")
    rows = [zoe] + [row(practice.ods_code, n, smi_date="2026-03-10" if n <= 2 else "") for n in range(1, 12)]
    assert import_register(register_file(practice.ods_code, rows), filename="a.csv").rejected == 0
    rows = [row(far_practice.ods_code, n) for n in range(20, 23)]
    assert import_register(register_file(far_practice.ods_code, rows), filename="b.csv").rejected == 0


def report(figures_of, params=None, area="icb", by="pcn"):
    today = timezone.localdate()
    geography = practice_geography()
    period = parse_period(params or {}, today=today)
    return figures_of(period=period, area=parse_area(area, geography), by=by, geography=geography), period


def test_smi_register_coverage_elements_and_checks_by_pcn(registers, practice, far_practice):
    f, _ = report(smi_figures)
    mine, far = practice.pcn.code, far_practice.pcn.code
    assert [f.counts[("group", mine, m)] for m in ("register", "checked_12m", "none_36m")] == [12, 1, 11]
    assert [f.counts[("group", far, m)] for m in ("register", "checked_12m", "none_36m")] == [3, 0, 3]
    assert f.counts[("group", TOTAL, "register")] == 15
    assert f.counts[("group", mine, "bmi_date")] == 1 and f.counts[("group", mine, "checks_done")] == 1
    assert f.counts[("group", mine, "follow_ups_offered")] >= 1  # Zoë's BMI of 31 asks for a follow-up
    every_relation_adds_up(f)


def test_smi_months_before_someone_joined_the_register_do_not_count_them(registers, practice):
    f, _ = report(smi_figures, {"from": "2026-01", "to": "2026-06"}, area=f"practice:{practice.ods_code}", by=None)
    assert f.counts[("month", "2026-02", "register")] == 0
    assert f.counts[("month", "2026-03", "register")] == 2
    assert f.counts[("group", TOTAL, "register")] == 2  # June is the last month: the area's own figure
    every_relation_adds_up(f)


def test_smi_figures_for_one_practice_leave_out_the_others(registers, far_practice):
    f, _ = report(smi_figures, area=f"practice:{far_practice.ods_code}", by=None)
    assert f.counts[("group", TOTAL, "register")] == 3 and f.counts[("group", TOTAL, "checks_done")] == 0


def test_emdt_request_accepted_and_discussed_is_counted_with_its_days(emdt_chain, practice):
    f, period = report(emdt_figures, by="locality")
    month = period.last.strftime("%Y-%m")
    counts = {m: f.counts[("month", month, m)] for m in ("received", "triaged", "accepted", "declined", "discussed")}
    assert counts == {"received": 1, "triaged": 1, "accepted": 1, "declined": 0, "discussed": 1}
    assert f.counts[("source", practice.locality.code, "nhs")] == 1
    assert f.values[("days", month, "triage")] == (0.0, 0.0)
    every_relation_adds_up(f)


def test_emdt_days_to_triage_are_from_the_request_to_the_first_decision(personas, person):
    import time_machine

    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    with time_machine.travel(ten_days_ago, tick=False):
        request = make_request(by=personas.mhp, person=person)
    emdt_request_decline(
        by=personas.emdt_coordinator, request=request, reason="Not complex enough", recommendation="Practice MHP"
    )
    f, period = report(emdt_figures, by=None)
    month = period.last.strftime("%Y-%m")
    assert f.counts[("month", month, "declined")] == 1
    assert f.values[("days", month, "triage")] == (10.0, 10.0)
    every_relation_adds_up(f)


def test_completed_months_register_figures_are_kept_and_reused_until_the_nightly_job(registers, practice):
    from joinedup.core.schedule import registered_jobs
    from joinedup.reporting.models import SmiMonthEnd
    from joinedup.reporting.store import smi_month_ends

    params = {"from": "2026-01", "to": "2026-06"}
    f, period = report(smi_figures, params, area=f"practice:{practice.ods_code}", by=None)
    kept = SmiMonthEnd.objects.get(day=dt.date(2026, 3, 31))
    assert kept.counts[str(practice.pk)][0] == f.counts[("month", "2026-03", "register")] == 2
    assert SmiMonthEnd.objects.count() == 5  # January to May; June is the period's own snapshot, worked out live
    # A second report reads them back (the same figures), without working them out again.
    SmiMonthEnd.objects.filter(pk=kept.pk).update(counts={str(practice.pk): [7, 0, 7]})
    again, _ = report(smi_figures, params, area=f"practice:{practice.ods_code}", by=None)
    assert again.counts[("month", "2026-03", "register")] == 7
    # The nightly job works every kept month out again; one kept over 48 hours ago is not read.
    job = next(j for j in registered_jobs() if j.name == "reporting.smi_month_ends")
    assert job.every == dt.timedelta(days=1)
    smi_month_ends(timezone.now())
    assert SmiMonthEnd.objects.get(pk=kept.pk).counts[str(practice.pk)][0] == 2
    SmiMonthEnd.objects.filter(pk=kept.pk).update(
        counts={str(practice.pk): [7, 0, 7]}, made_at=timezone.now() - dt.timedelta(hours=49)
    )
    fresh, _ = report(smi_figures, params, area=f"practice:{practice.ods_code}", by=None)
    assert fresh.counts[("month", "2026-03", "register")] == 2
