"""Bulk Data $export, read by a client written only from the specification (bulk_client.py)."""

import datetime as dt

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from joinedup.core.models import AuditEvent
from joinedup.fhir import bulk
from joinedup.fhir.models import ExportJob
from joinedup.fhir.services import export_job_create

from .bulk_client import BulkClient
from .helpers import bearer, fhir_get, issue_codes

pytestmark = pytest.mark.django_db
BASE = "http://testserver/fhir/R4/"


@pytest.fixture
def client_of(http):
    def make(system_client):
        return BulkClient(http, BASE, bearer(system_client), sleep=lambda seconds: None)

    return make


def test_a_full_system_export_reads_back_every_type_as_valid_fhir(client_of, practice_client, whole_record):
    export = client_of(practice_client).export()
    manifest = export.manifest
    assert manifest["requiresAccessToken"] is True
    assert manifest["request"].startswith(f"{BASE}$export")
    assert dt.datetime.fromisoformat(manifest["transactionTime"])
    for item in manifest["output"]:
        assert item["count"] == len(export.resources[item["type"]])
    types = set(export.resources)
    assert {"Patient", "Observation", "CarePlan", "Task", "Encounter", "Consent", "Condition"} <= types
    for kind, resources in export.resources.items():
        for resource in resources:
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
    person = whole_record["person"]
    assert [p["id"] for p in export.resources["Patient"]] == [str(person.pk)]
    user = practice_client.user
    assert AuditEvent.objects.filter(user=user, person=person, action="export").count() == 1


def test_type_since_and_output_format(client_of, practice_client, whole_record):
    client = client_of(practice_client)
    only = client.export(_type="Patient,Flag")
    assert set(only.resources) == {"Patient", "Flag"}
    later = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.export(_type="Patient", _since=later).manifest["output"] == []
    assert client.export(_type="Patient", _outputFormat="ndjson").resources["Patient"]


@pytest.mark.parametrize(
    "query,status",
    [
        ({"_outputFormat": "text/csv"}, 400),
        ({"_type": "Spaceship"}, 400),
        ({"_since": "yesterday"}, 400),
        ({"_since": "2026-01-01T00:00:00"}, 400),  # no time zone: not an instant
        ({"_elements": "id"}, 400),
        ({"_type": "AuditEvent"}, 400),
    ],
)
def test_bad_kick_offs_are_4xx_outcomes(http, token, person, query, status):
    response = http.get(f"{BASE}$export", query, HTTP_PREFER="respond-async", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == status, response.content
    assert response.json()["resourceType"] == "OperationOutcome"


def test_kick_off_needs_respond_async_and_a_token(http, token):
    assert http.get(f"{BASE}$export", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 400
    assert http.get(f"{BASE}$export", HTTP_PREFER="respond-async").status_code == 401


def test_polling_too_often_is_429_and_delete_cancels(http, practice_client, token, person, export_dir):
    job = export_job_create(client=practice_client, level="system", group="", types=["Patient"], since=None, url="x")
    status_url = f"{BASE}$export-status/{job.pk}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    first = http.get(status_url, **auth)
    assert first.status_code == 202 and first["Retry-After"] and first["X-Progress"]
    again = http.get(status_url, **auth)
    assert again.status_code == 429 and again["Retry-After"]
    assert http.delete(status_url, **auth).status_code == 202
    gone = http.get(status_url, **auth)
    assert gone.status_code == 404 and issue_codes(_outcome(gone)) == ["not-found"]
    assert ExportJob.objects.get(pk=job.pk).status == "cancelled"


def _outcome(response):
    response.resource = response.json()
    return response


def test_files_need_the_token_of_the_client_that_asked(http, client_of, practice_client, far_practice_client, person):
    client = client_of(practice_client)
    manifest = client.wait(client.kick_off(_type="Patient"))
    url = manifest["output"][0]["url"]
    assert http.get(url).status_code == 401
    assert http.get(url, HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    other = http.get(url, HTTP_AUTHORIZATION=f"Bearer {bearer(far_practice_client)}")
    assert other.status_code == 404
    mine = http.get(url, HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert mine.status_code == 200 and mine["Content-Type"] == "application/fhir+ndjson"


def test_another_practice_exports_none_of_the_person(client_of, far_practice_client, whole_record):
    export = client_of(far_practice_client).export()
    assert export.manifest["output"] == []


def test_group_exports_the_emdt_caseload_and_the_register(client_of, practice_client, whole_record, on_register):
    from joinedup.healthchecks.models import RegisterEntry

    client = client_of(practice_client)
    team = whole_record["request"].team
    caseload = client.export(f"Group/emdt-{team.pk}/$export", _type="Patient")
    assert [p["id"] for p in caseload.resources["Patient"]] == [str(whole_record["person"].pk)]
    provider = RegisterEntry.objects.get(person=on_register).provider_id
    if provider:
        register = client.export(f"Group/register-{provider}/$export", _type="Patient")
        assert [p["id"] for p in register.resources["Patient"]] == [str(on_register.pk)]
    with pytest.raises(Exception, match="404"):
        client.kick_off("Group/register-999999/$export")


def test_a_job_whose_worker_died_restarts_once_then_fails_cleanly(http, practice_client, token, person, export_dir):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    job = export_job_create(client=practice_client, level="system", group="", types=["Patient"], since=None, url="x")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    ExportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago, attempts=1)
    revived = http.get(f"{BASE}$export-status/{job.pk}", **auth)
    assert revived.status_code == 200, revived.content  # run again on the (immediate) worker, and done
    dead = export_job_create(client=practice_client, level="system", group="", types=["Patient"], since=None, url="x")
    (export_dir / dead.pk).mkdir(parents=True)
    ExportJob.objects.filter(pk=dead.pk).update(status="running", heartbeat_at=long_ago, attempts=2)
    failed = http.get(f"{BASE}$export-status/{dead.pk}", **auth)
    assert failed.status_code == 500 and failed.json()["resourceType"] == "OperationOutcome"
    assert not (export_dir / dead.pk).exists()


def test_expired_files_are_removed(client_of, practice_client, person, export_dir):
    client = client_of(practice_client)
    status_url = client.kick_off(_type="Patient")
    client.wait(status_url)
    job = ExportJob.objects.get()
    assert (export_dir / job.pk / "Patient.ndjson").exists()
    assert bulk.remove_expired(now=timezone.now()) == 0
    assert bulk.remove_expired(now=job.expires_at + dt.timedelta(seconds=1)) == 1
    assert not (export_dir / job.pk).exists()
    assert client.http.get(status_url, HTTP_AUTHORIZATION=f"Bearer {client.token}").status_code == 404


def test_a_group_reads_as_the_members_its_export_holds(http, practice_client, far_practice_client, whole_record):
    team = whole_record["request"].team
    person = whole_record["person"]
    response = fhir_get(http, f"/fhir/R4/Group/emdt-{team.pk}", bearer(practice_client))
    assert response.status_code == 200
    group = response.resource
    assert (group["type"], group["actual"], group["quantity"]) == ("person", True, 1)
    assert group["name"] == f"EMDT caseload: {team.name}"
    assert group["member"] == [{"entity": {"reference": f"Patient/{person.pk}"}}]
    event = AuditEvent.objects.filter(user=practice_client.user, what="FHIR Group").get()
    assert (event.person_id, event.action) == (person.pk, "listed")


def test_a_group_shows_an_outsider_none_of_its_members(http, far_practice_client, whole_record):
    team = whole_record["request"].team
    group = fhir_get(http, f"/fhir/R4/Group/emdt-{team.pk}", bearer(far_practice_client)).resource
    assert group["quantity"] == 0
    assert "member" not in group


@pytest.mark.parametrize("group_id", ["register-999999", "emdt-x", "care-1", "emdt-" + "9" * 30])
def test_a_group_that_does_not_exist_is_404(http, token, person, group_id):
    response = fhir_get(http, f"/fhir/R4/Group/{group_id}", token)
    assert response.status_code == 404
    assert issue_codes(response) == ["not-found"]


def test_an_export_writes_each_resource_as_a_read_answers_it(http, client_of, practice_client, whole_record):
    """Export maps rows to plain data without building a model of each resource (for speed): the same JSON."""
    export = client_of(practice_client).export(_type="Patient,Observation")
    token = bearer(practice_client)
    for kind in ("Patient", "Observation"):
        exported = export.resources[kind][0]
        read = fhir_get(http, f"/fhir/R4/{kind}/{exported['id']}", token)
        assert read.status_code == 200
        assert exported == read.resource
