"""Issue 9, item 1 (hazard H20): health check outreach opens the health check pages, nothing else, until the person
agrees to share with the outreach provider's kind of organisation. Written from the outreach worker's side."""

import pytest

from joinedup.accounts.roles import ConsentKind
from joinedup.healthchecks.registers import import_register
from joinedup.healthchecks.tests.helpers import nhs_for, register_file, row
from joinedup.people.models import Person
from joinedup.people.services import consent_record

from .fixtures import csrf_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_register_not_sharing(practice):
    """Someone on the Blackpool practice's SMI register who has agreed to share with nobody outside the NHS."""
    outcome = import_register(register_file(practice.ods_code, [row(practice.ods_code, 7, family="Pendle")]))
    assert outcome.added == 1, outcome.errors
    person = Person.objects.get(nhs_number=nhs_for(7))
    assert not person.consent_vcfse
    return person


def test_outreach_worker_opens_the_health_check_page_but_not_the_rest_of_the_record(
    sign_in, personas, on_register_not_sharing
):
    someone = on_register_not_sharing
    outreach = sign_in(personas.outreach_worker)

    assert outreach.get(f"/health-checks/{someone.pk}/").status_code == 200

    record = outreach.get(f"/people/{someone.pk}/")
    assert record.status_code == 403
    page = record.content.decode()
    assert "has not agreed to share their record with voluntary and community organisations" in page
    assert "Physical health checks" in page  # where they can still go
    for path in ("timeline/", "edit/", "story/", "communication-needs/"):
        assert outreach.get(f"/people/{someone.pk}/{path}").status_code == 403, path
    assert outreach.get(f"/care/{someone.pk}/plan/").status_code == 403
    assert outreach.get(f"/care/{someone.pk}/level/").status_code == 403

    before = someone.version
    response = csrf_post(
        outreach,
        f"/people/{someone.pk}/edit/",
        {"given_name": "Changed", "family_name": "Pendle", "version": before, "practice": str(someone.practice_id)},
    )
    assert response.status_code == 403
    someone.refresh_from_db()
    assert someone.given_name != "Changed"


def test_the_health_check_page_says_why_the_rest_of_the_record_is_hidden(sign_in, personas, on_register_not_sharing):
    page = sign_in(personas.outreach_worker).get(f"/health-checks/{on_register_not_sharing.pk}/")
    text = page.content.decode()
    assert "The rest of their record is hidden" in text
    assert f'/people/{on_register_not_sharing.pk}/"' not in text  # no link to the record they cannot open


def test_outreach_search_finds_only_people_who_share_their_record(sign_in, personas, on_register_not_sharing):
    outreach = sign_in(personas.outreach_worker)
    found = outreach.get("/people/", {"nhs_number": on_register_not_sharing.nhs_number})
    assert "0 people found" in found.content.decode()


def test_once_the_person_agrees_to_share_the_outreach_worker_reads_the_record(
    sign_in, personas, on_register_not_sharing
):
    consent_record(by=personas.gp_practice_staff, person=on_register_not_sharing, kind=ConsentKind.VCFSE, given=True)
    outreach = sign_in(personas.outreach_worker)
    page = outreach.get(f"/people/{on_register_not_sharing.pk}/")
    assert page.status_code == 200
    assert "The rest of their record is hidden" not in page.content.decode()
