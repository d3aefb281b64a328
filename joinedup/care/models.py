from django.conf import settings
from django.db import models
from django.utils import timezone


class CareTeamMember(models.Model):
    """Someone involved in a person's care: staff with an account, or a named contact without one."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_team_roles",
    )
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    role_title = models.CharField(max_length=120)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_key_worker = models.BooleanField(default=False)
    started = models.DateField(default=timezone.localdate)
    ended = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-is_key_worker", "name"]
        indexes = [models.Index(fields=["user", "person"], name="careteam_user_person")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(is_key_worker=True, ended__isnull=True),
                name="one_active_key_worker_per_person",
            ),
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=models.Q(ended__isnull=True, user__isnull=False),
                name="one_active_care_team_entry_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.role_title}, {self.organisation})"
