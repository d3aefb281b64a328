"""What an account's ending left to hand over.

The leaver's open work lives with each app (an EMDT action, a plan action, a health check claim, an inbox item);
ending the account takes a copy of the list as it stood, so the administrator and the team can hand every item
over even after the leaver's own task list is gone with their access.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccountEnding(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="account_endings")
    ended_at = models.DateTimeField(default=timezone.now)
    # None: the access review's scheduled job ended it.
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    # [{"source", "description", "due", "link", "person_label", "person_id"}] from their task list at the time.
    open_tasks = models.JSONField(default=list)

    class Meta:
        ordering = ["-ended_at", "-id"]

    def __str__(self):
        return f"{self.user} left ({self.ended_at:%Y-%m-%d})"
