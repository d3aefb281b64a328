"""Files with practices through MESH (mesh-client against mesh-sandbox on loopback)."""

import json

import pytest
from django.urls import reverse
from mesh_client import MeshClient

from joinedup.accounts.tests.helpers import sign_in_with_csrf, submit
from joinedup.healthchecks.models import RegisterImport, RegisterUpdateFile
from joinedup.messaging.mesh import mailbox_set, mesh_exchange
from joinedup.messaging.models import PracticeMailbox, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice_mailbox(practice, personas, mesh_sandbox):
    mailbox_set(by=personas.administrator, ods_code=practice.ods_code, mailbox_id="PRACTICE01")
    with practice_client(mesh_sandbox, "PRACTICE01") as api:
        yield api


def practice_client(sandbox, mailbox):
    return MeshClient(sandbox.url, mailbox, sandbox.password, shared_key=sandbox.shared_key.encode(), max_retries=0)


def update_file(hc_check, personas, practice):
    from joinedup.healthchecks.services import update_file_create

    return update_file_create(by=personas.outreach_worker, practice=practice)


def test_a_register_update_goes_to_the_practice_and_is_sent_only_once_mesh_has_it(
    hc_check, personas, practice, practice_mailbox, settings
):
    made = update_file(hc_check, personas, practice)
    transfer = Transfer.objects.get(update_file_id=made.pk)
    assert transfer.state == Transfer.State.QUEUED and transfer.workflow_id == "JOINEDUP_SMI_UPDATE"
    made.refresh_from_db()
    assert made.sent_at is None  # not yet: MESH has not accepted it
    assert mesh_exchange() == {Transfer.State.ACCEPTED: 1}
    made.refresh_from_db()
    transfer.refresh_from_db()
    assert made.sent_at is not None and transfer.mesh_message_id
    [message_id] = practice_mailbox.list_messages()
    message = practice_mailbox.retrieve_message(message_id)
    assert message.workflow_id == "JOINEDUP_SMI_UPDATE" and message.local_id == transfer.local_id
    assert message.read().decode().startswith("nhs_number,date,snomed_code,description,value,unit")
    # The practice acknowledges it, under the workflow id with _ACK, naming our local id.
    practice_mailbox.acknowledge_message(message_id)
    practice_mailbox.send_message(
        "JOINEDUP01", json.dumps({"local_id": transfer.local_id}).encode(), workflow_id="JOINEDUP_SMI_UPDATE_ACK"
    )
    assert mesh_exchange() == {"in:acknowledged": 1}
    made.refresh_from_db()
    transfer.refresh_from_db()
    assert made.acknowledged_at is not None and transfer.state == Transfer.State.ACKNOWLEDGED


def test_mesh_down_leaves_the_update_unsent_and_retries(hc_check, personas, practice, practice_mailbox, settings):
    settings.MESH_URL = "http://127.0.0.1:9"  # nothing listens there
    made = update_file(hc_check, personas, practice)
    assert mesh_exchange() == {Transfer.State.QUEUED: 1}
    transfer = Transfer.objects.get(update_file_id=made.pk)
    made.refresh_from_db()
    assert made.sent_at is None and transfer.attempts == 1 and "could not be reached" in transfer.why


def test_a_register_extract_in_is_imported_and_the_outcome_sent_back(practice, practice_mailbox, personas):
    from joinedup.healthchecks.tests.helpers import register_file, row

    extract = register_file(practice.ods_code, [row(practice.ods_code, n) for n in range(3)]).read()
    practice_mailbox.send_message("JOINEDUP01", extract, workflow_id="JOINEDUP_SMI_EXTRACT", filename="smi.csv")
    counts = mesh_exchange()
    assert counts == {"in:imported": 1, Transfer.State.ACCEPTED: 1}
    received = Transfer.objects.get(direction=Transfer.Direction.IN)
    imported = RegisterImport.objects.get(pk=received.import_id)
    assert (imported.added, imported.practice_id) == (3, practice.pk)
    [outcome_id] = practice_mailbox.list_messages()
    outcome = practice_mailbox.retrieve_message(outcome_id)
    assert outcome.workflow_id == "JOINEDUP_SMI_EXTRACT_ACK"
    assert json.loads(outcome.read())["added"] == 3
    assert mesh_exchange() == {}  # our inbox was acknowledged: nothing is read twice


def test_a_file_from_a_mailbox_no_practice_uses_is_refused_and_acknowledged(practice_mailbox, mesh_sandbox):
    with practice_client(mesh_sandbox, "PRACTICE03") as stranger:
        stranger.send_message("JOINEDUP01", b"nhs_number\n", workflow_id="JOINEDUP_SMI_EXTRACT")
    assert mesh_exchange() == {"in:refused": 1}
    assert not RegisterImport.objects.exists()
    assert mesh_exchange() == {}


def test_an_administrator_sets_a_practices_mailbox(practice, personas):
    client = sign_in_with_csrf("test.administrator")
    answer = submit(client, reverse("messaging:mailboxes"), {"ods_code": practice.ods_code, "mailbox_id": "p1mb"})
    assert answer.status_code == 302
    assert PracticeMailbox.objects.get(practice=practice).mailbox_id == "P1MB"
    page = submit(client, reverse("messaging:mailboxes"), {"ods_code": "Z99999", "mailbox_id": "X"})
    assert page.status_code == 200 and "is not a GP practice we know" in page.content.decode()


def test_no_mailbox_means_no_mesh_file(hc_check, personas, practice):
    made = update_file(hc_check, personas, practice)
    assert not Transfer.objects.exists()
    assert RegisterUpdateFile.objects.get(pk=made.pk).sent_at is None


def test_an_emdt_summary_goes_to_the_persons_practice(practice_mailbox, emdt_chain):
    discussion = emdt_chain["discussion"]
    transfer = Transfer.objects.get(kind=Transfer.Kind.EMDT_SUMMARY)
    assert transfer.person_id == discussion.person_id and transfer.workflow_id == "JOINEDUP_EMDT_SUMMARY"
    assert mesh_exchange() == {Transfer.State.ACCEPTED: 1}
    [message_id] = practice_mailbox.list_messages()
    message = practice_mailbox.retrieve_message(message_id)
    sent = json.loads(message.read())
    assert message.workflow_id == "JOINEDUP_EMDT_SUMMARY"
    assert (sent["nhs_number"], sent["summary_for_gp"]) == (discussion.person.nhs_number, discussion.summary_for_gp)
