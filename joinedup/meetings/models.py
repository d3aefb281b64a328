"""EMDT meetings, their agendas and attendance, and the outcome of each case discussion."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from joinedup.care.models import LevelOfCare
from joinedup.core.validators import validate_no_markup


class Meeting(models.Model):
    """One meeting of an EMDT: when, where (a place, a video link or both) and how many people it can discuss."""

    team = models.ForeignKey("directory.Team", on_delete=models.PROTECT, related_name="emdt_meetings")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True, validators=[validate_no_markup])
    video_link = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Cancelled, never deleted: the people on its agenda were moved to a later meeting, each move kept.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True, validators=[validate_no_markup])

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["team", "starts_at"], name="meeting_team_starts")]

    def __str__(self):
        return f"{self.team} meeting on {self.starts_at:%Y-%m-%d}"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class ItemKind(models.TextChoices):
    NEW = "new", "New request"
    REVIEW = "review", "Review"


class ItemState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    MOVED = "moved", "Moved to a later meeting"
    DISCUSSED = "discussed", "Discussed"


# Items that take a place on an agenda (a moved item has left it).
TAKES_A_PLACE = (ItemState.SCHEDULED, ItemState.DISCUSSED)


class TookPart(models.TextChoices):
    LED = "led", "Attended and led the discussion"
    TOOK_PART = "took_part", "Attended and took part"
    WORDS_SHARED = "words_shared", "Did not attend: their words were shared"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


class AgendaItem(models.Model):
    """A person on a meeting's agenda, for a new request or a review. Moving them keeps this row (state
    'moved', pointing at the new item) so the history shows every meeting they were placed on."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="emdt_agenda_items")
    request = models.ForeignKey(
        "referrals.EmdtRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.SCHEDULED)
    moved_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="moved_from")
    move_reason = models.CharField(max_length=500, blank=True, validators=[validate_no_markup])
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # The person leads: what they want from the discussion, in their own words, recorded before the meeting.
    person_words = models.TextField(max_length=4000, blank=True, validators=[validate_no_markup])
    person_words_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_words_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting__starts_at", "id"]
        indexes = [
            models.Index(fields=["meeting", "state"], name="agenda_meeting_state"),
            models.Index(fields=["person", "state"], name="agenda_person_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=models.Q(state__in=TAKES_A_PLACE),
                name="one_place_per_person_per_meeting",
            )
        ]

    def __str__(self):
        return f"{self.person} on {self.meeting}"


class AttendeeKind(models.TextChoices):
    # The EMDT's core members (What's on offer, LSC community mental health transformation).
    MHP = "mhp", "Mental health practitioner from general practice"
    COMMUNITY_MENTAL_HEALTH = "community_mental_health", "Community mental health staff"
    VCFSE = "vcfse", "VCFSE professional"
    PEER_SUPPORT = "peer_support", "Peer support service"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    # Brought in when needed, usually for one person's needs.
    INVITED = "invited", "Invited professional"


CORE_KINDS = (
    AttendeeKind.MHP,
    AttendeeKind.COMMUNITY_MENTAL_HEALTH,
    AttendeeKind.VCFSE,
    AttendeeKind.PEER_SUPPORT,
    AttendeeKind.LOCAL_AUTHORITY,
)


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    name = models.CharField(max_length=200, validators=[validate_no_markup])
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=AttendeeKind.choices)
    service = models.ForeignKey(
        "directory.EmdtService", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "id"]


class CaseDiscussion(models.Model):
    """The outcome of discussing one person at one meeting."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="discussion")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="emdt_discussions")
    took_part = models.CharField(max_length=20, choices=TookPart.choices)
    took_part_note = models.CharField(max_length=1000, blank=True, validators=[validate_no_markup])
    discussion = models.TextField(max_length=6000, validators=[validate_no_markup])
    plan_changes = models.TextField(max_length=4000, blank=True, validators=[validate_no_markup])
    key_worker_name = models.CharField(max_length=200, blank=True)
    # The level the discussion moved the person to ("" when it did not change it).
    level_of_care = models.CharField(max_length=20, blank=True, choices=LevelOfCare.choices)
    next_review = models.DateField(null=True, blank=True)
    # The review is on a later agenda once this points at its item; until then it is due.
    review_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="review_of"
    )
    summary_for_person = models.TextField(max_length=6000, validators=[validate_no_markup])
    summary_for_gp = models.TextField(max_length=6000, validators=[validate_no_markup])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["next_review"], name="discussion_next_review")]


class Action(models.Model):
    """An action agreed at a case discussion, with its owner: a named person, or an organisation on the person's
    care team (no named person). It shows in the owner's task list (each care team member from the organisation's)
    until done."""

    discussion = models.ForeignKey(CaseDiscussion, on_delete=models.PROTECT, related_name="actions")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="emdt_actions")
    description = models.CharField(max_length=500, validators=[validate_no_markup])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emdt_actions", null=True, blank=True
    )
    owner_organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.CharField(max_length=1000, blank=True, validators=[validate_no_markup])

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["owner", "done_at", "due"], name="action_owner_open")]

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due < timezone.localdate()
