"""Requests for EMDT support and their triage.

A request moves through the states in TRANSITIONS (the one list of allowed moves). Each move is an
immutable EmdtRequestTransition row with who, when and a note: waiting times are computed from these rows.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from joinedup.core.validators import validate_no_markup


class AppendOnlyError(Exception):
    pass


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for triage"
    MORE_INFORMATION_REQUESTED = "more_information_requested", "More information requested"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DISCUSSED = "discussed", "Discussed"
    CLOSED = "closed", "Closed"


# The allowed transitions, in one place. A referrer answering a question sends the request back to triage.
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestState.SUBMITTED: frozenset(
        {RequestState.ACCEPTED, RequestState.MORE_INFORMATION_REQUESTED, RequestState.DECLINED}
    ),
    RequestState.MORE_INFORMATION_REQUESTED: frozenset({RequestState.SUBMITTED}),
    RequestState.ACCEPTED: frozenset({RequestState.DISCUSSED, RequestState.CLOSED}),
    RequestState.DISCUSSED: frozenset({RequestState.CLOSED}),
    RequestState.DECLINED: frozenset(),
    RequestState.CLOSED: frozenset(),
}

# Open requests block a second request for the same person to the same EMDT.
OPEN_STATES = (RequestState.SUBMITTED, RequestState.MORE_INFORMATION_REQUESTED, RequestState.ACCEPTED)
# A decision is the first move out of triage: accepted or declined.
DECISION_STATES = (RequestState.ACCEPTED, RequestState.DECLINED)


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent"
    ROUTINE = "routine", "Routine"


URGENCY_RANK = {Urgency.URGENT: 0, Urgency.ROUTINE: 1}


class WantsToAttend(models.TextChoices):
    YES = "yes", "Yes, they want to attend"
    NO = "no", "No, they do not want to attend"
    NOT_SURE = "not_sure", "Not sure yet"


class EmdtRequest(models.Model):
    """A mental health practitioner's request for the help of an enhanced multi-disciplinary team."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="emdt_requests")
    team = models.ForeignKey("directory.Team", on_delete=models.PROTECT, related_name="emdt_requests")
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emdt_requests")
    referrer_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Criterion 1: complex needs needing support from more than one organisation or professional.
    complex_needs = models.TextField(max_length=4000, validators=[validate_no_markup])
    services = models.ManyToManyField("directory.EmdtService", related_name="emdt_requests")
    # Criterion 2: why the current care plan does not reflect the person's needs.
    care_plan_gap = models.TextField(max_length=4000, validators=[validate_no_markup])
    other_emdt_reason = models.TextField(max_length=2000, blank=True, validators=[validate_no_markup])
    consent_to_discuss = models.BooleanField()
    wants_to_attend = models.CharField(max_length=10, choices=WantsToAttend.choices)
    risks = models.TextField(max_length=4000, blank=True, validators=[validate_no_markup])
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    # 0 urgent, 1 routine: the triage queue sorts on it, then on submitted_at.
    priority = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=30, choices=RequestState.choices, default=RequestState.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    # What the EMDT recommends instead, when it declines: nobody is bounced without a next step.
    recommendation = models.TextField(max_length=4000, blank=True, validators=[validate_no_markup])
    # The open question to the referrer, while more information is requested.
    question = models.TextField(max_length=4000, blank=True, validators=[validate_no_markup])

    class Meta:
        ordering = ["priority", "submitted_at", "id"]
        indexes = [
            models.Index(fields=["team", "state", "priority", "submitted_at"], name="emdt_request_queue"),
            models.Index(fields=["person", "-submitted_at"], name="emdt_request_person"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "team"],
                condition=models.Q(state__in=OPEN_STATES),
                name="one_open_emdt_request_per_person_and_team",
            )
        ]

    def __str__(self):
        return f"EMDT request for {self.person} to {self.team}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EmdtRequestTransition(models.Model):
    """One move of a request from one state to another. Never changed or deleted."""

    request = models.ForeignKey(EmdtRequest, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField(max_length=30, choices=RequestState.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=RequestState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="emdt_transition_request_at")]

    def __str__(self):
        return f"{self.from_state or 'new'} to {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Request transitions cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Request transitions cannot be deleted")
