"""The audit trail and the timeline: one table each, shared by every app."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    pass


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LISTED = "listed", "Shown in a list"
    REFUSED = "refused", "Refused"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    SEARCH = "search", "Searched"
    EMERGENCY_ACCESS = "emergency_access", "Emergency access"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"


class AuditEvent(models.Model):
    """Who did what to whose data, when and why. Append-only: rows are never changed or deleted.

    On PostgreSQL triggers enforce it too (migrations 0002 and 0006), so not even a raw UPDATE, DELETE or
    TRUNCATE gets through.
    """

    at = models.DateTimeField(default=timezone.now)
    # Not indexed on their own: audit_user_at and audit_person_at below lead with these columns.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    person = models.ForeignKey("people.Person", null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    what = models.CharField(max_length=200, help_text="What was read or changed, e.g. 'record' or 'consent'")
    object_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "-at"], name="audit_person_at"),
            models.Index(fields=["user", "-at"], name="audit_user_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            # The IG lead's audit search by user name (core.queries.audit_events), over a partitioned trail.
            models.Index(fields=["username", "-at"], name="audit_username_at"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted")


class Service(models.TextChoices):
    """Which part of the service an entry on the timeline belongs to (the timeline filter)."""

    RECORD = "record", "Shared record"
    EMDT = "emdt", "EMDT"
    CARE = "care", "Key working and care plan"
    PRIMARY_CARE = "primary_care", "Primary care mental health"
    PEER_SUPPORT = "peer_support", "Peer support"
    HEALTH_CHECKS = "health_checks", "Physical health checks"


class TimelineEntry(models.Model):
    """One thing that happened to a person, in any service. Services append; the record page reads one table."""

    # Indexed by timeline_person_at, which leads with it.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="timeline", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    service = models.CharField(max_length=20, choices=Service.choices)
    kind = models.CharField(max_length=60)
    # What happened and where, never its clinical content: every reader with a relationship sees it (hazard H22).
    summary = models.CharField(max_length=500)
    # The content (the needs assessed, what was done, the reason): shown only to a reader who may open the page the
    # entry links to, as that page would show it to them anyway.
    # A database default too: the register import inserts its entries in bulk SQL.
    detail = models.CharField(max_length=1000, blank=True, default="", db_default="")
    link = models.CharField(max_length=300, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["person", "-at", "-id"], name="timeline_person_at")]
        ordering = ["-at", "-id"]
        verbose_name_plural = "timeline entries"


class ScheduledJob(models.Model):
    """When each scheduled job (core/schedule.py) last ran, and how."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
