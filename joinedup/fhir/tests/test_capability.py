"""The CapabilityStatement lists exactly what works: every interaction and search parameter it names is
exercised here, and a new entry without an exercise fails this test."""

from urllib.parse import urlencode

import pytest
from django.urls import get_resolver
from django.utils import timezone

from joinedup.core.models import AuditEvent
from joinedup.directory.models import Organisation
from joinedup.fhir.resources import SUPPORTED, SYSTEM_INTERACTIONS
from joinedup.healthchecks.models import RegisterEntry

from .bulk_client import BulkClient
from .helpers import bearer, blood_pressure, fhir_get, fhir_send, new_patient

pytestmark = pytest.mark.django_db
SNOMED = "http://snomed.info/sct"


@pytest.fixture
def token(practice_client):
    return bearer(practice_client)


@pytest.fixture
def expected(person, practice, whole_record, personas):
    """For each resource type: the id of a resource the practice's client may read, and a search value of each
    parameter that finds it."""
    from joinedup.accounts.models import Membership
    from joinedup.care.models import DialogAssessment, LevelOfCareChange
    from joinedup.people.models import CommunicationNeed
    from joinedup.people.services import person_update

    organisation = Organisation.objects.get(code=practice.ods_code)
    hc_check, r = whole_record["check"], whole_record
    today = timezone.localdate().isoformat()
    patient = f"Patient/{person.pk}"
    clinician = personas.community_clinician
    assessment = DialogAssessment.objects.get(person=person)
    follow_up = hc_check.follow_ups.first()
    # A second version of Zoë's details, so the Patient's _history has two to show.
    person_update(by=personas.gp_practice_staff, person=person, expected_version=person.version, phone="01253 000 111")
    emdt_team = whole_record["request"].team_id
    return {
        "Patient": (
            str(person.pk),
            {
                "_id": str(person.pk),
                "identifier": "https://fhir.nhs.uk/Id/nhs-number|9990000018",
                "family": "Ashworth",
                "given": "Zo",
                "birthdate": "1984-03-15",
                "create": new_patient,
            },
        ),
        "Organization": (
            str(organisation.pk),
            {
                "_id": str(organisation.pk),
                "identifier": f"https://fhir.nhs.uk/Id/ods-organization-code|{practice.ods_code}",
                "name": organisation.name[:6],
            },
        ),
        "Observation": (
            f"{hc_check.pk}-bmi",
            {
                "patient": patient,
                "code": f"{SNOMED}|60621009",
                "date": f"ge{today}",
                "_lastUpdated": today,
                "create": lambda: blood_pressure(patient, today),
            },
        ),
        "Condition": (str(RegisterEntry.objects.get(person=person).pk), {"patient": str(person.pk)}),
        "Practitioner": (str(clinician.pk), {"_id": str(clinician.pk), "name": clinician.last_name[:5]}),
        "PractitionerRole": (
            str(Membership.objects.get(user=clinician).pk),
            {"_id": str(Membership.objects.get(user=clinician).pk), "practitioner": f"Practitioner/{clinician.pk}"},
        ),
        "CareTeam": (str(person.pk), {"patient": patient}),
        "EpisodeOfCare": (str(LevelOfCareChange.objects.filter(person=person).first().pk), {"patient": patient}),
        "ServiceRequest": (str(r["request"].pk), {"patient": patient, "status": "completed"}),
        "Encounter": (f"emdt-{r['discussion'].pk}", {"patient": patient, "date": f"le{today}"}),
        "Appointment": (str(r["booking"].pk), {"patient": patient, "date": f"gt{today}"}),
        "CarePlan": (str(person.pk), {"patient": patient, "status": "active"}),
        "Goal": (r["goal"].key, {"patient": patient}),
        "Task": (f"followup-{follow_up.pk}", {"patient": patient, "status": "in-progress"}),
        "QuestionnaireResponse": (str(assessment.pk), {"patient": patient}),
        "Consent": (f"{person.pk}-vcfse", {"patient": patient}),
        "Flag": (str(CommunicationNeed.objects.get(person=person).pk), {"patient": patient}),
        "AuditEvent": ("", {"patient": patient, "date": today}),
        "Group": (f"emdt-{emdt_team}", {}),
    }


def read(http, token, resource_type, resource_id, examples):
    response = fhir_get(http, f"/fhir/R4/{resource_type}/{resource_id}", token)
    assert response.status_code == 200, response.resource
    assert (response.resource["resourceType"], response.resource["id"]) == (resource_type, resource_id)


def search_type(http, token, resource_type, resource_id, examples):
    [resource] = [r for r in SUPPORTED if r.name == resource_type]
    required = {p.name: examples[p.name] for p in resource.search_params if p.required}
    response = fhir_get(http, f"/fhir/R4/{resource_type}?{urlencode({**required, '_count': 100})}", token)
    assert response.status_code == 200, response.resource
    assert response.resource["type"] == "searchset"


def vread(http, token, resource_type, resource_id, examples):
    response = fhir_get(http, f"/fhir/R4/{resource_type}/{resource_id}", token)
    version = response.resource["meta"]["versionId"]
    again = fhir_get(http, f"/fhir/R4/{resource_type}/{resource_id}/_history/{version}", token)
    assert again.status_code == 200, again.resource
    assert again.resource == response.resource


def history_instance(http, token, resource_type, resource_id, examples):
    response = fhir_get(http, f"/fhir/R4/{resource_type}/{resource_id}/_history", token)
    assert response.status_code == 200, response.resource
    assert response.resource["type"] == "history"
    assert len(response.resource["entry"]) >= 2


def create(http, token, resource_type, resource_id, examples):
    body = examples["create"]()
    response = fhir_send(http, "POST", f"/fhir/R4/{resource_type}", token, body)
    assert response.status_code == 201, response.resource


def update(http, token, resource_type, resource_id, examples):
    current = fhir_get(http, f"/fhir/R4/{resource_type}/{resource_id}", token)
    version = current.resource["meta"]["versionId"]
    body = {**current.resource, "telecom": [{"system": "email", "value": "zoe@example.org"}]}
    response = fhir_send(http, "PUT", f"/fhir/R4/{resource_type}/{resource_id}", token, body, HTTP_IF_MATCH=version)
    assert response.status_code == 200, response.resource


EXERCISES = {
    "read": read,
    "search-type": search_type,
    "vread": vread,
    "history-instance": history_instance,
    "create": create,
    "update": update,
}


def exercise_exports(http, token, statement) -> int:
    """Every $export listed, through the bulk client written from the specification."""
    from joinedup.referrals.models import EmdtRequest

    client = BulkClient(http, "http://testserver/fhir/R4/", token, sleep=lambda seconds: None)
    group = f"emdt-{EmdtRequest.objects.first().team_id}"
    paths = {"export": "$export", "patient-export": "Patient/$export", "group-export": f"Group/{group}/$export"}
    rest = statement["rest"][0]
    listed = [o["definition"].rsplit("/", 1)[1] for o in rest["operation"]]
    listed += [o["definition"].rsplit("/", 1)[1] for r in rest["resource"] for o in r.get("operation", [])]
    for name in listed:
        export = client.export(paths[name], _type="Patient")
        assert export.resources["Patient"], name
    return len(listed)


def test_the_capability_statement_describes_the_server(http):
    response = fhir_get(http, "/fhir/R4/metadata")
    assert response.status_code == 200
    statement = response.resource
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["format"] == ["json"]
    security = statement["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    assert security["extension"][0]["extension"][0]["valueUri"] == "http://testserver/fhir/R4/auth/token"
    assert [r["type"] for r in statement["rest"][0]["resource"]] == [r.name for r in SUPPORTED]


def test_every_interaction_and_search_parameter_listed_works(http, write_token, expected, ig_token):
    statement = fhir_get(http, "/fhir/R4/metadata").resource
    exercised = 0
    exercised += exercise_exports(http, write_token, statement)
    for resource in statement["rest"][0]["resource"]:
        resource_type = resource["type"]
        resource_id, examples = expected[resource_type]
        token = write_token
        if resource_type == "AuditEvent":  # the newest event about the person: reads before this one add events
            token = ig_token
            resource_id = str(AuditEvent.objects.filter(person__isnull=False).latest("id").pk)
        for interaction in resource["interaction"]:
            assert interaction["code"] in EXERCISES, f"{resource_type} {interaction['code']} is listed but not tested"
            EXERCISES[interaction["code"]](http, token, resource_type, resource_id, examples)
            exercised += 1
        for param in resource.get("searchParam", []):
            assert param["name"] in examples, f"{resource_type}?{param['name']} is listed but not tested"
            [served] = [r for r in SUPPORTED if r.name == resource_type]
            required = {p.name: examples[p.name] for p in served.search_params if p.required}
            query = urlencode({**required, param["name"]: examples[param["name"]]})
            response = fhir_get(http, f"/fhir/R4/{resource_type}?{query}", token)
            assert response.status_code == 200, response.resource
            found = [e["resource"]["id"] for e in response.resource.get("entry", [])]
            assert resource_id in found, f"{resource_type}?{param['name']}={examples[param['name']]} missed it"
            exercised += 1
    for interaction in statement["rest"][0]["interaction"]:
        assert interaction["code"] == "transaction", f"{interaction['code']} is listed but not tested"
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {"resource": new_patient(nhs_number="9990000034"), "request": {"method": "POST", "url": "Patient"}}
            ],
        }
        response = fhir_send(http, "POST", "/fhir/R4/", write_token, bundle)
        assert response.status_code == 200, response.resource
        exercised += 1
    listed = sum(len(r.interactions) + len(r.search_params) for r in SUPPORTED) + len(SYSTEM_INTERACTIONS)
    assert exercised == listed + 3  # the three $export operations


def test_every_fhir_route_is_in_the_capability_statement_or_is_infrastructure():
    infrastructure = {"metadata", "smart_configuration", "token", "unknown", "transaction"}
    infrastructure |= {"export", "export_patients", "export_group", "export_status", "export_file"}
    route = {
        "read": "read",
        "search-type": "search",
        "vread": "vread",
        "history-instance": "history",
        "create": "search",  # the same address as search, by method
        "update": "read",
    }
    listed = {f"{r.name.lower()}_{route[i]}" for r in SUPPORTED for i in r.interactions}
    resolver = get_resolver()
    fhir_routes = {
        name
        for name, value in resolver.namespace_dict["fhir"][1].reverse_dict.items()
        if isinstance(name, str) and value
    }
    assert fhir_routes - infrastructure == listed
