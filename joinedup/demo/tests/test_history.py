"""The demo's two years of background history (demo/history.py): every service has 24 months of it, postcodes
sit in LSOAs of their practice's districts, and the report charts show the signals the history was made with."""

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.care.models import CarePlanVersion, CareTeamMember, DialogAssessment
from joinedup.meetings.models import CaseDiscussion
from joinedup.peersupport.models import Contact
from joinedup.people.models import Person
from joinedup.primarycare.models import Episode, Session
from joinedup.referrals.models import EmdtRequest, EmdtRequestTransition
from joinedup.reporting.models import PostcodeLsoa

from .helpers import module_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_demo(django_db_blocker, tmp_path_factory, people=400, seed=5):
        yield


def months(days) -> int:
    days = [d for d in days if d]
    first, last = min(days), max(days)
    return (last.year - first.year) * 12 + last.month - first.month + 1


def test_every_service_has_two_years_of_history():
    assert months(d.date() for d in EmdtRequest.objects.values_list("submitted_at", flat=True)) >= 24
    assert months(CaseDiscussion.objects.values_list("recorded_at__date", flat=True)) >= 24
    assert months(CarePlanVersion.objects.values_list("agreed_on", flat=True)) >= 24
    assert months(DialogAssessment.objects.values_list("taken_on", flat=True)) >= 23
    assert months(Session.objects.values_list("held_on", flat=True)) >= 24
    assert months(Contact.objects.values_list("on", flat=True)) >= 24
    assert not Episode.objects.filter(opened_on__gte=timezone.localdate() + dt.timedelta(days=1)).exists()


def test_history_is_finished_or_kept_and_consistent():
    # Every request's transitions run from triage, through discussion, to its state, in time order.
    for request in EmdtRequest.objects.filter(care_plan_gap="No one plan covers the needs yet.")[:200]:
        steps = list(EmdtRequestTransition.objects.filter(request=request).order_by("at", "pk"))
        assert steps[0].from_state == "submitted" and steps[-1].to_state == request.state
        assert all(a.to_state == b.from_state and a.at <= b.at for a, b in zip(steps, steps[1:], strict=False))
        assert request.submitted_at <= steps[0].at
    # Everyone discussed has a key worker on their care team.
    discussed = set(
        CaseDiscussion.objects.filter(item__request__care_plan_gap="No one plan covers the needs yet.").values_list(
            "person_id", flat=True
        )
    )
    keyed = set(CareTeamMember.objects.filter(is_key_worker=True, ended=None).values_list("person_id", flat=True))
    assert discussed and discussed <= keyed


def test_each_postcode_lies_in_an_lsoa_of_its_practices_districts():
    from django.conf import settings

    from joinedup.reporting.deprivation import locality_lads

    lads = locality_lads(settings.REGION_PACK)
    lookup = {p.postcode: p.lsoa.lad_code for p in PostcodeLsoa.objects.select_related("lsoa")}
    people = Person.objects.exclude(postcode="").select_related("practice__locality")
    people = people.filter(practice__locality__code__in=lads)  # the home region's (the second has no lookup)
    assert people.count() > 300
    for person in people:
        assert lookup[person.postcode] in lads[person.practice.locality.code], person.postcode


def test_the_charts_show_the_signals_the_history_was_made_with():
    from joinedup.reporting import views
    from joinedup.reporting.filters import parse_area, parse_period, practice_geography

    geography = practice_geography()
    today = timezone.localdate()
    period = parse_period({"from": f"{today.year - 2}-{today.month:02d}"}, today=today)
    area = parse_area("icb", geography)
    report = views.REPORTS["emdt"][1](period=period, area=area, by="area", geography=geography)
    triage = next(c for c in report.charts if "triage" in c.title)
    markers = [p.marker for p in triage.points]
    assert "high" in markers[:12] and "low" in markers[-9:]  # days to triage fell: a triage rota started
