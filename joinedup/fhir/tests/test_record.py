"""The rest of the record over FHIR: what a practice's system sees of one person, under the access policy, with
every read audited as the client; versions of the care plan; paging, filters and _include."""

import pytest

from joinedup.core.models import AuditEvent
from joinedup.fhir.sources import COMPARTMENTS

from .helpers import ALL_READS, bearer, fhir_get, issue_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(practice_client):
    return bearer(practice_client)


def ids(response) -> list[str]:
    return [e["resource"]["id"] for e in response.resource.get("entry", []) if e["search"]["mode"] == "match"]


def test_each_type_finds_the_persons_record_and_each_read_is_audited_as_the_client(
    http, token, practice_client, whole_record
):
    person = whole_record["person"]
    for name in COMPARTMENTS:
        found = fhir_get(http, f"/fhir/R4/{name}?patient=Patient/{person.pk}&_count=100", token)
        assert found.status_code == 200, (name, found.resource)
        assert ids(found), f"{name}: nothing found"
        first = ids(found)[0]
        before = AuditEvent.objects.filter(user=practice_client.user, person=person, what=f"FHIR {name}").count()
        read = fhir_get(http, f"/fhir/R4/{name}/{first}", token)
        assert read.status_code == 200, (name, read.resource)
        assert read.resource["id"] == first
        after = AuditEvent.objects.filter(user=practice_client.user, person=person, what=f"FHIR {name}").count()
        assert after == before + 1, name
    searches = AuditEvent.objects.filter(user=practice_client.user, person=person, action="search")
    assert searches.filter(what="FHIR CarePlan search").exists()


def test_another_practice_sees_nothing_of_the_person(http, far_practice_client, whole_record):
    token = bearer(far_practice_client)
    person = whole_record["person"]
    for name in COMPARTMENTS:
        found = fhir_get(http, f"/fhir/R4/{name}?patient={person.pk}", token)
        assert found.status_code == 200 and ids(found) == [], name
    assert fhir_get(http, f"/fhir/R4/CarePlan/{person.pk}", token).status_code == 404
    assert fhir_get(http, f"/fhir/R4/Task/emdt-{whole_record['discussion'].actions.get().pk}", token).status_code == 404


def test_each_agreed_version_of_the_care_plan_is_a_version(http, token, whole_record):
    person = whole_record["person"]
    current = fhir_get(http, f"/fhir/R4/CarePlan/{person.pk}", token)
    assert current.resource["meta"]["versionId"] == "2"
    assert current["ETag"] == 'W/"2"'
    history = fhir_get(http, f"/fhir/R4/CarePlan/{person.pk}/_history", token).resource
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]
    assert [e["resource"]["status"] for e in history["entry"]] == ["active", "revoked"]
    first = fhir_get(http, f"/fhir/R4/CarePlan/{person.pk}/_history/1", token)
    assert first.resource["status"] == "revoked" and first.resource["meta"]["versionId"] == "1"
    missing = fhir_get(http, f"/fhir/R4/CarePlan/{person.pk}/_history/99", token)
    assert missing.status_code == 404 and issue_codes(missing) == ["not-found"]
    goal = fhir_get(http, f"/fhir/R4/Goal/{whole_record['goal'].key}/_history", token).resource
    assert len(goal["entry"]) == 2  # the goal carried from version 1 into version 2 keeps its id


def test_search_filters_paging_and_include(http, token, whole_record):
    person = whole_record["person"]
    page = fhir_get(http, f"/fhir/R4/Task?patient={person.pk}&_count=1", token).resource
    assert page["total"] > 1 and len(page["entry"]) == 1
    following = next(link["url"] for link in page["link"] if link["relation"] == "next")
    second = fhir_get(http, following.removeprefix("http://testserver"), token).resource
    assert second["entry"][0]["resource"]["id"] != page["entry"][0]["resource"]["id"]
    assert "total" not in fhir_get(http, f"/fhir/R4/Task?patient={person.pk}&_total=none", token).resource
    done = fhir_get(http, f"/fhir/R4/ServiceRequest?patient={person.pk}&status=active", token)
    assert ids(done) == []
    bmi = fhir_get(http, f"/fhir/R4/Observation?patient={person.pk}&code=http://snomed.info/sct|60621009", token)
    assert ids(bmi) == [f"{whole_record['check'].pk}-bmi"]
    dialog = fhir_get(http, f"/fhir/R4/Observation?patient={person.pk}&date=ge2000&_count=100", token)
    assert any(i.startswith("dialog-") for i in ids(dialog)) and any(i.startswith("gbo-") for i in ids(dialog))
    assert ids(fhir_get(http, f"/fhir/R4/Observation?patient={person.pk}&_lastUpdated=lt2000", token)) == []
    plans = fhir_get(http, f"/fhir/R4/CarePlan?patient={person.pk}&_include=CarePlan:subject", token).resource
    modes = {(e["resource"]["resourceType"], e["search"]["mode"]) for e in plans["entry"]}
    assert modes == {("CarePlan", "match"), ("Patient", "include")}


def test_bad_searches_are_400_unless_lenient(http, token, whole_record):
    person = whole_record["person"]
    wrong_status = fhir_get(http, f"/fhir/R4/Task?patient={person.pk}&status=finished", token)
    assert wrong_status.status_code == 400 and wrong_status.resource["issue"][0]["expression"] == ["status"]
    no_patient = fhir_get(http, "/fhir/R4/CarePlan", token)
    assert no_patient.status_code == 400 and issue_codes(no_patient) == ["required"]
    include = fhir_get(http, f"/fhir/R4/Task?patient={person.pk}&_include=Task:owner", token)
    assert include.status_code == 400
    lenient = fhir_get(
        http, f"/fhir/R4/Task?patient={person.pk}&_include=Task:owner&colour=red", token, HTTP_PREFER="handling=lenient"
    )
    assert lenient.status_code == 200
    assert "colour" not in lenient.resource["link"][0]["url"]


def test_only_information_governance_reads_the_audit_trail(http, personas, practice, rsa_key, ig_token, whole_record):
    from joinedup.accounts.roles import Role
    from joinedup.directory.models import Organisation
    from joinedup.fhir.services import system_client_register

    from .helpers import jwks_of

    greedy = system_client_register(
        by=personas.administrator,
        organisation=Organisation.objects.get(code=practice.ods_code),
        name="Practice system asking for everything",
        role=Role.GP_PRACTICE_STAFF,
        jwks=jwks_of(rsa=rsa_key),
        scopes=f"{ALL_READS} system/AuditEvent.read",
    )
    refused = fhir_get(http, "/fhir/R4/AuditEvent", bearer(greedy, "system/AuditEvent.read"))
    assert refused.status_code == 403
    person = whole_record["person"]
    trail = fhir_get(http, f"/fhir/R4/AuditEvent?patient={person.pk}&_count=5", ig_token)
    assert trail.status_code == 200 and len(trail.resource["entry"]) == 5
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", ig_token).status_code == 403  # no Patient scope


def test_an_information_governance_client_reads_only_its_own_regions_audit_trail(
    http, ig_token, whole_record, northshire_person, northshire_personas
):
    from joinedup.core.audit import audit_record
    from joinedup.core.models import AuditAction, AuditEvent

    audit_record(by=northshire_personas.mhp, action=AuditAction.VIEW, what="record", person=northshire_person)
    theirs = AuditEvent.objects.filter(person=northshire_person).latest("at")
    ours = AuditEvent.objects.filter(person=whole_record["person"]).latest("at")
    assert fhir_get(http, f"/fhir/R4/AuditEvent/{ours.pk}", ig_token).status_code == 200
    assert fhir_get(http, f"/fhir/R4/AuditEvent/{theirs.pk}", ig_token).status_code == 404
    found = fhir_get(http, f"/fhir/R4/AuditEvent?patient={northshire_person.pk}", ig_token)
    assert found.status_code == 200 and not found.resource.get("entry")
