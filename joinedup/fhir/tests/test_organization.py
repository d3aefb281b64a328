"""Organization read and search: the region's directory as UK Core Organizations."""

import pytest

from joinedup.directory.models import Organisation, OrganisationKind

from .helpers import bearer, fhir_get, issue_codes

pytestmark = pytest.mark.django_db
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"


@pytest.fixture
def token(practice_client):
    return bearer(practice_client, "system/Organization.read")


def test_a_practice_reads_as_a_uk_core_organization_with_its_ods_code(http, token, practice):
    organisation = Organisation.objects.get(code=practice.ods_code)
    response = fhir_get(http, f"/fhir/R4/Organization/{organisation.pk}", token)
    assert response.status_code == 200
    resource = response.resource
    assert resource["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Organization"]
    assert resource["identifier"] == [{"system": ODS, "value": practice.ods_code}]
    assert resource["name"] == organisation.name


def test_a_voluntary_organisation_has_no_ods_identifier(http, token, region):
    charity = Organisation.objects.filter(kind=OrganisationKind.VCFSE).order_by("code").first()
    resource = fhir_get(http, f"/fhir/R4/Organization/{charity.pk}", token).resource
    assert "identifier" not in resource


def test_search_by_ods_code_and_by_name(http, token, practice):
    bundle = fhir_get(http, f"/fhir/R4/Organization?identifier={ODS}|{practice.ods_code.lower()}", token).resource
    assert [e["resource"]["identifier"][0]["value"] for e in bundle["entry"]] == [practice.ods_code]
    by_name = fhir_get(http, "/fhir/R4/Organization?name=lancashire and south", token).resource  # the Trust
    assert by_name["total"] >= 1
    assert all(e["resource"]["name"].lower().startswith("lancashire and south") for e in by_name["entry"])


def test_an_unknown_organisation_answers_404(http, token, region):
    response = fhir_get(http, "/fhir/R4/Organization/999999999", token)
    assert response.status_code == 404
    assert issue_codes(response) == ["not-found"]


def test_a_patient_only_token_cannot_read_organisations(http, practice_client, region):
    response = fhir_get(http, "/fhir/R4/Organization", bearer(practice_client, "system/Patient.read"))
    assert response.status_code == 403
