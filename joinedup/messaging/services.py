"""Queuing a message with the change that causes it, sending the outbox, and what comes back (delivery receipts,
failures the team works). Each state change is one transaction; a send's HTTP call sits between two of them, so
the row says "sending" while Notify is being called and a worker that dies there leaves a row another worker can
recover (it asks Notify for the reference before sending again)."""

import datetime as dt
import gc
import logging
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.timeline import Service, timeline_add, timeline_add_many, timeline_entry
from joinedup.inbox.services import inbox_send
from joinedup.people.services import NotAllowed

from . import notify
from .letters import LetterTooLong, letter_pdf
from .models import FAILURES as FAILURE_STATUSES
from .models import Channel, Message, Status
from .needs import decide
from .purposes import PURPOSES, template_id

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
_clock = time.monotonic  # how long a batch has taken (a test makes Notify slow)


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _what(message) -> str:
    return f"{message.get_channel_display() or 'Message'} ({PURPOSES[message.purpose].label})"


def _timeline(message, summary, by=None):
    timeline_add(**_timeline_fields(message, summary, by=by))


def _timeline_fields(message, summary, by=None) -> dict:
    return {
        "person": message.person,
        "service": message.service,
        "kind": f"message_{message.status}",
        "summary": summary,
        "by": by,
        "organisation": message.organisation,
    }


def _hand_over(message, *, kind, source, why, link=""):
    """A task for the member of staff whose change made the message, or their organisation, or the key worker."""
    to_user = message.created_by
    to_organisation = None if to_user else message.organisation
    if to_user is None and to_organisation is None:
        from joinedup.care.queries import key_worker_for

        member = key_worker_for(person=message.person)
        if member is None:
            log.warning("message %s: nobody to hand the task to", message.pk)
            return None
        to_user = member.user
    return inbox_send(
        kind=kind,
        key=str(message.pk),
        source=source,
        why=why,
        to_user=to_user,
        to_organisation=to_organisation,
        person=message.person,
        link=link or reverse("people:record", args=[message.person_id]),
    )


@transaction.atomic
def message_queue(
    *,
    person,
    purpose,
    service,
    key,
    by=None,
    personalisation=None,
    not_before=None,
    organisation=None,
    now=None,
    plan_version=None,
) -> Message:
    """Write the message in the transaction of its cause. The same `key` again answers the message already
    queued. Communication needs decide the channel and the earliest safe moment, or withhold it and hand a
    member of staff what to do instead."""
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown message purpose {purpose}")
    now = now or timezone.now()
    actor = _actor(by)
    decision = decide(person, purpose, now=max(now, not_before or now))
    message = Message.objects.create(
        person=person,
        purpose=purpose,
        service=service,
        key=key,
        channel=decision.channel,
        recipient=decision.recipient,
        address=decision.address,
        letter_format=decision.letter_format,
        personalisation=personalisation or {},
        plan_version=plan_version,
        status=Status.WITHHELD if decision.withheld else Status.QUEUED,
        why=decision.withheld,
        not_before=max(filter(None, [now, not_before, decision.not_before])),
        created_at=now,
        created_by=actor,
        organisation=organisation or (actor.primary_organisation if actor else None),
    )
    label = PURPOSES[purpose].label
    if decision.withheld:
        _timeline(message, f"No automatic message ({decision.withheld.lower()}): {label}", by=actor)
    else:
        _timeline(message, f"{message.get_channel_display()} queued: {label}", by=actor)
    if decision.task:
        _hand_over(message, kind="message_instead", source="Message to give", why=decision.task)
    if settings.MESSAGING_SEND_ON_COMMIT:
        from .tasks import send_outbox

        transaction.on_commit(lambda: send_outbox.enqueue())
    return message


# Sending --------------------------------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8, 16 minutes after the first, second... failed attempt."""
    return dt.timedelta(seconds=settings.MESSAGING_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))


def outbox_claim(*, now=None, limit=100) -> list[tuple[Message, bool]]:
    """Take up to `limit` due messages for this worker: (message, recovering). A row still "sending" after the
    lease is a worker that died part-way: it is taken again, recovering."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.MESSAGING_LEASE_SECONDS)
    # Two queries, each served by the (status, next_attempt_at) index: one with an OR read every waiting row and
    # sorted them for each batch, so a long queue cost more per message the longer it was.
    # Without the person or organisation joined: sending needs neither (the rare failure loads the person).
    due = Message.objects.select_for_update(skip_locked=True, of=("self",))
    with transaction.atomic():
        rows = list(due.filter(status=Status.SENDING, claimed_at__lt=stale).order_by("id")[:limit])
        if len(rows) < limit:
            rows += due.filter(status=Status.QUEUED, next_attempt_at__lte=now, not_before__lte=now).order_by(
                "next_attempt_at", "id"
            )[: limit - len(rows)]
        claimed = [(m, m.status == Status.SENDING) for m in rows]
        Message.objects.filter(pk__in=[m.pk for m in rows]).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    for m in rows:
        m.status, m.claimed_at, m.attempts = Status.SENDING, now, m.attempts + 1
    return claimed


def _send(api, message) -> str:
    if message.channel == Channel.LETTER:
        pdf = letter_pdf(
            purpose=message.purpose,
            address=message.address,
            personalisation=message.personalisation,
            letter_format=message.letter_format,
            plan_version=message.plan_version,
        )
        return notify.send_letter(api, pdf=pdf, reference=message.reference)
    template = template_id(message.purpose, message.channel)
    if not template:
        raise notify.Permanent(f"No Notify template is set for {message.purpose}:{message.channel}")
    if message.channel == Channel.TEXT:
        return notify.send_text(
            api,
            phone=message.recipient,
            template_id=template,
            personalisation=message.personalisation,
            reference=message.reference,
        )
    return notify.send_email(
        api,
        email=message.recipient,
        template_id=template,
        personalisation=message.personalisation,
        reference=message.reference,
    )


def _call_notify(message, *, recovering, api, now) -> tuple[str, str]:
    """(Notify's id, "") when Notify has the message; ("", its new status) when not, recorded. Nothing raised: one
    bad message never stops the batch."""
    try:
        api = api or notify.client()
        notify_id = notify.already_sent(api, message.reference) if recovering else ""
        return notify_id or _send(api, message), ""
    except (notify.Permanent, LetterTooLong) as e:
        return "", _failed(message, str(e), now=now)
    except notify.Temporary as e:
        return "", _retry(message, str(e), now=now)
    except Exception as e:  # noqa: BLE001  (recorded on the message; the batch goes on)
        log.exception("message %s", message.pk)
        return "", _retry(message, f"Could not send: {type(e).__name__}", now=now)


def message_send(message, *, recovering=False, api=None, now=None) -> str:
    """Send one claimed message and record what happened; answers its new status."""
    now = now or timezone.now()
    notify_id, status = _call_notify(message, recovering=recovering, api=api, now=now)
    if status:
        return status
    _sent([(message, notify_id)], now=now)
    return message.status


@transaction.atomic
def _sent(sent: list[tuple[Message, str]], *, now) -> None:
    """Record a batch of messages Notify accepted: one UPDATE and one INSERT of timeline entries, whatever the
    batch's size. A row no longer "sending" (a delivery receipt came first) is left as it is. A worker that dies
    before this leaves the batch "sending": the next one finds each message at Notify by its reference."""
    if not sent:
        return
    ids = {message.pk: (message, notify_id) for message, notify_id in sent}
    still_sending = set(
        Message.objects.select_for_update()
        .filter(pk__in=ids, status=Status.SENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = []
    for pk, (message, notify_id) in ids.items():
        if pk in still_sending:
            message.status, message.notify_id, message.sent_at, message.why = Status.SENT, notify_id, now, ""
            rows.append(message)
    _mark_sent(rows, now=now)
    timeline_add_many([_sent_entry(m) for m in rows])


def _mark_sent(rows, *, now) -> None:
    """One statement for the batch: a CASE per row (bulk_update) or a statement per row cost more than Notify's
    calls. PostgreSQL joins the batch's ids and Notify ids as arrays; SQLite, in-process, takes one per row."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS m SET status = %s, notify_id = v.notify_id, sent_at = %s, why = '' "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, notify_id) WHERE m.id = v.id",
                [Status.SENT.value, now, [m.pk for m in rows], [m.notify_id for m in rows]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, notify_id = %s, sent_at = %s, why = '' WHERE id = %s",  # noqa: S608
                [(Status.SENT.value, m.notify_id, now, m.pk) for m in rows],
            )


def _sent_entry(message):
    """The timeline entry for a message sent, by its person's and organisation's ids: neither is loaded to send."""
    entry = timeline_entry(
        person=None,
        service=message.service,
        kind=f"message_{message.status}",
        summary=f"{message.get_channel_display()} sent: {PURPOSES[message.purpose].label}",
    )
    entry.person_id, entry.organisation_id = message.person_id, message.organisation_id
    return entry


@transaction.atomic
def _failed(message, why, *, now, status=Status.FAILED) -> str:
    message.status, message.why, message.finished_at = status, why[:300], now
    message.save(update_fields=["status", "why", "finished_at"])
    label = PURPOSES[message.purpose].label
    _timeline(message, f"{message.get_channel_display() or 'Message'} not delivered: {label}")
    _hand_over(
        message,
        kind="message_failed",
        source="Message not delivered",
        why=f"{_what(message)} was not delivered: {message.why}. Check how to reach them, then mark it dealt with.",
        link=reverse("messaging:failures"),
    )
    return status


@transaction.atomic
def _retry(message, why, *, now) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        return _failed(message, f"{why} (tried {message.attempts} times)", now=now, status=Status.GAVE_UP)
    message.status, message.why, message.next_attempt_at = Status.QUEUED, why[:300], now + backoff(message.attempts)
    message.save(update_fields=["status", "why", "next_attempt_at"])
    return message.status


def outbox_send_due(*, now=None, batch=500, api=None) -> dict[str, int]:
    """Send every message due now, a batch at a time: the batch claimed in one transaction, each message's Notify
    call over the client's one HTTP session, then the batch's "sent" recorded in one transaction. A batch that
    takes half the lease (Notify very slow) hands its unsent rest back, so no other worker takes a row this one
    may still send, and ends the run (the next run sends them). Answers how many ended in each status."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    api = api or _client_or_none()
    # The objects the process already holds (Django, the app, the client) are left out of garbage collections for
    # the run: a full collection walking them all every few batches cost the sends as much as their queries did.
    gc.freeze()
    try:
        _send_batches(counts, now=now, batch=batch, api=api)
    finally:
        gc.unfreeze()
    return counts


def _send_batches(counts, *, now, batch, api) -> None:
    slow = False
    while not slow and (claimed := outbox_claim(now=now, limit=batch)):
        accepted = []
        deadline = _clock() + settings.MESSAGING_LEASE_SECONDS / 2
        for i, (message, recovering) in enumerate(claimed):
            if slow := _clock() > deadline:
                _release([m for m, _ in claimed[i:]])
                break
            notify_id, status = _call_notify(message, recovering=recovering, api=api, now=now)
            if status:
                counts[status] = counts.get(status, 0) + 1
            else:
                accepted.append((message, notify_id))
        _sent(accepted, now=now)
        for message, _ in accepted:
            counts[message.status] = counts.get(message.status, 0) + 1


def _release(messages) -> None:
    """Claimed rows this worker will not send now: waiting again, the claim not counted as an attempt."""
    Message.objects.filter(pk__in=[m.pk for m in messages], status=Status.SENDING).update(
        status=Status.QUEUED, claimed_at=None, attempts=F("attempts") - 1
    )


def _client_or_none():
    try:
        return notify.client()
    except notify.Temporary:
        return None  # each message records why it waits


# What comes back ------------------------------------------------------------------------------------------------

RECEIPT_STATUS = {
    "delivered": Status.DELIVERED,
    "received": Status.DELIVERED,  # a letter received by the post
    "permanent-failure": Status.FAILED,
    "temporary-failure": Status.FAILED,
    "technical-failure": Status.FAILED,
    "validation-failed": Status.FAILED,
    "virus-scan-failed": Status.FAILED,
}
RECEIPT_WHY = {
    "permanent-failure": "the number or address does not exist",
    "temporary-failure": "the phone was off or the inbox full for 3 days",
    "technical-failure": "Notify had a technical problem",
    "validation-failed": "the letter broke Notify's rules",
    "virus-scan-failed": "the letter failed Notify's virus scan",
}


def delivery_receipt(*, notify_id: str, reference: str, status: str, now=None) -> Message | None:
    """A delivery receipt from Notify's callback. Unknown messages and statuses still in progress change
    nothing; a receipt for a message already finished changes nothing either (Notify may call twice)."""
    new = RECEIPT_STATUS.get(status)
    which = (Q(notify_id=notify_id) if notify_id else Q()) | (Q(reference=reference) if reference else Q())
    if new is None or not (notify_id or reference):
        return None
    now = now or timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(which, status__in=(Status.SENT, Status.SENDING)).first()
        if message is None:
            return None
        if new == Status.DELIVERED:
            message.status, message.finished_at = new, now
            message.save(update_fields=["status", "finished_at"])
            _timeline(message, f"{message.get_channel_display()} delivered: {PURPOSES[message.purpose].label}")
        else:
            _failed(message, f"Notify could not deliver it: {RECEIPT_WHY[status]}", now=now)
    return message


def _require_person(by, message):
    if not may(by, Perm.EDIT_RECORD, message.person):
        raise NotAllowed(Perm.EDIT_RECORD)


@transaction.atomic
def failure_worked(*, by, message) -> bool:
    """The team has dealt with a failed message (phoned them, corrected their details). Twice changes nothing."""
    _require_person(by, message)
    done = Message.objects.filter(pk=message.pk, status__in=FAILURE_STATUSES, worked_at__isnull=True).update(
        worked_at=timezone.now(), worked_by=by
    )
    if done:
        audit_record(by=by, action=AuditAction.UPDATE, what="failed message dealt with", person=message.person)
    return bool(done)


@transaction.atomic
def failure_retry(*, by, message) -> Message:
    """Send a failed message again, to the details the record holds now."""
    _require_person(by, message)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.status not in FAILURE_STATUSES or message.worked_at:
        return message
    message.worked_at, message.worked_by = timezone.now(), by
    message.save(update_fields=["worked_at", "worked_by"])
    again = message_queue(
        person=message.person,
        purpose=message.purpose,
        service=message.service,
        key=f"{message.key}:again:{message.pk}",
        by=by,
        personalisation=message.personalisation,
        organisation=message.organisation,
        plan_version=message.plan_version,
    )
    audit_record(by=by, action=AuditAction.UPDATE, what="failed message sent again", person=message.person)
    return again


# The events other services tell us about (each called inside that service's transaction) ----------------------


def booking_messages_queue(*, booking, by, when: str):
    """A health check booking: the appointment now, and a reminder two days before (or now, if sooner)."""
    details = {"name": booking.person.preferred_name or booking.person.given_name, "when": when, "place": booking.place}
    message_queue(
        person=booking.person,
        purpose="hc_booking",
        service=Service.HEALTH_CHECKS,
        key=f"hc_booking:{booking.pk}",
        by=by,
        personalisation=details,
    )
    message_queue(
        person=booking.person,
        purpose="hc_reminder",
        service=Service.HEALTH_CHECKS,
        key=f"hc_reminder:{booking.pk}",
        by=by,
        personalisation=details,
        not_before=booking.at - dt.timedelta(days=2),
    )


def hc_follow_up_queue(*, check, by):
    """Follow-ups offered after a health check: the person hears who will contact them, never what was found
    (a text or an email may be read by someone else; the findings are talked through with them)."""
    from joinedup.core.dates import format_date

    who = by.get_full_name() or "Someone from the team"
    if (organisation := by.primary_organisation) is not None:
        who = f"{who} from {organisation.name}"
    message_queue(
        person=check.person,
        purpose="hc_follow_up",
        service=Service.HEALTH_CHECKS,
        key=f"hc_follow_up:{check.pk}",
        by=by,
        personalisation={"name": _name(check.person), "when": format_date(check.done_on), "who": who},
    )


def _name(person) -> str:
    return person.preferred_name or person.given_name


def _when(moment) -> str:
    from joinedup.core.dates import format_date

    return f"{format_date(moment)} at {timezone.localtime(moment):%H:%M}"


def _own_joined_up(person, page: str = "") -> str | None:
    """None when the person has no Joined Up of their own (never signed in with NHS login); else the address of
    `page` in it, or "" when no address is set (JOINEDUP_MESSAGING_PORTAL_URL)."""
    from joinedup.portal.queries import has_own_account

    if not has_own_account(person=person):
        return None
    return settings.MESSAGING_PORTAL_URL + page if settings.MESSAGING_PORTAL_URL else ""


def emdt_invitation_queue(*, item, by):
    """A person placed on an EMDT meeting's agenda: the invitation, with how to prepare, and their own Joined Up
    (where they can add their words) only when they have one."""
    where = _own_joined_up(item.person)
    message_queue(
        person=item.person,
        purpose="emdt_invitation",
        service=Service.EMDT,
        key=f"emdt_invitation:{item.pk}",
        by=by,
        personalisation={
            "name": _name(item.person),
            "when": _when(item.meeting.starts_at),
            "portal": "" if where is None else f"{settings.MESSAGING_PORTAL_LINE} {where}".strip(),
        },
    )


def plan_copy_queue(*, version, by):
    """An agreed care and support plan: the person's copy. A letter carries the plan itself; a text or email says
    where to see it (their own Joined Up) or how to get a printed copy (their key worker)."""
    from joinedup.care.queries import key_worker_for
    from joinedup.core.dates import format_date

    person = version.person
    if (where := _own_joined_up(person, "plan/")) is not None:
        how = f"You can read it and download a copy in your own Joined Up: {where or 'sign in with NHS login'}"
    else:
        key_worker = key_worker_for(person=person)
        who = f"your key worker, {key_worker.name}," if key_worker else "your key worker"
        how = f"Ask {who} for a printed copy."
    message_queue(
        person=person,
        purpose="plan_copy",
        service=Service.CARE,
        key=f"plan_copy:{version.pk}",
        by=by,
        personalisation={"name": _name(person), "when": format_date(version.agreed_on), "how_to_see": how},
        plan_version=version,
    )


def key_worker_message_queue(*, change, by):
    message_queue(
        person=change.person,
        purpose="key_worker",
        service=Service.CARE,
        key=f"key_worker:{change.pk}",
        by=by,
        personalisation={"name": _name(change.person), "key_worker": change.new.name},
    )


def peer_support_first_contact_queue(*, contact, by):
    """Only the first contact of an allocation: its key is the allocation's, so later contacts change nothing."""
    message_queue(
        person=contact.person,
        purpose="peer_support_first_contact",
        service=Service.PEER_SUPPORT,
        key=f"peer_support_first_contact:{contact.allocation_id}",
        by=by,
        personalisation={"name": _name(contact.person)},
    )
