"""SMI physical health checks: registers in, outreach, bookings, checks, follow-ups, plans, updates out."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from joinedup.core.validators import validate_no_markup


class RegisterImport(models.Model):
    """One practice file read (or refused). The outcome is kept; rows are not."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Imported"
        REFUSED = "refused", "File refused"

    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    practice = models.ForeignKey(
        "directory.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    problem = models.CharField(max_length=500, blank=True)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # [{"line": N, "reason": "..."}], the first HEALTH_CHECK_REGISTER_ERRORS_KEPT (1,000) kept.
    errors = models.JSONField(default=list)
    # {"kind of reason": N}: every rejected row counted by its kind of reason, most common first.
    reasons = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]


class RegisterEntry(models.Model):
    """A person on a practice's SMI register. Never deleted: a person missing from a new extract has `left_on` set."""

    # The foreign keys are not indexed on their own: the indexes in Meta lead with each of them (every index is
    # maintained on every row an import writes).
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="smi_register_entries", db_index=False
    )
    practice = models.ForeignKey("directory.Practice", on_delete=models.PROTECT, related_name="+", db_index=False)
    # The outreach provider for the practice's locality (directory.OutreachCoverage), kept here for the worklist.
    provider = models.ForeignKey(
        "directory.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    pcn = models.ForeignKey(
        "directory.Pcn", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    date_of_birth = models.DateField()
    smi_code = models.CharField(max_length=20)
    smi_date = models.DateField(null=True, blank=True)
    remission_code = models.CharField(max_length=20, blank=True)
    remission_date = models.DateField(null=True, blank=True)
    file_full_check = models.DateField(null=True, blank=True)
    bmi_date = models.DateField(null=True, blank=True)
    bp_date = models.DateField(null=True, blank=True)
    glucose_date = models.DateField(null=True, blank=True)
    lipids_date = models.DateField(null=True, blank=True)
    smoking_date = models.DateField(null=True, blank=True)
    alcohol_date = models.DateField(null=True, blank=True)
    # Latest full check done by the outreach service itself (a HealthCheck with all six core elements).
    service_full_check = models.DateField(null=True, blank=True)
    # The later of the two: what the worklist orders by.
    last_full_check = models.DateField(null=True, blank=True)
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    failed_attempts = models.PositiveIntegerField(default=0)
    hard_to_reach = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # A hash of the extract's row this entry was last brought in line with (and of the rules it was checked by):
    # the next extract's identical row is known unchanged without being checked again (registers.row_hash).
    row_hash = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "person"], name="hc_one_entry_per_practice")]
        # The worklist's order: never checked first, then the oldest check (rules.needs_outreach_order). SQLite
        # sorts NULL first already; on PostgreSQL migration 0002 remakes these three with NULLS FIRST.
        indexes = [
            models.Index(fields=["provider", "last_full_check", "id"], name="hc_entry_provider_due"),
            models.Index(fields=["practice", "last_full_check", "id"], name="hc_entry_practice_due"),
            models.Index(fields=["pcn", "last_full_check", "id"], name="hc_entry_pcn_due"),
            models.Index(fields=["person"], name="hc_entry_person"),
        ]
        verbose_name_plural = "register entries"

    @property
    def in_remission(self) -> bool:
        return bool(self.remission_code)


class Claim(models.Model):
    """An outreach worker has taken this person on. One open claim per person (a database constraint). A claim is
    never deleted: it ends with who ended it, when and why, and stays as the person's outreach history."""

    class Ended(models.TextChoices):
        STOPPED = "stopped", "the outreach worker stopped"
        FULL_CHECK = "full_check", "a full health check was recorded"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.CharField(max_length=20, choices=Ended.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(released_at__isnull=True), name="hc_one_open_claim"
            )
        ]
        indexes = [models.Index(fields=["worker", "released_at"], name="hc_claim_worker")]


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    HOME_VISIT = "home_visit", "Home visit"
    KEY_WORKER = "key_worker", "Through their key worker"
    PEER_SUPPORT = "peer_support", "Through a peer support worker"


class ContactOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", "No answer"
    ACCEPTED = "accepted", "Spoke - accepted a check"
    DECLINED = "declined", "Spoke - declined"
    WRONG_NUMBER = "wrong_number", "Wrong number or address"
    MOVED = "moved", "Moved away"
    DECEASED = "deceased", "Died"


FAILED_OUTCOMES = {ContactOutcome.NO_ANSWER, ContactOutcome.WRONG_NUMBER}


class ContactAttempt(models.Model):
    # Indexed by hc_contact_person_at, which leads with it.
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    next_step = models.CharField(max_length=300, blank=True, validators=[validate_no_markup])

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="hc_contact_person_at")]


class BookingProvider(models.TextChoices):
    PRACTICE = "practice", "GP practice"
    SECONDARY = "secondary", "Secondary care mental health team"
    VCFSE = "vcfse", "Voluntary sector clinic"


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    provider_kind = models.CharField(max_length=20, choices=BookingProvider.choices)
    at = models.DateTimeField()
    place = models.CharField(max_length=200, validators=[validate_no_markup])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]


class SmokingStatus(models.TextChoices):
    CURRENT = "current", "Current smoker"
    EX = "ex", "Ex-smoker"
    NEVER = "never", "Never smoked"


class GlucoseKind(models.TextChoices):
    FASTING = "fasting", "Fasting"
    RANDOM = "random", "Random"


WIDER_ELEMENTS = {
    "substance_use": "Substance use",
    "medication_review": "Medication review",
    "cancer_screening": "Cancer screening",
    "vaccinations": "Vaccinations",
    "oral_health": "Oral health",
    "sexual_health": "Sexual health",
    "activity": "Physical activity",
    "diet": "Diet",
}


class HealthCheck(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    bmi = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    waist_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(null=True, blank=True)
    hba1c = models.PositiveSmallIntegerField("HbA1c (mmol/mol)", null=True, blank=True)
    glucose = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    glucose_kind = models.CharField(max_length=10, choices=GlucoseKind.choices, blank=True)
    total_cholesterol = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    hdl_cholesterol = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    smoking = models.CharField(max_length=10, choices=SmokingStatus.choices, blank=True)
    alcohol_units = models.PositiveSmallIntegerField("alcohol units a week", null=True, blank=True)
    audit_c = models.PositiveSmallIntegerField("AUDIT-C score", null=True, blank=True)
    # Wider elements: code -> short note (see WIDER_ELEMENTS).
    wider = models.JSONField(default=dict, blank=True)
    full = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-done_on", "-id"]


class FollowUp(models.Model):
    """A suggested intervention after a check (stop smoking, weight management...), tracked to completion."""

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        DECLINED = "declined", "Declined by the person"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    check_record = models.ForeignKey(HealthCheck, null=True, on_delete=models.PROTECT, related_name="follow_ups")
    # The threshold rows (data/followup_thresholds.csv) behind it, joined by "+", and their flags, joined by "; ":
    # one follow-up per action, whatever number of results led to it.
    code = models.CharField(max_length=200)
    reason = models.CharField(max_length=500)
    action = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, validators=[validate_no_markup])

    class Meta:
        ordering = ["status", "due", "id"]
        indexes = [models.Index(fields=["owner", "status"], name="hc_followup_owner")]


class Reminder(models.Model):
    """A task for staff about one person: booking reminders, hard-to-reach notices."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=300)
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="reminders")

    class Meta:
        indexes = [models.Index(fields=["owner", "done_at"], name="hc_reminder_owner")]


class HealthPlan(models.Model):
    """The person's own plan after their check: what matters to them, the goals and follow-ups they chose."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="health_plan")
    what_matters = models.TextField(max_length=2000, blank=True, validators=[validate_no_markup])
    goals = models.TextField(max_length=2000, blank=True, validators=[validate_no_markup])
    agreed_with_person = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class RegisterUpdateFile(models.Model):
    """A register update for one practice: kept, marked sent, acknowledged. A re-send is its own file."""

    practice = models.ForeignKey("directory.Practice", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content = models.TextField()
    rows = models.PositiveIntegerField()
    resend_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class CodedResult(models.Model):
    """One result of a check waiting to go back to the practice; `update_file` set once a file is made. Every
    element a check records has one (data/check_elements.csv); one with no SNOMED CT code there has an empty
    `snomed_code`: it is never written to the file, and the register updates page names it as not sent."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    practice = models.ForeignKey("directory.Practice", on_delete=models.PROTECT, related_name="+")
    check_record = models.ForeignKey(HealthCheck, on_delete=models.PROTECT, related_name="coded_results")
    date = models.DateField()
    element = models.CharField(max_length=40, blank=True)
    snomed_code = models.CharField(max_length=20, blank=True)
    description = models.CharField(max_length=200)
    value = models.CharField(max_length=20, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    update_file = models.ForeignKey(
        RegisterUpdateFile, null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )

    class Meta:
        indexes = [models.Index(fields=["practice", "update_file"], name="hc_result_pending")]
