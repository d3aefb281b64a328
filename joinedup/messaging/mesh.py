"""Files with GP practices through MESH (mesh-client; mesh-sandbox on loopback in the demo and tests).

Out: register updates (the CSV in PRACTICE_FILES.md) and EMDT discussion summaries, each with its workflow id,
queued with the change that makes them and sent by the worker; a register update is marked sent only once MESH
has accepted it. In: register extracts from a practice's mailbox, imported by the health check service's own
import, the outcome sent back; the practice's acknowledgement of our files; and every message read is
acknowledged to MESH (which removes it from our inbox) only after its effect is saved, so a worker that dies
part-way reads it again and the `in:<message id>` key makes the second reading change nothing."""

import datetime as dt
import io
import json
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.people.services import NotAllowed

from .models import PracticeMailbox, Transfer
from .services import MAX_ATTEMPTS, backoff

log = logging.getLogger(__name__)
ACK_SUFFIX = "_ACK"


class MeshDown(Exception):
    pass


def client():
    from mesh_client import MeshClient

    if not settings.MESH_URL or not settings.MESH_MAILBOX:
        raise MeshDown("MESH is not set up: set JOINEDUP_MESH_URL, JOINEDUP_MESH_MAILBOX and the password")
    return MeshClient(
        settings.MESH_URL,
        settings.MESH_MAILBOX,
        settings.MESH_PASSWORD,
        shared_key=settings.MESH_SHARED_KEY.encode(),
        max_retries=0,  # our own retries, with backoff, on the Transfer row
        timeout=30,
        application_name="joinedup",
    )


@transaction.atomic
def mailbox_set(*, by, ods_code, mailbox_id, active=True) -> PracticeMailbox:
    from joinedup.directory.models import Practice

    if not may(by, Perm.MESSAGING_ADMIN):
        raise NotAllowed(Perm.MESSAGING_ADMIN)
    practice = Practice.objects.filter(ods_code__iexact=ods_code.strip()).first()
    if practice is None:
        raise ValidationError({"ods_code": f"{ods_code} is not a GP practice we know: check the ODS code"})
    mailbox_id = mailbox_id.strip().upper()
    if PracticeMailbox.objects.filter(mailbox_id=mailbox_id).exclude(practice=practice).exists():
        raise ValidationError({"mailbox_id": "Another practice already uses this mailbox"})
    mailbox, _ = PracticeMailbox.objects.update_or_create(
        practice=practice, defaults={"mailbox_id": mailbox_id, "active": active, "updated_at": timezone.now()}
    )
    audit_record(by=by, action=AuditAction.UPDATE, what="practice MESH mailbox", obj=mailbox, reason=practice.ods_code)
    return mailbox


def _mailbox(practice) -> PracticeMailbox | None:
    return PracticeMailbox.objects.filter(practice=practice, active=True).first()


@transaction.atomic
def transfer_queue(*, kind, practice, content: str, filename: str, key: str, person=None, update_file_id=None):
    """Queue a file to a practice in the transaction of its cause. None when the practice has no MESH mailbox
    (its files wait on the register updates page, as before); the same key again answers the file queued."""
    existing = Transfer.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if practice is None or _mailbox(practice) is None:
        return None
    transfer = Transfer.objects.create(
        direction=Transfer.Direction.OUT,
        kind=kind,
        practice=practice,
        person=person,
        workflow_id=settings.MESH_WORKFLOWS[kind],
        key=key,
        filename=filename[:120],
        content=content,
        state=Transfer.State.QUEUED,
        update_file_id=update_file_id,
    )
    if settings.MESSAGING_SEND_ON_COMMIT:
        from .tasks import exchange_mesh

        transaction.on_commit(lambda: exchange_mesh.enqueue())
    return transfer


def register_update_queue(*, update_file):
    """Called by healthchecks' update_file_create and update_file_resend."""
    return transfer_queue(
        kind=Transfer.Kind.REGISTER_UPDATE,
        practice=update_file.practice,
        content=update_file.content,
        filename=f"smi-register-update-{update_file.practice.ods_code}-{update_file.pk}.csv",
        key=f"register_update:{update_file.pk}",
        update_file_id=update_file.pk,
    )


# Sending --------------------------------------------------------------------------------------------------------


def _claim(now, limit):
    stale = now - dt.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS)
    with transaction.atomic():
        rows = list(
            Transfer.objects.select_for_update(skip_locked=True)
            .filter(direction=Transfer.Direction.OUT)
            .filter(
                Q(state=Transfer.State.QUEUED, next_attempt_at__lte=now)
                | Q(state=Transfer.State.SENDING, claimed_at__lt=stale)
            )
            .order_by("next_attempt_at", "id")[:limit]
        )
        Transfer.objects.filter(pk__in=[t.pk for t in rows]).update(
            state=Transfer.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    claimed = [(t, t.state == Transfer.State.SENDING) for t in rows]
    for t in rows:
        t.state, t.attempts = Transfer.State.SENDING, t.attempts + 1
    return claimed


def _already_accepted(api, transfer) -> str:
    """A worker that died after MESH accepted the file: MESH's tracking by our local id finds it."""
    response = api._session.get(f"{api.mailbox_url}/outbox/tracking/{transfer.local_id}", timeout=30)
    if response.status_code == 404:
        return ""
    response.raise_for_status()
    body = response.json()
    return body.get("messageId") or body.get("message_id") or ""


def _send(api, transfer) -> str:
    mailbox = _mailbox(transfer.practice)
    if mailbox is None:
        raise ValidationError("The practice has no MESH mailbox now")
    return api.send_message(
        mailbox.mailbox_id,
        transfer.content.encode("utf-8"),
        workflow_id=transfer.workflow_id,
        filename=transfer.filename,
        local_id=transfer.local_id,
        subject=transfer.get_kind_display(),
        content_type="text/csv" if transfer.filename.endswith(".csv") else "application/json",
    )


def transfer_send(transfer, *, recovering=False, api=None, now=None) -> str:
    from mesh_client import MeshError
    from requests import HTTPError, RequestException

    now = now or timezone.now()
    try:
        if api is None:
            raise MeshDown("MESH is not set up")
        message_id = (_already_accepted(api, transfer) if recovering else "") or _send(api, transfer)
    except (ValidationError, MeshError) as e:
        why = e.messages[0] if isinstance(e, ValidationError) else f"MESH refused the file: {e}"
        return _transfer_failed(transfer, why, now=now, give_up=True)
    except (MeshDown, RequestException, HTTPError) as e:
        return _transfer_failed(transfer, f"MESH could not be reached: {type(e).__name__}", now=now)
    except Exception as e:  # noqa: BLE001  (recorded; the batch goes on)
        log.exception("MESH transfer %s", transfer.pk)
        return _transfer_failed(transfer, f"Could not send: {type(e).__name__}", now=now)
    return _accepted(transfer, message_id, now=now)


@transaction.atomic
def _accepted(transfer, message_id, *, now) -> str:
    Transfer.objects.filter(pk=transfer.pk).update(
        state=Transfer.State.ACCEPTED, mesh_message_id=message_id, accepted_at=now, why=""
    )
    if transfer.update_file_id:
        from joinedup.healthchecks.models import RegisterUpdateFile

        # The register update is sent only now that MESH holds it (the page showed it waiting until then).
        RegisterUpdateFile.objects.filter(pk=transfer.update_file_id, sent_at__isnull=True).update(sent_at=now)
    transfer.state = Transfer.State.ACCEPTED
    return transfer.state


@transaction.atomic
def _transfer_failed(transfer, why, *, now, give_up=False) -> str:
    from joinedup.inbox.services import inbox_send

    if give_up or transfer.attempts >= MAX_ATTEMPTS:
        transfer.state, transfer.why = Transfer.State.GAVE_UP, why[:300]
        transfer.save(update_fields=["state", "why"])
        organisation = _organisation_for(transfer.practice) if transfer.practice else None
        if organisation is not None:
            inbox_send(
                kind="mesh_failed",
                key=str(transfer.pk),
                source="File not sent",
                why=f"{transfer.get_kind_display()} to {transfer.practice.name} was not sent: {transfer.why}",
                to_organisation=organisation,
                person=transfer.person,
            )
        return transfer.state
    transfer.state, transfer.why = Transfer.State.QUEUED, why[:300]
    transfer.next_attempt_at = now + backoff(transfer.attempts)
    transfer.save(update_fields=["state", "why", "next_attempt_at"])
    return transfer.state


def _organisation_for(practice):
    from joinedup.directory.models import Team, TeamKind

    team = Team.objects.filter(kind=TeamKind.PRACTICE, practice=practice).select_related("organisation").first()
    return team.organisation if team else None


# Receiving ------------------------------------------------------------------------------------------------------


def _receive(api, message_id: str, *, now) -> str:
    if Transfer.objects.filter(key=f"in:{message_id}").exists():
        api.acknowledge_message(message_id)  # read before, acknowledgement lost: nothing to do again
        return "again"
    message = api.retrieve_message(message_id)
    body = message.read()
    workflow = message.workflow_id or ""
    sender = getattr(message, "sender", None) or message.mex_header("from", "") or ""
    mailbox = PracticeMailbox.objects.filter(mailbox_id=sender, active=True).select_related("practice").first()
    with transaction.atomic():
        record = Transfer.objects.create(
            direction=Transfer.Direction.IN,
            kind=Transfer.Kind.REGISTER_EXTRACT,
            practice=mailbox.practice if mailbox else None,
            workflow_id=workflow[:40],
            key=f"in:{message_id}",
            filename=(message.filename or "")[:120],
            content="",
            state=Transfer.State.RECEIVED,
            mesh_message_id=message_id,
        )
        if mailbox is None:
            record.state, record.why = Transfer.State.REFUSED, f"From a mailbox no practice uses: {sender}"[:300]
        elif workflow.endswith(ACK_SUFFIX):
            record.state = _acknowledged(record, body, now=now)
        elif workflow == settings.MESH_WORKFLOWS["register_extract"]:
            _import_extract(record, body, mailbox.practice)
        else:
            record.state, record.why = Transfer.State.REFUSED, f"A workflow we do not take: {workflow}"[:300]
        record.save()
    api.acknowledge_message(message_id)
    return record.state


def _acknowledged(record, body: bytes, *, now) -> str:
    """A practice acknowledges one of our files: its local id comes back as the acknowledgement's subject or
    body (MESH's pattern: the reply under the workflow id with _ACK)."""
    text = body.decode("utf-8", "replace").strip()
    try:
        local_id = json.loads(text).get("local_id", "")
    except (ValueError, AttributeError):
        local_id = text[:40]
    record.kind = Transfer.Kind.IMPORT_OUTCOME
    ours = Transfer.objects.filter(direction=Transfer.Direction.OUT, local_id=local_id).first()
    if ours is None:
        record.why = "An acknowledgement of a file we did not send"
        return Transfer.State.REFUSED
    Transfer.objects.filter(pk=ours.pk).update(state=Transfer.State.ACKNOWLEDGED, acknowledged_at=now)
    if ours.update_file_id:
        from joinedup.healthchecks.models import RegisterUpdateFile

        RegisterUpdateFile.objects.filter(pk=ours.update_file_id, acknowledged_at__isnull=True).update(
            acknowledged_at=now
        )
    return Transfer.State.ACKNOWLEDGED


def _import_extract(record, body: bytes, practice) -> None:
    from joinedup.healthchecks.registers import import_register

    outcome = import_register(io.BytesIO(body), filename=record.filename or "mesh.csv", practice_code=practice.ods_code)
    record.import_id = outcome.import_id
    record.state = Transfer.State.REFUSED if outcome.refused else Transfer.State.IMPORTED
    record.why = outcome.refused[:300]
    result = outcome.as_json()
    result["import_of"] = record.mesh_message_id
    transfer_queue(
        kind=Transfer.Kind.IMPORT_OUTCOME,
        practice=practice,
        content=json.dumps(result),
        filename=f"import-outcome-{record.mesh_message_id}.json",
        key=f"import_outcome:{record.mesh_message_id}",
    )


def mesh_answers(api, *, wait: float) -> bool:
    """Whether MESH answers its ping, trying again for up to `wait` seconds (0.5, 1, 2... apart): the scheduler's
    first exchange in the demo can come before mesh-sandbox has started."""
    from requests import RequestException

    deadline, pause = time.monotonic() + wait, 0.5
    while True:
        try:
            api.ping()
            return True
        except RequestException as e:
            if time.monotonic() + pause > deadline:
                log.warning("MESH is not answering at %s (%s): files wait and are tried again", settings.MESH_URL, e)
                return False
        time.sleep(pause)
        pause = min(pause * 2, 5)


def mesh_exchange(*, now=None, api=None, batch=50, wait: float = 0) -> dict[str, int]:
    """Send what is due, then read our inbox and send back what that made. Answers how many ended in each state.
    With `wait`, first give MESH that many seconds to answer (the scheduled task's first run at start-up); if it
    still does not, the files due are tried and wait for their next attempt, as when MESH is down."""
    now = now or timezone.now()
    own = api is None
    try:
        api = api or client()
    except MeshDown:
        api = None
    reachable = api is not None and (not wait or mesh_answers(api, wait=wait))
    try:
        counts = _send_due(api, now=now, batch=batch)
        if reachable:
            _read_inbox(api, counts, now=now)
            for state, n in _send_due(api, now=timezone.now(), batch=batch).items():  # outcomes of imports just read
                counts[state] = counts.get(state, 0) + n
    finally:
        if own and api is not None:
            api.close()
    return counts


def _send_due(api, *, now, batch) -> dict[str, int]:
    counts: dict[str, int] = {}
    while claimed := _claim(now, batch):
        for transfer, recovering in claimed:
            state = transfer_send(transfer, recovering=recovering, api=api, now=now)
            counts[state] = counts.get(state, 0) + 1
    return counts


def _read_inbox(api, counts, *, now) -> None:
    from requests import RequestException

    try:
        ids = api.list_messages()
    except RequestException as e:  # MESH down: the next run reads the inbox
        log.warning("MESH inbox could not be read (%s): the next exchange reads it", type(e).__name__)
        return
    except Exception:  # noqa: BLE001  (anything else is worth its traceback)
        log.warning("MESH inbox could not be read", exc_info=True)
        return
    for message_id in ids:
        try:
            state = _receive(api, message_id, now=now)
        except Exception:  # noqa: BLE001  (left in the inbox: read again next time)
            log.exception("MESH message %s", message_id)
            state = "failed"
        counts[f"in:{state}"] = counts.get(f"in:{state}", 0) + 1


def emdt_summary_queue(*, discussion, on: str):
    """Called by meetings' discussion_record: the summary for the GP goes to the person's practice."""
    person = discussion.person
    content = json.dumps(
        {
            "nhs_number": person.nhs_number,
            "family_name": person.family_name,
            "given_name": person.given_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "discussed_on": on,
            "summary_for_gp": discussion.summary_for_gp,
            "key_worker": discussion.key_worker_name,
        }
    )
    return transfer_queue(
        kind=Transfer.Kind.EMDT_SUMMARY,
        practice=person.practice,
        content=content,
        filename=f"emdt-summary-{discussion.pk}.json",
        key=f"emdt_summary:{discussion.pk}",
        person=person,
    )


def mailboxes_load() -> int:
    """Demo and set-up: every practice without a mailbox gets `<ODS code>OT001` (MESH's own naming)."""
    from joinedup.directory.models import Practice

    missing = Practice.objects.exclude(pk__in=PracticeMailbox.objects.values("practice_id")).only("pk", "ods_code")
    made = PracticeMailbox.objects.bulk_create(
        [PracticeMailbox(practice=p, mailbox_id=f"{p.ods_code}OT001") for p in missing], ignore_conflicts=True
    )
    return len(made)
