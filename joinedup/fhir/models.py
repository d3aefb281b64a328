"""System clients of the FHIR API, the assertions they have used and the access tokens they hold.

A system client (a GP practice's system, the Trust's record system) is registered to one organisation by an
administrator, with its public keys. It acts through its own service account user, a member of that
organisation's teams, so the one access policy decides what it sees (docs/decisions/005).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from joinedup.core.validators import validate_no_markup


def new_client_id() -> str:
    return "jc-" + secrets.token_hex(12)


def new_export_id() -> str:
    return "ex-" + secrets.token_hex(16)


class SystemClient(models.Model):
    client_id = models.CharField(max_length=64, unique=True, default=new_client_id)
    name = models.CharField(max_length=200, validators=[validate_no_markup])
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    # The service account it acts as: no usable password, so it can never sign in to the pages.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fhir_client")
    jwks = models.JSONField(help_text="The client's public keys as a JSON Web Key Set")
    scopes = models.CharField(max_length=1000, help_text="System scopes granted, separated by spaces")
    active = models.BooleanField(default=True)
    registered_at = models.DateTimeField(default=timezone.now)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.client_id})"


class UsedAssertion(models.Model):
    """A client assertion's jti, kept until the assertion expires, so it cannot be replayed."""

    client = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="fhir_assertion_used_once")]


class AccessToken(models.Model):
    """A short-lived bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    token_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(SystemClient, on_delete=models.CASCADE, related_name="access_tokens")
    scopes = models.CharField(max_length=1000)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="fhir_token_expiry")]


class ExportJob(models.Model):
    """A Bulk Data $export: asked for by a client, run on the task worker, its NDJSON files kept until they expire.

    `heartbeat_at` is touched as the worker writes; a running job whose heartbeat has stopped is taken to have lost
    its worker and is started again once (`attempts`), then failed."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.CharField(primary_key=True, max_length=40, default=new_export_id, editable=False)
    client = models.ForeignKey(SystemClient, on_delete=models.PROTECT, related_name="exports")
    level = models.CharField(max_length=10)  # system, patient, group
    group = models.CharField(max_length=64, blank=True)
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.CharField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    progress = models.CharField(max_length=200, blank=True)
    transaction_time = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    output = models.JSONField(default=list)  # [{"type": "Patient", "file": "Patient-1.ndjson", "count": 12}]

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"], name="fhir_export_status_expires")]


class PatientVersion(models.Model):
    """A superseded version of a person's Patient resource, exactly as the API served it, for vread and _history.

    The record keeps only its current state and a version number (people.Person.version); before a save moves
    that number on, the version it replaces is kept here (history.keep_superseded_patient). The current version
    is always mapped from the record itself, so a person never changed has no rows here."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    resource = models.JSONField()
    superseded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "version"], name="fhir_patient_version_once")]
