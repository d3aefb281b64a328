"""Tasks one part of the service hands to a member of staff or to an organisation's inbox.

Most tasks live with the thing to be done (an EMDT action, a plan action, a health check follow-up) and reach
"My tasks" through that app's own task source. An inbox item is for what has no such home: "your EMDT request was
declined, here is the next step", "the person asked for changes to their plan", "a letter could not be delivered".
It always names the person (when there is one), why, and the page to act on.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class InboxItem(models.Model):
    # Who it is for: one member of staff, or an organisation's inbox (e.g. a GP practice's), never neither.
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="inbox_items"
    )
    to_organisation = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="inbox_items"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="inbox_items"
    )
    kind = models.CharField(max_length=60)  # e.g. "emdt_request_declined"; what made it
    source = models.CharField(max_length=60)  # shown: e.g. "EMDT request"
    why = models.CharField(max_length=500)  # shown: what happened and what to do
    link = models.CharField(max_length=300, blank=True)  # the page to act on
    due = models.DateField(null=True, blank=True)
    # Sending the same thing twice makes one item: the sender passes a key naming the event (e.g. "declined:42").
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_user__isnull=False) | models.Q(to_organisation__isnull=False),
                name="inbox_item_has_an_owner",
            ),
            models.UniqueConstraint(fields=["kind", "key"], condition=~models.Q(key=""), name="inbox_item_once"),
        ]
        indexes = [
            models.Index(fields=["to_user", "done_at"], name="inbox_user_open"),
            models.Index(fields=["to_organisation", "done_at"], name="inbox_org_open"),
        ]

    def __str__(self):
        return f"{self.source}: {self.why[:60]}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
