"""Issue 9, item 2: only the clinical roles that step care up or down may change the level of care; everyone
else reads it. Through the pages, signed in as each of them, with CSRF enforced."""

import pytest

from joinedup.care.models import LevelOfCare
from joinedup.care.queries import level_of_care_for
from joinedup.care.services import level_of_care_change
from joinedup.people.tests.fixtures import csrf_post

pytestmark = pytest.mark.django_db

READ_ONLY = (
    "peer_support_worker",
    "senior_peer_support_worker",
    "outreach_worker",
    "gp_practice_staff",
    "trainee_psychologist",
    "partner_professional",
    "volunteer",
)


@pytest.fixture
def at_emdt(personas, person):
    level_of_care_change(by=personas.mhp, person=person, level=LevelOfCare.EMDT, reason="Needs several services")
    return person


@pytest.mark.parametrize("role", READ_ONLY)
def test_only_clinical_roles_may_change_the_level_of_care(sign_in, personas, at_emdt, role):
    client = sign_in(getattr(personas, role))
    record = client.get(f"/people/{at_emdt.pk}/")
    assert record.status_code == 200
    page = record.content.decode()
    assert "Now: <strong>Enhanced multi-disciplinary team" in page  # read-only
    assert "Change level of care" not in page
    assert client.get(f"/care/{at_emdt.pk}/level/").status_code == 403

    response = csrf_post(client, f"/care/{at_emdt.pk}/level/", {"level": LevelOfCare.DISCHARGED, "reason": "Done"})
    assert response.status_code == 403
    assert level_of_care_for(person=at_emdt).level == LevelOfCare.EMDT


@pytest.mark.parametrize("role", ["mhp", "community_clinician", "emdt_coordinator", "key_worker"])
def test_clinicians_step_care_up_or_down_through_the_page(sign_in, personas, at_emdt, role):
    client = sign_in(getattr(personas, role))
    assert "Change level of care" in client.get(f"/people/{at_emdt.pk}/").content.decode()
    response = csrf_post(client, f"/care/{at_emdt.pk}/level/", {"level": LevelOfCare.CMHT, "reason": "Needs more"})
    assert response.status_code == 302
    assert level_of_care_for(person=at_emdt).level == LevelOfCare.CMHT
