"""The CapabilityStatement lists exactly what works: every interaction and search parameter it names is
exercised here, and a new entry without an exercise fails this test."""

from urllib.parse import urlencode

import pytest
from django.urls import get_resolver

from joinedup.directory.models import Organisation
from joinedup.fhir.resources import SUPPORTED
from joinedup.healthchecks.models import RegisterEntry

from .helpers import fhir_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def expected(person, practice, hc_check):
    """For each resource type: the id of a resource the practice's client may read, and a search value of each
    parameter that finds it."""
    organisation = Organisation.objects.get(code=practice.ods_code)
    return {
        "Patient": (
            str(person.pk),
            {
                "_id": str(person.pk),
                "identifier": "https://fhir.nhs.uk/Id/nhs-number|9990000018",
                "family": "Ashworth",
                "given": "Zo",
                "birthdate": "1984-03-15",
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
        "Observation": (f"{hc_check.pk}-bmi", {"patient": f"Patient/{person.pk}"}),
        "Condition": (str(RegisterEntry.objects.get(person=person).pk), {"patient": str(person.pk)}),
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


EXERCISES = {"read": read, "search-type": search_type}


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


def test_every_interaction_and_search_parameter_listed_works(http, token, expected):
    statement = fhir_get(http, "/fhir/R4/metadata").resource
    exercised = 0
    for resource in statement["rest"][0]["resource"]:
        resource_type = resource["type"]
        resource_id, examples = expected[resource_type]
        for interaction in resource["interaction"]:
            assert interaction["code"] in EXERCISES, f"{resource_type} {interaction['code']} is listed but not tested"
            EXERCISES[interaction["code"]](http, token, resource_type, resource_id, examples)
            exercised += 1
        for param in resource["searchParam"]:
            assert param["name"] in examples, f"{resource_type}?{param['name']} is listed but not tested"
            query = urlencode({param["name"]: examples[param["name"]]})
            response = fhir_get(http, f"/fhir/R4/{resource_type}?{query}", token)
            assert response.status_code == 200, response.resource
            found = [e["resource"]["id"] for e in response.resource.get("entry", [])]
            assert resource_id in found, f"{resource_type}?{param['name']}={examples[param['name']]} missed it"
            exercised += 1
    assert exercised == sum(len(r.interactions) + len(r.search_params) for r in SUPPORTED)


def test_every_fhir_route_is_in_the_capability_statement_or_is_infrastructure():
    infrastructure = {"metadata", "smart_configuration", "token", "unknown"}
    listed = {f"{r.name.lower()}_{'read' if i == 'read' else 'search'}" for r in SUPPORTED for i in r.interactions}
    resolver = get_resolver()
    fhir_routes = {
        name
        for name, value in resolver.namespace_dict["fhir"][1].reverse_dict.items()
        if isinstance(name, str) and value
    }
    assert fhir_routes - infrastructure == listed
