"""The outbox: every message to a person (GOV.UK Notify) and every file to or from a practice (MESH).

A row is written in the same transaction as the change that causes it, so a message exists exactly when its cause
does; the worker sends it afterwards. Its `key` names the event (e.g. "hc_booking:42"): queuing the same event
twice makes one message, and the Notify `reference` (unique per row) lets a worker that died after Notify accepted
a message find it again instead of sending it twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    TEXT = "sms", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class Status(models.TextChoices):
    QUEUED = "queued", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Could not be delivered"
    GAVE_UP = "gave_up", "Not sent after retries"
    WITHHELD = "withheld", "Not sent (communication needs)"
    CANCELLED = "cancelled", "Cancelled"


FAILURES = (Status.FAILED, Status.GAVE_UP)
WAITING = (Status.QUEUED, Status.SENDING)


def _reference() -> str:
    return uuid.uuid4().hex


class Message(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=40)  # messaging.purposes.PURPOSES
    service = models.CharField(max_length=20)  # the timeline's service of the cause
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    key = models.CharField(max_length=120, unique=True)
    reference = models.CharField(max_length=40, unique=True, default=_reference)
    recipient = models.CharField(max_length=320, blank=True)  # phone number or email address; letters: see address
    address = models.JSONField(default=list, blank=True)  # letter address lines, postcode last
    personalisation = models.JSONField(default=dict, blank=True)
    # The agreed plan a plan copy hands over: a letter carries it, printed as the plan's own PDF is.
    plan_version = models.ForeignKey(
        "care.CarePlanVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letter_format = models.CharField(max_length=20, blank=True)  # "", "large_print" or "easy_read"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    why = models.CharField(max_length=300, blank=True)  # why withheld, or what went wrong
    not_before = models.DateTimeField(default=timezone.now)  # safe times and reminders: the earliest send
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    notify_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)  # delivered or failed, by Notify's receipt
    worked_at = models.DateTimeField(null=True, blank=True)  # a failure dealt with by the team
    worked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="messaging_due"),
            models.Index(fields=["status", "worked_at"], name="messaging_failures"),
        ]

    def __str__(self):
        return f"{self.get_channel_display() or 'Message'} {self.pk}: {self.purpose}"

    @property
    def due_at(self):
        return max(self.not_before, self.next_attempt_at)


class PracticeMailbox(models.Model):
    """A practice's MESH mailbox and the workflow ids it takes. Without an active row, files wait to be
    downloaded from the register updates page as before."""

    practice = models.OneToOneField("directory.Practice", on_delete=models.PROTECT, related_name="mesh_mailbox")
    mailbox_id = models.CharField(max_length=20, unique=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.mailbox_id


class Transfer(models.Model):
    """One MESH file, out to a practice or in from one."""

    class Direction(models.TextChoices):
        OUT = "out", "To the practice"
        IN = "in", "From the practice"

    class Kind(models.TextChoices):
        REGISTER_UPDATE = "register_update", "SMI register update"
        EMDT_SUMMARY = "emdt_summary", "EMDT discussion summary"
        REGISTER_EXTRACT = "register_extract", "SMI register extract"
        IMPORT_OUTCOME = "import_outcome", "Register import outcome"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        SENDING = "sending", "Sending"
        ACCEPTED = "accepted", "Accepted by MESH"
        ACKNOWLEDGED = "acknowledged", "Acknowledged by the practice"
        GAVE_UP = "gave_up", "Not sent after retries"
        RECEIVED = "received", "Received"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused"

    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    practice = models.ForeignKey("directory.Practice", null=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    workflow_id = models.CharField(max_length=40)
    key = models.CharField(max_length=120, unique=True)  # outgoing: the event; incoming: "in:" + MESH message id
    local_id = models.CharField(max_length=40, unique=True, default=_reference)
    filename = models.CharField(max_length=120)
    content = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices)
    mesh_message_id = models.CharField(max_length=40, blank=True)
    update_file_id = models.PositiveIntegerField(null=True, blank=True)  # healthchecks.RegisterUpdateFile
    import_id = models.PositiveIntegerField(null=True, blank=True)  # healthchecks.RegisterImport
    why = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["direction", "state", "next_attempt_at"], name="messaging_transfer_due")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"
