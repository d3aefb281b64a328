"""Patient read and search: UK Core, scoped by the same access policy as staff, every read audited as the client."""

import datetime as dt

import pytest

from joinedup.accounts.roles import ConsentKind, Role
from joinedup.core.models import AuditEvent
from joinedup.directory.models import Organisation, Team, TeamKind
from joinedup.fhir.services import system_client_register
from joinedup.people.services import consent_record, person_register, person_update

from .helpers import bearer, fhir_get, issue_codes, jwks_of

pytestmark = pytest.mark.django_db
NHS = "https://fhir.nhs.uk/Id/nhs-number"


@pytest.fixture
def neighbours(person, personas, practice):
    """Two more people at the Blackpool practice, to search among."""
    made = []
    for nhs_number, given, family, born in (
        ("9990000026", "Aaron", "Ashworth", dt.date(1990, 7, 1)),
        ("9990000034", "Bella", "Birtwistle", dt.date(1984, 11, 30)),
    ):
        made.append(
            person_register(
                by=personas.gp_practice_staff,
                nhs_number=nhs_number,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                sex="1",
                ethnicity="A",
                postcode="FY1 3AB",
                practice=practice,
                consents={kind: True for kind in ConsentKind.values},
            )
        )
    return made


def test_a_patient_reads_as_uk_core(http, token, person, practice):
    response = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token)
    assert response.status_code == 200
    patient = response.resource
    assert patient["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]
    assert response["ETag"] == f'W/"{person.version}"'
    [nhs] = patient["identifier"]
    assert (nhs["system"], nhs["value"]) == (NHS, "9990000018")
    [status] = nhs["extension"]
    assert status["url"].endswith("Extension-UKCore-NHSNumberVerificationStatus")
    assert status["valueCodeableConcept"]["coding"][0]["code"] == "02"
    assert patient["name"][0] == {"use": "official", "family": "Ashworth", "given": ["Zoë"]}
    assert patient["birthDate"] == "1984-03-15"
    assert patient["gender"] == "female"
    assert patient["address"][0]["postalCode"] == "FY1 3AB"
    [gp] = patient["generalPractitioner"]
    assert gp["identifier"] == {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": practice.ods_code}


def test_a_read_is_audited_as_the_client(http, token, practice_client, person):
    before = AuditEvent.objects.filter(person=person, user=practice_client.user).count()
    fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token)
    event = AuditEvent.objects.filter(person=person, user=practice_client.user).latest("id")
    assert AuditEvent.objects.filter(person=person, user=practice_client.user).count() == before + 1
    assert (event.action, event.what, event.username) == ("view", "FHIR Patient", f"fhir-{practice_client.client_id}")
    assert event.path == f"/fhir/R4/Patient/{person.pk}"


def test_another_areas_practice_cannot_tell_the_patient_exists(http, far_practice_client, person):
    response = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", bearer(far_practice_client))
    assert response.status_code == 404
    assert issue_codes(response) == ["not-found"]
    search = fhir_get(http, f"/fhir/R4/Patient?identifier={NHS}|9990000018", bearer(far_practice_client))
    assert search.resource["total"] == 0
    assert "entry" not in search.resource


@pytest.mark.parametrize("resource_id", ["0", "abc", "1.5", "99999999999999999999999", "-1"])
def test_ids_that_name_no_one_answer_404(http, token, resource_id):
    response = fhir_get(http, f"/fhir/R4/Patient/{resource_id}", token)
    assert response.status_code == 404
    assert issue_codes(response) == ["not-found"]


def test_a_client_sees_what_its_organisation_would_within_consent(http, personas, person, emdt_request, rsa_key):
    """A Trust system acting as the Blackpool EMDT sees people referred to it only while they consent to NHS
    sharing: the relationship and the consent come from the one access policy. The first read leaves the
    account's relationships kept for its next requests (fhir/accounts.py); the withdrawal still counts at once."""
    emdt = Team.objects.get(kind=TeamKind.EMDT, locality=person.practice.locality)
    client = system_client_register(
        by=personas.administrator,
        organisation=emdt.organisation,
        name="Trust record system",
        role=Role.EMDT_COORDINATOR,
        jwks=jwks_of(rsa=rsa_key),
        scopes="system/Patient.read",
        teams=[emdt],
    )
    token = bearer(client, "system/Patient.read")
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).status_code == 200
    consent_record(by=personas.gp_practice_staff, person=person, kind=ConsentKind.NHS, given=False)
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).status_code == 404


def test_a_client_whose_role_may_not_read_records_is_forbidden(http, personas, person, rsa_key):
    client = system_client_register(
        by=personas.administrator,
        organisation=Organisation.objects.get(code=person.practice.ods_code),
        name="Practice reporting tool",
        role=Role.COMMISSIONER,
        jwks=jwks_of(rsa=rsa_key),
        scopes="system/Patient.read",
    )
    token = bearer(client, "system/Patient.read")
    assert fhir_get(http, "/fhir/R4/Patient?family=Ash", token).status_code == 403


def search(http, token, query, **headers):
    response = fhir_get(http, f"/fhir/R4/Patient?{query}", token, **headers)
    assert response.status_code == 200, response.resource
    assert response.resource["type"] == "searchset"
    return response.resource


def names(bundle):
    return [e["resource"]["name"][0]["given"][0] for e in bundle.get("entry", [])]


def test_search_by_nhs_number(http, token, person, neighbours):
    bundle = search(http, token, f"identifier={NHS}|9990000018")
    assert names(bundle) == ["Zoë"]
    assert bundle["total"] == 1
    assert bundle["entry"][0]["fullUrl"] == f"http://testserver/fhir/R4/Patient/{person.pk}"
    assert bundle["entry"][0]["search"]["mode"] == "match"
    assert names(search(http, token, "identifier=9990000026")) == ["Aaron"]
    assert names(search(http, token, "identifier=https://elsewhere.example/id|9990000018")) == []


def test_search_by_family_and_given_names(http, token, person, neighbours):
    assert names(search(http, token, "family=ashw")) == ["Aaron", "Zoë"]
    assert names(search(http, token, "family=Ashworth&given=Z")) == ["Zoë"]
    assert names(search(http, token, "family=Ashworth,Birtwistle")) == ["Aaron", "Zoë", "Bella"]


def test_search_by_birth_date_with_precision_and_prefixes(http, token, person, neighbours):
    assert names(search(http, token, "birthdate=1984-03-15")) == ["Zoë"]
    assert names(search(http, token, "birthdate=1984")) == ["Zoë", "Bella"]
    assert names(search(http, token, "birthdate=1984-11")) == ["Bella"]
    assert names(search(http, token, "birthdate=ge1985")) == ["Aaron"]
    assert names(search(http, token, "birthdate=lt1984-12&birthdate=gt1984-03-15")) == ["Bella"]
    assert names(search(http, token, "birthdate=ne1984")) == ["Aaron"]


def test_search_pages_with_next_links_and_total(http, token, person, neighbours):
    first = search(http, token, "_count=2")
    assert len(first["entry"]) == 2
    assert first["total"] == 3
    [next_url] = [link["url"] for link in first["link"] if link["relation"] == "next"]
    second = search(http, token, next_url.split("?", 1)[1])
    assert len(second["entry"]) == 1
    assert not [link for link in second["link"] if link["relation"] == "next"]
    assert {e["fullUrl"] for e in first["entry"]}.isdisjoint(e["fullUrl"] for e in second["entry"])
    assert "total" not in search(http, token, "_total=none")


def test_search_audits_each_patient_returned(http, token, practice_client, person, neighbours):
    before = AuditEvent.objects.filter(user=practice_client.user, action="search").count()
    search(http, token, "family=Ashworth")
    assert AuditEvent.objects.filter(user=practice_client.user, action="search").count() == before + 2


def test_search_queries_do_not_grow_with_the_page(http, token, person, neighbours, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        search(http, token, "_count=50")


@pytest.mark.parametrize(
    "query",
    [
        "birthdate=15/03/1984",
        "birthdate=1984-02-30",
        "birthdate=",
        "_count=-1",
        "_count=lots",
        "_total=some",
        "colour=blue",
        "family:exact=Ashworth",
        "_offset=99999999",
        "given=" + "x" * 200,
    ],
)
def test_bad_search_parameters_answer_400_with_an_outcome(http, token, person, query):
    response = fhir_get(http, f"/fhir/R4/Patient?{query}", token)
    assert response.status_code == 400
    assert response.resource["resourceType"] == "OperationOutcome"
    assert response.resource["issue"][0]["expression"]


def test_lenient_handling_ignores_unknown_parameters(http, token, person):
    bundle = search(http, token, "family=Ashworth&colour=blue", HTTP_PREFER="handling=lenient")
    assert names(bundle) == ["Zoë"]
    assert "colour" not in bundle["link"][0]["url"]


def test_only_json_is_offered(http, token, person):
    response = fhir_get(http, f"/fhir/R4/Patient/{person.pk}?_format=xml", token)
    assert response.status_code == 406


def test_writes_need_a_write_scope_and_delete_is_not_supported(http, token, person):
    response = http.post(
        "/fhir/R4/Patient", "{}", content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"
    gone = http.delete(f"/fhir/R4/Patient/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert gone.status_code == 405 and gone.json()["resourceType"] == "OperationOutcome"


def test_an_unknown_path_answers_404_with_an_outcome(http, token):
    response = fhir_get(http, "/fhir/R4/Spaceship/1", token)
    assert response.status_code == 404
    assert issue_codes(response) == ["not-supported"]


def test_each_change_of_details_is_a_version_that_can_be_read_again(http, token, personas, person):
    first = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).resource
    changed = person_update(
        by=personas.gp_practice_staff, person=person, expected_version=person.version, phone="01253 000 111"
    )
    person_update(by=personas.gp_practice_staff, person=changed, expected_version=changed.version, postcode="FY1 4AA")
    history = fhir_get(http, f"/fhir/R4/Patient/{person.pk}/_history", token).resource
    assert history["type"] == "history"
    versions = [e["resource"]["meta"]["versionId"] for e in history["entry"]]
    assert versions == [str(person.version + 2), str(person.version + 1), str(person.version)]
    assert history["entry"][0]["resource"]["address"][0]["postalCode"] == "FY1 4AA"
    assert history["entry"][1]["resource"]["telecom"] == [{"system": "phone", "value": "01253 000 111"}]
    again = fhir_get(http, f"/fhir/R4/Patient/{person.pk}/_history/{person.version}", token)
    assert again.status_code == 200
    assert again.resource == first
    assert again["Content-Type"].startswith("application/fhir+json")
    what = set(
        AuditEvent.objects.filter(person=person, what__startswith="FHIR Patient ").values_list("what", flat=True)
    )
    assert what == {"FHIR Patient history", "FHIR Patient version"}


def test_a_version_never_made_is_404(http, token, person):
    for version in ("99", "x", "0"):
        response = fhir_get(http, f"/fhir/R4/Patient/{person.pk}/_history/{version}", token)
        assert response.status_code == 404
        assert issue_codes(response) == ["not-found"]


def test_a_change_that_is_refused_leaves_no_version(http, token, personas, person):
    from joinedup.people.services import StaleEdit

    with pytest.raises(StaleEdit):
        person_update(by=personas.gp_practice_staff, person=person, expected_version=person.version + 5, phone="1")
    history = fhir_get(http, f"/fhir/R4/Patient/{person.pk}/_history", token).resource
    assert history["total"] == 1


def test_another_areas_practice_cannot_read_the_patients_history(http, far_practice_client, person):
    far = bearer(far_practice_client)
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}/_history", far).status_code == 404
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}/_history/{person.version}", far).status_code == 404


def test_a_client_that_leaves_its_teams_sees_no_one_at_its_next_request(
    http, token, practice_client, person, django_assert_max_num_queries
):
    """The API keeps each account's relationships between requests (fhir/accounts.py), never past a change."""
    from django.utils import timezone

    from joinedup.accounts.models import Membership

    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).status_code == 200
    with django_assert_max_num_queries(5):  # token, memberships' key, the person, the audit event (and a spare)
        assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).status_code == 200
    Membership.objects.filter(user=practice_client.user).update(ended=timezone.localdate())
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).status_code == 404
