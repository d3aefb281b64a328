from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind
from joinedup.core.validators import (
    validate_after_1900,
    validate_nhs_number,
    validate_no_markup,
    validate_not_future,
    validate_phone,
    validate_uk_postcode,
)
from joinedup.core.valuesets import value_set_choices


class Sex(models.TextChoices):
    # NHS Data Dictionary "person stated gender code" values.
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    NOT_KNOWN = "0", "Not known"
    NOT_SPECIFIED = "9", "Not specified"


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class Person(models.Model):
    """A person receiving care. One record across every organisation: their story is told once."""

    nhs_number = models.CharField(
        "NHS number",
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_nhs_number],
        error_messages={"unique": "A record with this NHS number already exists"},
    )
    given_name = models.CharField("first name", max_length=100, validators=[validate_no_markup])
    family_name = models.CharField("last name", max_length=100, validators=[validate_no_markup])
    preferred_name = models.CharField(max_length=100, blank=True, validators=[validate_no_markup])
    # Lower-case, accents removed: what name searches compare against (see matching.py).
    search_name = models.CharField(max_length=201, editable=False)
    date_of_birth = models.DateField(validators=[validate_not_future, validate_after_1900])
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.NOT_KNOWN)
    ethnicity = models.CharField(max_length=2, choices=value_set_choices("ethnicity"), default="Z")
    address = models.CharField(max_length=300, blank=True, validators=[validate_no_markup])
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_uk_postcode])
    phone = models.CharField("phone number", max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField("email address", blank=True)
    practice = models.ForeignKey(
        "directory.Practice", on_delete=models.PROTECT, null=True, blank=True, related_name="patients"
    )

    # Contact preferences.
    preferred_channel = models.CharField(
        "preferred way to be contacted", max_length=10, choices=ContactChannel.choices, blank=True
    )
    safe_times = models.CharField("safe times to contact", max_length=200, blank=True, validators=[validate_no_markup])
    no_voicemail = models.BooleanField(default=False)
    do_not_contact = models.BooleanField(default=False)

    my_story = models.TextField(blank=True, max_length=10000, validators=[validate_no_markup])
    my_story_updated = models.DateTimeField(null=True, blank=True)

    # The person's current consent to share, by kind of organisation. The history is in ConsentDecision;
    # services keep these in step in the same transaction so the access policy reads one row.
    consent_nhs = models.BooleanField(default=False)
    consent_vcfse = models.BooleanField(default=False)
    consent_local_authority = models.BooleanField(default=False)
    consent_peer_support = models.BooleanField(default=False)

    # Optimistic concurrency: each save through the services bumps it; a stale form is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["date_of_birth", "search_name"], name="person_dob_name"),
            models.Index(Upper("postcode"), name="person_postcode"),
            # On PostgreSQL a trigram index on search_name is added by migration 0002.
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    def has_consent(self, kind: str) -> bool:
        return getattr(self, f"consent_{kind}")


class CommunicationNeed(models.Model):
    """A need under the Accessible Information Standard (DCB1605), flagged wherever the person appears."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="communication_needs")
    need = models.CharField(max_length=30, choices=value_set_choices("communication_needs"))
    detail = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_no_markup],
        help_text="For example the language for an interpreter",
    )

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["person", "need"], name="one_need_of_each_kind")]

    def __str__(self):
        label = self.get_need_display()
        return f"{label}: {self.detail}" if self.detail else label


class ConsentDecision(models.Model):
    """Every consent given or withdrawn, kept. The latest per kind is mirrored onto the Person."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consent_decisions")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    given = models.BooleanField()
    note = models.CharField(max_length=500, blank=True, validators=[validate_no_markup])
    at = models.DateTimeField(default=timezone.now)
    # Empty when the person changed it themself, in their own Joined Up (joinedup/portal).
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class EmergencyAccess(models.Model):
    """A recorded 'break glass' access to a person without a relationship. Audited and reviewed."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="emergency_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses")
    reason = models.TextField(max_length=2000, validators=[validate_no_markup])
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True, max_length=2000, validators=[validate_no_markup])

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "expires_at"], name="emergency_user_expiry")]
