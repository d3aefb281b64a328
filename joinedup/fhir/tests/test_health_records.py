"""Observations (each coded element of an SMI health check) and Conditions (SMI register entries), read and
searched by patient, under the same policy and audit as the Patient."""

import pytest

from joinedup.core.models import AuditEvent
from joinedup.healthchecks.models import RegisterEntry

from .helpers import bearer, fhir_get, issue_codes

pytestmark = pytest.mark.django_db
SNOMED = "http://snomed.info/sct"


def test_a_bmi_reads_as_a_snomed_coded_observation_in_ucum(http, token, hc_check, person):
    response = fhir_get(http, f"/fhir/R4/Observation/{hc_check.pk}-bmi", token)
    assert response.status_code == 200
    observation = response.resource
    assert observation["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation"]
    assert observation["code"]["coding"][0]["system"] == SNOMED
    assert observation["code"]["coding"][0]["code"] == "60621009"
    assert observation["valueQuantity"]["system"] == "http://unitsofmeasure.org"
    assert observation["valueQuantity"]["code"] == "kg/m2"
    assert observation["valueQuantity"]["value"] == pytest.approx(float(hc_check.bmi))
    assert observation["subject"] == {"reference": f"Patient/{person.pk}"}
    assert observation["effectiveDateTime"] == hc_check.done_on.isoformat()
    assert observation["category"][0]["coding"][0]["code"] == "vital-signs"


def test_blood_pressure_is_in_ucum_millimetres_of_mercury(http, token, hc_check):
    systolic = fhir_get(http, f"/fhir/R4/Observation/{hc_check.pk}-systolic", token).resource
    assert (systolic["code"]["coding"][0]["code"], systolic["valueQuantity"]["code"]) == ("163030003", "mm[Hg]")


def test_a_current_smoker_reads_as_the_smoker_finding(http, token, hc_check):
    smoking = fhir_get(http, f"/fhir/R4/Observation/{hc_check.pk}-smoking-current", token).resource
    assert smoking["code"]["coding"][0]["code"] == "77176002"
    assert "valueQuantity" not in smoking
    assert fhir_get(http, f"/fhir/R4/Observation/{hc_check.pk}-smoking-ex", token).status_code == 404


def test_search_by_patient_returns_every_coded_element_of_the_check(http, token, hc_check, person):
    bundle = fhir_get(http, f"/fhir/R4/Observation?patient=Patient/{person.pk}", token).resource
    codes = [e["resource"]["code"]["coding"][0]["code"] for e in bundle["entry"]]
    assert codes == [
        "60621009",
        "163030003",
        "163031004",
        "999791000000106",
        "994351000000103",
        "77176002",
        "1082641000000106",
    ]
    assert bundle["total"] == 7


def test_observation_search_pages(http, token, hc_check, person):
    first = fhir_get(http, f"/fhir/R4/Observation?patient={person.pk}&_count=4", token).resource
    [next_url] = [link["url"] for link in first["link"] if link["relation"] == "next"]
    second = fhir_get(http, "/fhir/R4/Observation?" + next_url.split("?", 1)[1], token).resource
    assert len(first["entry"]) + len(second["entry"]) == 7


def test_observation_reads_and_searches_are_audited_as_the_client(http, token, practice_client, hc_check, person):
    fhir_get(http, f"/fhir/R4/Observation/{hc_check.pk}-bmi", token)
    fhir_get(http, f"/fhir/R4/Observation?patient={person.pk}", token)
    events = AuditEvent.objects.filter(user=practice_client.user, person=person).order_by("id")
    assert [(e.action, e.what) for e in events] == [
        ("view", "FHIR Observation"),
        ("search", "FHIR Observation search"),
    ]


def test_another_areas_practice_sees_no_observations_or_conditions(http, far_practice_client, hc_check, person):
    token = bearer(far_practice_client, "system/Observation.read system/Condition.read")
    assert fhir_get(http, f"/fhir/R4/Observation/{hc_check.pk}-bmi", token).status_code == 404
    assert fhir_get(http, f"/fhir/R4/Observation?patient={person.pk}", token).resource["total"] == 0
    entry = RegisterEntry.objects.get(person=person)
    assert fhir_get(http, f"/fhir/R4/Condition/{entry.pk}", token).status_code == 404
    assert fhir_get(http, f"/fhir/R4/Condition?patient={person.pk}", token).resource["total"] == 0


@pytest.mark.parametrize("query", ["", "patient=Observation/1", "patient=", "patient=Patient/abc"])
def test_searches_must_name_a_patient(http, token, hc_check, query):
    response = fhir_get(http, f"/fhir/R4/Observation?{query}", token)
    assert response.status_code == 400
    assert issue_codes(response)[0] in ("required", "invalid")


def test_an_smi_register_entry_reads_as_a_uk_core_condition(http, token, on_register, person):
    entry = RegisterEntry.objects.get(person=person)
    response = fhir_get(http, f"/fhir/R4/Condition/{entry.pk}", token)
    assert response.status_code == 200
    condition = response.resource
    assert condition["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Condition"]
    coding = condition["code"]["coding"][0]
    assert (coding["system"], coding["code"]) == (SNOMED, entry.smi_code)
    assert coding["display"]
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    assert condition["subject"] == {"reference": f"Patient/{person.pk}"}
    bundle = fhir_get(http, f"/fhir/R4/Condition?patient={person.pk}", token).resource
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(entry.pk)]


def test_a_client_without_the_scope_cannot_read_observations(http, practice_client, hc_check):
    token = bearer(practice_client, "system/Patient.read")
    assert fhir_get(http, f"/fhir/R4/Observation/{hc_check.pk}-bmi", token).status_code == 403
