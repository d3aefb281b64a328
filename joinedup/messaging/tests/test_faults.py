"""Faults: a worker killed half way through a batch, Notify or MESH down, a bad template id or address."""

import datetime as dt

import pytest
from django.conf import settings

from joinedup.inbox.models import InboxItem
from joinedup.messaging import mesh, notify, services
from joinedup.messaging.models import Message, Status, Transfer
from joinedup.messaging.services import outbox_send_due

from .helpers import contactable, daytime, queue
from .test_mesh import practice_client

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker process dying: not an Exception, so nothing in the worker catches it."""


def kill_after(monkeypatch, module, name, n, *, after_effect=False):
    """Let `n` calls of module.name through, then die inside the next one: before it does anything, or, with
    `after_effect`, once it has done it (Notify has the message) but before the worker hears the answer."""
    real = getattr(module, name)
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) > n:
            if after_effect:
                real(*args, **kwargs)
            raise Killed
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)


@pytest.fixture
def reachable(person, personas):
    return contactable(person, personas.community_clinician)


def test_a_worker_killed_half_way_through_a_batch_sends_each_message_once_after_restart(
    reachable, personas, notify_standin, monkeypatch
):
    batch = [queue(reachable, personas.community_clinician, key=f"k:{n}", now=daytime()) for n in range(6)]
    # Batches of two: the first is sent and recorded; Notify accepts the third message, then the worker dies
    # before it hears so, let alone records it.
    kill_after(monkeypatch, notify, "send_text", 2, after_effect=True)
    with pytest.raises(Killed):
        outbox_send_due(now=daytime(), batch=2)
    monkeypatch.undo()
    states = dict(Message.objects.values_list("key", "status"))
    assert list(states.values()).count(Status.SENT) == 2 and len(notify_standin.sent) == 3
    # Restarted straight away: the batch the dead worker held is left alone until its lease runs out; the two
    # it never claimed go.
    assert outbox_send_due(now=daytime() + dt.timedelta(seconds=10)) == {Status.SENT: 2}
    assert len(notify_standin.sent) == 5
    # After the lease, the new worker recovers the dead one's batch: the message Notify holds is found by its
    # reference and recorded, not sent again; the other is sent.
    later = daytime() + dt.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS + 1)
    assert outbox_send_due(now=later) == {Status.SENT: 2}
    assert sorted(n["reference"] for n in notify_standin.sent) == sorted(m.reference for m in batch)
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_bad_template_id_fails_that_message_clearly_and_the_batch_goes_on(
    reachable, personas, notify_standin, settings
):
    settings.NOTIFY_TEMPLATES = settings.NOTIFY_TEMPLATES | {"key_worker:sms": "5a9c2b1e-0d4f-4a8e-9b3a-00000000dead"}
    broken = queue(reachable, personas.community_clinician, key="k:broken", now=daytime())
    fine = queue(
        reachable, personas.community_clinician, key="k:fine", purpose="peer_support_first_contact", now=daytime()
    )
    assert outbox_send_due(now=daytime()) == {Status.FAILED: 1, Status.SENT: 1}
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.status == Status.FAILED and "Template not found" in broken.why
    assert fine.status == Status.SENT
    assert InboxItem.objects.filter(kind="message_failed", key=str(broken.pk)).exists()


def test_a_bad_address_fails_that_message_clearly_and_the_batch_goes_on(reachable, personas, notify_standin):
    bad = queue(reachable, personas.community_clinician, key="k:bad", now=daytime())
    good = queue(reachable, personas.community_clinician, key="k:good", now=daytime())
    Message.objects.filter(pk=bad.pk).update(recipient="0770090012")  # a number Notify will not take
    assert outbox_send_due(now=daytime()) == {Status.FAILED: 1, Status.SENT: 1}
    bad.refresh_from_db()
    assert "Not a UK mobile number" in bad.why
    assert Message.objects.get(pk=good.pk).status == Status.SENT


def test_a_crash_making_one_message_is_retried_and_the_batch_goes_on(reachable, personas, notify_standin, monkeypatch):
    odd = queue(reachable, personas.community_clinician, key="k:odd", now=daytime())
    queue(reachable, personas.community_clinician, key="k:even", now=daytime())
    real = services._send

    def crash_once(api, message):
        if message.pk == odd.pk:
            raise KeyError("something unexpected")
        return real(api, message)

    monkeypatch.setattr(services, "_send", crash_once)
    assert outbox_send_due(now=daytime()) == {Status.QUEUED: 1, Status.SENT: 1}
    odd.refresh_from_db()
    assert odd.why == "Could not send: KeyError" and odd.attempts == 1


def test_notify_not_configured_waits_and_retries(reachable, personas, settings):
    settings.NOTIFY_API_KEY = ""
    message = queue(reachable, personas.community_clinician, now=daytime())
    assert outbox_send_due(now=daytime()) == {Status.QUEUED: 1}
    message.refresh_from_db()
    assert "not set up" in message.why


# MESH -------------------------------------------------------------------------------------------------------------


@pytest.fixture
def practice_on_mesh(practice, personas, mesh_sandbox):
    mesh.mailbox_set(by=personas.administrator, ods_code=practice.ods_code, mailbox_id="PRACTICE02")
    return practice


def files(practice, n):
    return [
        mesh.transfer_queue(
            kind=Transfer.Kind.IMPORT_OUTCOME,
            practice=practice,
            content=f'{{"n": {i}}}',
            filename=f"{i}.json",
            key=f"f:{i}",
        )
        for i in range(n)
    ]


def test_mesh_down_retries_then_gives_up_with_a_task_for_the_practice(practice_on_mesh, settings):
    settings.MESH_URL = "http://127.0.0.1:9"
    [transfer] = files(practice_on_mesh, 1)
    now = daytime()
    for _ in range(services.MAX_ATTEMPTS):
        mesh.mesh_exchange(now=now)
        transfer.refresh_from_db()
        now = transfer.next_attempt_at
    assert transfer.state == Transfer.State.GAVE_UP and transfer.attempts == services.MAX_ATTEMPTS
    task = InboxItem.objects.get(kind="mesh_failed", key=str(transfer.pk))
    assert practice_on_mesh.name in task.why


def test_a_mesh_worker_killed_half_way_sends_each_file_once_after_restart(practice_on_mesh, mesh_sandbox, monkeypatch):
    batch = files(practice_on_mesh, 4)
    kill_after(monkeypatch, mesh, "_accepted", 1)  # MESH accepts the second file; the worker dies before recording
    with pytest.raises(Killed):
        mesh.mesh_exchange(now=daytime())
    monkeypatch.undo()
    later = daytime() + dt.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS + 1)
    assert mesh.mesh_exchange(now=later) == {Transfer.State.ACCEPTED: 3}, list(Transfer.objects.values_list("why"))
    with practice_client(mesh_sandbox, "PRACTICE02") as practice:
        received = practice.list_messages()
    assert len(received) == 4  # each once
    assert set(Transfer.objects.values_list("state", flat=True)) == {Transfer.State.ACCEPTED}
    assert len({t.local_id for t in batch}) == 4


def test_the_scheduled_exchange_waits_for_mesh_to_start_answering(practice_on_mesh, mesh_sandbox, monkeypatch, caplog):
    """The demo's scheduler can run its first exchange before mesh-sandbox answers: it waits, quietly."""
    import requests

    [transfer] = files(practice_on_mesh, 1)
    real = mesh.client()
    starting = iter([requests.ConnectionError("refused"), requests.ConnectionError("refused")])
    answer = real.ping

    def ping():
        if error := next(starting, None):
            raise error
        return answer()

    monkeypatch.setattr(real, "ping", ping)
    monkeypatch.setattr(mesh.time, "sleep", lambda seconds: None)
    try:
        assert mesh.mesh_exchange(now=daytime(), api=real, wait=15) == {Transfer.State.ACCEPTED: 1}
    finally:
        real.close()
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    transfer.refresh_from_db()
    assert transfer.state == Transfer.State.ACCEPTED and transfer.attempts == 1


def test_mesh_that_never_answers_is_one_plain_line_and_the_files_wait(practice_on_mesh, settings, monkeypatch, caplog):
    settings.MESH_URL = "http://127.0.0.1:9"
    [transfer] = files(practice_on_mesh, 1)
    monkeypatch.setattr(mesh.time, "sleep", lambda seconds: None)
    assert mesh.mesh_exchange(now=daytime(), wait=0.01) == {Transfer.State.QUEUED: 1}
    warnings = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert [r.exc_info for r in warnings] == [None] and "not answering" in warnings[0].getMessage()
    transfer.refresh_from_db()
    assert transfer.state == Transfer.State.QUEUED and transfer.next_attempt_at > daytime()


def test_a_batch_that_takes_half_the_lease_hands_its_unsent_rest_back(reachable, personas, notify_standin, monkeypatch):
    """Notify so slow that the batch would outlive its lease: what is not sent yet goes back to waiting, so no
    other worker takes a row this one may still send (H51)."""
    batch = [queue(reachable, personas.community_clinician, key=f"k:{n}", now=daytime()) for n in range(3)]
    clock = iter([0.0, 0.0, settings.MESSAGING_LEASE_SECONDS])  # the deadline, the first send, then too late
    monkeypatch.setattr(services, "_clock", lambda: next(clock, 10**9))
    assert services.outbox_send_due(now=daytime(), batch=3) == {Status.SENT: 1}
    monkeypatch.undo()
    rest = Message.objects.filter(pk__in=[m.pk for m in batch[1:]])
    assert {(m.status, m.attempts, m.claimed_at) for m in rest} == {(Status.QUEUED, 0, None)}
    assert len(notify_standin.sent) == 1
    assert outbox_send_due(now=daytime()) == {Status.SENT: 2}
