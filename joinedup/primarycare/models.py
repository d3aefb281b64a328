"""Primary care mental health practitioners (MHPs) in primary care networks: GP requests, caseloads,
assessments, short-term intervention sessions, onward referrals, discharge, and advice to GPs.

Every row is written by services.py, which keeps the audit trail and the person's timeline in step.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from joinedup.core.validators import validate_no_markup

from .rules import choices


def _text(verbose_name, *, max_length=4000, blank=False, **kwargs):
    return models.TextField(verbose_name, max_length=max_length, blank=blank, validators=[validate_no_markup], **kwargs)


class GpRequest(models.Model):
    """A GP's (or practice staff member's) question to the PCN's mental health practitioners about a patient."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for an answer"
        ADVICE_GIVEN = "advice_given", "Advice given"
        ADDED_TO_CASELOAD = "added_to_caseload", "Added to the caseload"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="gp_requests")
    practice = models.ForeignKey("directory.Practice", on_delete=models.PROTECT, related_name="+")
    pcn = models.ForeignKey("directory.Pcn", on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = _text("the question", max_length=2000)
    asked_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        indexes = [models.Index(fields=["pcn", "status"], name="pc_request_pcn_status")]


class Episode(models.Model):
    """A period on an MHP's caseload, from being added to discharge."""

    class Source(models.TextChoices):
        GP_REQUEST = "gp_request", "GP's request"
        MHP = "mhp", "Added by the practitioner"

    class Status(models.TextChoices):
        OPEN = "open", "On the caseload"
        DISCHARGED = "discharged", "Discharged"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="primary_care_episodes")
    pcn = models.ForeignKey("directory.Pcn", on_delete=models.PROTECT, related_name="+")
    mhp = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_care_caseload")
    source = models.CharField(max_length=20, choices=Source.choices)
    request = models.OneToOneField(GpRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="episode")
    reason = _text("why they were added", max_length=2000)
    opened_on = models.DateField(default=timezone.localdate)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=choices("discharge_reasons"), blank=True)
    discharge_summary = _text("summary for the GP", blank=True)
    gp_follow_up = _text("what the GP should do next", max_length=2000, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Optimistic concurrency for discharge: a stale form is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["mhp", "status"], name="pc_episode_mhp_status"),
            models.Index(fields=["pcn", "status"], name="pc_episode_pcn_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="open"), name="pc_one_open_episode_per_person"
            )
        ]

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class Assessment(models.Model):
    """The MHP's structured assessment. A later assessment in the same episode supersedes the earlier one."""

    class Baseline(models.TextChoices):
        DIALOG = "dialog", "DIALOG taken"
        GBO = "gbo", "Goal Based Outcomes taken"
        BOTH = "both", "DIALOG and Goal Based Outcomes taken"
        LATER = "later", "Not yet: to take at a later session"
        NOT_APPROPRIATE = "not_appropriate", "Not appropriate for this person now"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # {need domain code: what the person and practitioner said}, only domains with a need.
    needs = models.JSONField(default=dict)
    risk_summary = _text("risk summary", max_length=2000)
    what_matters = _text("what matters to the person", max_length=2000)
    baseline = models.CharField(max_length=20, choices=Baseline.choices)
    baseline_note = _text("note about the baseline measure", max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-id"]


class Session(models.Model):
    """One short-term intervention session. Trainee and associate psychologists name their supervising MHP."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="sessions")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    session_type = models.CharField("type of session", max_length=40, choices=choices("session_types"))
    held_on = models.DateField()
    what_was_done = _text("what was done", max_length=4000)
    outcome = _text("outcome", max_length=2000)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_care_sessions_to_review",
    )
    over_limit_reason = _text("reason for a session beyond the limit", max_length=1000, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_comment = _text("supervisor's comment", max_length=2000, blank=True)

    class Meta:
        ordering = ["number", "id"]
        indexes = [models.Index(fields=["supervisor", "reviewed_at"], name="pc_session_supervisor")]
        constraints = [models.UniqueConstraint(fields=["episode", "number"], name="pc_session_number_unique")]


class OnwardReferral(models.Model):
    """Where the MHP referred the person on to. EMDT requests and peer support referrals continue in their own
    flows (referrals, peersupport); this row records the MHP's decision and shows on the timeline."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="onward_referrals")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("refer to", max_length=30, choices=choices("onward_referral_kinds"))
    service_name = models.CharField(
        "service or organisation", max_length=200, blank=True, validators=[validate_no_markup]
    )
    reason = _text("why", max_length=2000)
    referred_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-referred_on", "-id"]


class Advice(models.Model):
    """Advice an MHP gave a GP or practice staff member about a person with complex needs. The person need not be
    on the caseload: findable from the person and from the practice."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="gp_advice")
    practice = models.ForeignKey("directory.Practice", on_delete=models.PROTECT, related_name="+")
    request = models.OneToOneField(GpRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="advice")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asked_by_name = models.CharField("who asked", max_length=200, validators=[validate_no_markup])
    question = _text("the question", max_length=2000)
    advice = _text("the advice", max_length=4000)
    follow_up = _text("follow-up", max_length=1000, blank=True)
    follow_up_by = models.DateField(null=True, blank=True)
    given_on = models.DateField()
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["practice", "-given_on"], name="pc_advice_practice")]
