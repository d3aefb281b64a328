"""Writes from a GP system: Patients (conditional create on NHS number, update with If-Match), health check
Observations and transaction Bundles, through the people and health checks services, audited as the client."""

import pytest
from django.utils import timezone

from joinedup.core.models import AuditEvent
from joinedup.healthchecks.models import HealthCheck
from joinedup.people.models import Person

from .helpers import blood_pressure, coded_value, fhir_get, fhir_send, issue_codes, new_patient

pytestmark = pytest.mark.django_db
NHS = "https://fhir.nhs.uk/Id/nhs-number"
LOCAL = "urn:uuid:0b1c4f7e-1d2a-4c3b-9e8f-000000000001"


def test_a_practice_creates_a_patient_and_then_finds_it_instead_of_a_second(http, write_token, writer_client, practice):
    created = fhir_send(http, "POST", "/fhir/R4/Patient", write_token, new_patient())
    assert created.status_code == 201, created.resource
    person = Person.objects.get(nhs_number="9990000026")
    assert person.practice == practice
    assert created["Location"] == f"http://testserver/fhir/R4/Patient/{person.pk}/_history/1"
    assert created["ETag"] == 'W/"1"'
    assert AuditEvent.objects.filter(user=writer_client.user, person=person, action="create").exists()
    again = fhir_send(
        http, "POST", "/fhir/R4/Patient", write_token, new_patient(), HTTP_IF_NONE_EXIST=f"identifier={NHS}|9990000026"
    )
    assert again.status_code == 200 and again.resource["id"] == str(person.pk)
    assert Person.objects.filter(nhs_number="9990000026").count() == 1


def test_an_invalid_patient_is_422_pointing_at_the_fault(http, write_token):
    no_birth = new_patient(birthDate=None)
    del no_birth["birthDate"]
    answer = fhir_send(http, "POST", "/fhir/R4/Patient", write_token, no_birth)
    assert answer.status_code == 422 and answer.resource["issue"][0]["expression"] == ["Patient.birthDate"]
    bad_number = fhir_send(http, "POST", "/fhir/R4/Patient", write_token, new_patient(nhs_number="9990000027"))
    assert bad_number.status_code == 422 and bad_number.resource["issue"][0]["expression"] == ["Patient.identifier"]
    not_fhir = fhir_send(http, "POST", "/fhir/R4/Patient", write_token, {**new_patient(), "colour": "blue"})
    assert not_fhir.status_code == 422 and "colour" in not_fhir.resource["issue"][0]["expression"][0]
    wrong_type = fhir_send(http, "POST", "/fhir/R4/Patient", write_token, {"resourceType": "Flag"})
    assert wrong_type.status_code == 422 and issue_codes(wrong_type) == ["invalid"]


def test_an_update_against_an_old_version_is_412(http, write_token, person):
    current = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", write_token).resource
    changed = {**current, "telecom": [{"system": "phone", "value": "07700 900123"}]}
    done = fhir_send(http, "PUT", f"/fhir/R4/Patient/{person.pk}", write_token, changed, HTTP_IF_MATCH='W/"1"')
    assert done.status_code == 200, done.resource
    assert done.resource["meta"]["versionId"] == "2"
    stale = fhir_send(http, "PUT", f"/fhir/R4/Patient/{person.pk}", write_token, changed, HTTP_IF_MATCH='W/"1"')
    assert stale.status_code == 412 and issue_codes(stale) == ["conflict"]


def test_a_health_check_result_from_the_practice_lands_on_the_record(http, write_token, on_register):
    person, today = on_register, timezone.localdate().isoformat()
    answer = fhir_send(http, "POST", "/fhir/R4/Observation", write_token, blood_pressure(f"Patient/{person.pk}", today))
    assert answer.status_code == 201, answer.resource
    check = HealthCheck.objects.get(person=person)
    assert (check.systolic, check.diastolic) == (128, 82)
    assert answer["Location"].endswith(f"/Observation/{check.pk}-systolic")
    read = fhir_get(http, answer["Location"].removeprefix("http://testserver"), write_token)
    assert read.resource["valueQuantity"]["value"] == 128
    bmi_alone = coded_value(f"Patient/{person.pk}", today, "60621009", 31.2, "kg/m2")
    refused = fhir_send(http, "POST", "/fhir/R4/Observation", write_token, bmi_alone)
    assert refused.status_code == 422 and refused.resource["issue"][0]["expression"] == ["Observation.code"]
    future = blood_pressure(f"Patient/{person.pk}", "2999-01-01")
    late = fhir_send(http, "POST", "/fhir/R4/Observation", write_token, future)
    assert late.status_code == 422 and late.resource["issue"][0]["expression"] == ["Observation.effectiveDateTime"]


def test_a_transaction_of_patients_and_observations_is_all_or_nothing(http, write_token, practice):
    today = timezone.localdate().isoformat()
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:0b1c4f7e-1d2a-4c3b-9e8f-000000000001",
                "resource": new_patient(),
                "request": {"method": "POST", "url": "Patient", "ifNoneExist": f"identifier={NHS}|9990000026"},
            },
            {
                "resource": blood_pressure("urn:uuid:0b1c4f7e-1d2a-4c3b-9e8f-000000000001", today),
                "request": {"method": "POST", "url": "Observation"},
            },
            {
                "resource": coded_value(
                    "urn:uuid:0b1c4f7e-1d2a-4c3b-9e8f-000000000001", today, "999791000000106", 41, "mmol/mol"
                ),
                "request": {"method": "POST", "url": "Observation"},
            },
        ],
    }
    broken = {**bundle, "entry": [*bundle["entry"], {**bundle["entry"][2]}]}
    refused = fhir_send(http, "POST", "/fhir/R4/", write_token, broken)
    assert refused.status_code == 422, refused.resource
    assert refused.resource["issue"][0]["expression"][0].startswith("Bundle.entry[3]")
    assert not Person.objects.filter(nhs_number="9990000026").exists()
    done = fhir_send(http, "POST", "/fhir/R4/", write_token, bundle)
    assert done.status_code == 200, done.resource
    assert done.resource["type"] == "transaction-response"
    assert [e["response"]["status"] for e in done.resource["entry"]] == ["201 Created"] * 3
    person = Person.objects.get(nhs_number="9990000026")
    check = HealthCheck.objects.get(person=person)
    assert (check.systolic, check.hba1c) == (128, 41)
    again = fhir_send(http, "POST", "/fhir/R4/", write_token, {**bundle, "entry": bundle["entry"][:1]})
    assert again.resource["entry"][0]["response"]["status"] == "200 OK"


def test_writing_needs_a_write_scope(http, token, person):
    answer = fhir_send(http, "POST", "/fhir/R4/Patient", token, new_patient())
    assert answer.status_code == 403
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": new_patient()}]}
    assert fhir_send(http, "POST", "/fhir/R4/", token, bundle).status_code == 403


def _patients_bundle(*patients, conditional=False) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": p,
                "request": {"method": "POST", "url": "Patient"}
                | ({"ifNoneExist": f"identifier={NHS}|{p['identifier'][0]['value']}"} if conditional else {}),
            }
            for p in patients
        ],
    }


NUMBERS = ("9990000026", "9990000034", "9990000042", "9990000050")


def test_a_bundle_of_patients_registers_them_together_each_audited_and_on_its_timeline(
    http, write_token, writer_client, practice, django_assert_max_num_queries
):
    from joinedup.core.models import TimelineEntry

    bundle = _patients_bundle(*(new_patient(nhs_number=n, given=f"Aoife{i}") for i, n in enumerate(NUMBERS)))
    with django_assert_max_num_queries(30):  # one insert per table, whatever the Bundle's size
        done = fhir_send(http, "POST", "/fhir/R4/", write_token, bundle)
    assert done.status_code == 200, done.resource
    people = list(Person.objects.filter(nhs_number__in=NUMBERS).order_by("nhs_number"))
    assert [p.given_name for p in people] == ["Aoife0", "Aoife1", "Aoife2", "Aoife3"]
    assert {p.practice for p in people} == {practice}
    assert [e["response"]["location"] for e in done.resource["entry"]] == [
        f"http://testserver/fhir/R4/Patient/{p.pk}/_history/1" for p in people
    ]
    for person in people:
        assert AuditEvent.objects.filter(user=writer_client.user, person=person, action="create").count() == 1
        assert TimelineEntry.objects.filter(person=person, kind="record_created").count() == 1
    read = fhir_get(http, f"/fhir/R4/Patient/{people[0].pk}", write_token)
    assert read.status_code == 200 and read.resource["name"][0]["given"] == ["Aoife0"]


def test_a_bundle_with_one_bad_patient_saves_none_and_names_the_entry(http, write_token, person):
    held = new_patient(nhs_number="9990000018")  # Zoë's number: already held
    bundle = _patients_bundle(new_patient(nhs_number=NUMBERS[0]), new_patient(nhs_number=NUMBERS[1]), held)
    answer = fhir_send(http, "POST", "/fhir/R4/", write_token, bundle)
    assert answer.status_code == 422
    assert answer.resource["issue"][0]["expression"] == ["Bundle.entry[2].resource.identifier"]
    assert "already has a record" in answer.resource["issue"][0]["diagnostics"]
    twice = _patients_bundle(new_patient(nhs_number=NUMBERS[0]), new_patient(nhs_number=NUMBERS[0]))
    answer = fhir_send(http, "POST", "/fhir/R4/", write_token, twice)
    assert answer.status_code == 422
    assert answer.resource["issue"][0]["expression"] == ["Bundle.entry[1].resource.identifier"]
    no_name = new_patient(nhs_number=NUMBERS[2], family="")
    answer = fhir_send(http, "POST", "/fhir/R4/", write_token, _patients_bundle(new_patient(), no_name))
    assert answer.status_code == 422
    assert answer.resource["issue"][0]["expression"][0].startswith("Bundle.entry[1].resource")
    assert not Person.objects.filter(nhs_number__in=NUMBERS).exists()


def test_conditional_creates_in_a_bundle_find_those_known_and_those_made_earlier_in_it(http, write_token, person):
    bundle = _patients_bundle(
        new_patient(nhs_number="9990000018"), new_patient(), new_patient(given="Again"), conditional=True
    )
    done = fhir_send(http, "POST", "/fhir/R4/", write_token, bundle)
    assert done.status_code == 200, done.resource
    statuses = [e["response"]["status"] for e in done.resource["entry"]]
    assert statuses == ["200 OK", "201 Created", "200 OK"]
    made = Person.objects.get(nhs_number="9990000026")
    locations = [e["response"]["location"].rsplit("/_history", 1)[0] for e in done.resource["entry"]]
    assert locations == [f"http://testserver/fhir/R4/Patient/{pk}" for pk in (person.pk, made.pk, made.pk)]
