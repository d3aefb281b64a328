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


class LevelOfCare(models.TextChoices):
    PRIMARY_CARE = "primary_care", "Primary care mental health"
    EMDT = "emdt", "Enhanced multi-disciplinary team"
    CMHT = "cmht", "Community mental health team"
    DISCHARGED = "discharged", "Discharged"


class LevelOfCareChange(models.Model):
    """A step up or down in care. The latest row is the person's current level; the rest is their history.
    The key worker, plan and record carry across unchanged: only this row is written."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="level_changes")
    level = models.CharField(max_length=20, choices=LevelOfCare.choices)
    previous_level = models.CharField(max_length=20, choices=LevelOfCare.choices, blank=True)
    reason = models.TextField(max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="level_person_at")]
