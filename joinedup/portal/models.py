"""The person's side: who signed in with NHS login, and who they let help them.

The person is never a staff User: they have a PortalAccount (their NHS login subject), their own session cookie
and their own pages under /my/. What they do is recorded in the same audit trail and timeline as staff work,
named as done by the person themself (or by their carer or advocate)."""

from django.db import models
from django.utils import timezone


class PortalAccount(models.Model):
    """One NHS login identity that has signed in. `person` is their own record, when one matches their NHS number
    and date of birth (a carer may have none)."""

    sub = models.CharField(max_length=200, unique=True)
    nhs_number = models.CharField(max_length=10, db_index=True)
    birthdate = models.DateField()
    name = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    first_sign_in = models.DateTimeField(default=timezone.now)
    last_sign_in = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.name or f"NHS login {self.pk}"


class HelperKind(models.TextChoices):
    CARER = "carer", "Carer or family member"
    ADVOCATE = "advocate", "Advocate"


class HelperGrant(models.Model):
    """The person lets a carer or advocate, who signs in with their own NHS login, see or do things for them,
    until a date. The person can end it at any moment. Found at the helper's sign-in by their NHS number and date
    of birth (what NHS login proves), so the person needs no code to pass on."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=HelperKind.choices)
    name = models.CharField(max_length=200)
    nhs_number = models.CharField(max_length=10)
    birthdate = models.DateField()
    may_act = models.BooleanField(default=False, help_text="Respond to the plan and prepare for discussions too")
    until = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    account = models.ForeignKey(PortalAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["nhs_number", "birthdate"], name="portal_helper_identity")]

    def is_active(self, today=None) -> bool:
        return self.ended_at is None and self.until >= (today or timezone.localdate())


class UsedIdToken(models.Model):
    """Each ID token is accepted once: a token replayed (stolen from a log, or sent twice) is refused."""

    jti = models.CharField(max_length=200, unique=True)
    expires = models.DateTimeField(db_index=True)


class BookingAnswer(models.Model):
    """The person's answer to a health check booking: confirmed, or asked to change with times that suit them."""

    class Answer(models.TextChoices):
        CONFIRM = "confirm", "I can come"
        CHANGE = "change", "I need a different time"

    booking = models.ForeignKey("healthchecks.Booking", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    times = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)
    helper = models.ForeignKey(HelperGrant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
