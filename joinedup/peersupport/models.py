"""The peer support service: its workforce, referrals and allocations, contacts, outcomes, and the community
directory of activities and VCFSE offers that workers connect people to.

Outcomes, the rating scale, training modules and directory categories are data (joinedup/peersupport/data/),
not code, so they can change without a migration.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from joinedup.core.validators import validate_no_markup


class WorkerKind(models.TextChoices):
    VOLUNTEER = "volunteer", "Lived-experience volunteer"
    PAID = "paid", "Peer support worker"
    SENIOR = "senior", "Senior peer support worker"


class PeerWorker(models.Model):
    """A member of the peer support workforce: who they work for, where, and how many people they can hold."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_worker")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=WorkerKind.choices)
    localities = models.ManyToManyField("directory.Locality", related_name="peer_workers")
    caseload_limit = models.PositiveSmallIntegerField()
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="supervisees"
    )
    started = models.DateField(default=timezone.localdate)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return f"{self.user.get_full_name()} ({self.get_kind_display()}, {self.organisation})"

    @property
    def is_volunteer(self):
        return self.kind == WorkerKind.VOLUNTEER


class ReferralSource(models.TextChoices):
    MHP = "mhp", "Primary care mental health practitioner"
    EMDT = "emdt", "EMDT discussion"
    KEY_WORKER = "key_worker", "Key worker"
    OTHER = "other", "Other professional"


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a worker"
    ALLOCATED = "allocated", "Allocated"
    CLOSED = "closed", "Closed"


class PeerReferral(models.Model):
    """A referral to the peer support service. Waiting until a senior allocates it; closed when support ends."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="peer_referrals")
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    reason = models.TextField(max_length=2000, validators=[validate_no_markup])
    # The person's EMDT locality when referred (from their practice): where a worker is looked for.
    locality = models.ForeignKey("directory.Locality", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.WAITING)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referred_at", "id"]
        indexes = [models.Index(fields=["status", "locality"], name="peerref_status_locality")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~models.Q(status="closed"),
                name="one_open_peer_referral_per_person",
            )
        ]


class Allocation(models.Model):
    """A person allocated to a worker or volunteer. Active until ended; counts against the worker's caseload."""

    referral = models.ForeignKey(PeerReferral, on_delete=models.PROTECT, related_name="allocations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="peer_allocations")
    worker = models.ForeignKey(PeerWorker, on_delete=models.PROTECT, related_name="allocations")
    started = models.DateField(default=timezone.localdate)
    ended = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True, validators=[validate_no_markup])
    # Given when the worker does not cover the person's locality (e.g. the person asked for them).
    outside_locality_reason = models.CharField(max_length=500, blank=True, validators=[validate_no_markup])
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started", "-id"]
        indexes = [
            models.Index(fields=["worker", "ended"], name="peeralloc_worker_ended"),
            models.Index(fields=["person", "ended"], name="peeralloc_person_ended"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended__isnull=True), name="one_active_peer_allocation"
            )
        ]


class ContactMethod(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    ACCOMPANIED = "accompanied", "Went with the person to an activity or appointment"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    GROUP = "group", "Group session"


class Contact(models.Model):
    """A contact between a worker and the person: when, how long, what was done."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="contacts")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="peer_contacts")
    on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    what_was_done = models.TextField(max_length=4000, validators=[validate_no_markup])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["person", "-on"], name="peercontact_person_on")]


class Offer(models.Model):
    """A community activity or VCFSE offer in the directory. Reference data, not person data."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, help_text="The organisation that runs it")
    category = models.CharField(max_length=30)
    locality = models.ForeignKey("directory.Locality", on_delete=models.PROTECT, related_name="community_offers")
    description = models.TextField(max_length=2000)
    how_to_join = models.CharField(max_length=500)
    accessibility = models.CharField(max_length=500, blank=True)
    where = models.CharField(max_length=200, blank=True)
    when = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    # Lower-case name, provider and description: what free-text search looks in.
    search_text = models.TextField(editable=False, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["locality", "category", "name"], name="offer_locality_category"),
            models.Index(fields=["category", "name"], name="offer_category_name"),
            models.Index(fields=["name", "id"], name="offer_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.provider})"


class OfferLink(models.Model):
    """A person connected to a directory offer by their worker, optionally as part of a contact."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="offer_links")
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="offer_links")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="links")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="offer_links")
    note = models.CharField(max_length=500, blank=True, validators=[validate_no_markup])
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at", "-id"]


class OutcomeRating(models.Model):
    """One outcome rated with the person at one stage (start, review, end) of their peer support."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="outcome_ratings")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="peer_outcome_ratings")
    stage = models.CharField(max_length=10)
    outcome = models.CharField(max_length=40)
    score = models.PositiveSmallIntegerField()
    rated_on = models.DateField()
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rated_on", "id"]
        indexes = [models.Index(fields=["person", "outcome", "rated_on"], name="peeroutcome_person")]


class SupervisionSession(models.Model):
    """Supervision of a worker or volunteer by a senior: who, when, what was talked about, what was agreed."""

    worker = models.ForeignKey(PeerWorker, on_delete=models.PROTECT, related_name="supervision_sessions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    themes = models.TextField(max_length=2000, validators=[validate_no_markup])
    actions = models.TextField(max_length=2000, blank=True, validators=[validate_no_markup])
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]


class TrainingCompletion(models.Model):
    """A worker completed a module of the training and development programme."""

    worker = models.ForeignKey(PeerWorker, on_delete=models.PROTECT, related_name="training")
    module = models.CharField(max_length=40)
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["completed_on", "id"]
        constraints = [models.UniqueConstraint(fields=["worker", "module"], name="one_completion_per_module")]


class Progression(models.Model):
    """A change of role in the workforce, above all a volunteer moving into a paid role."""

    worker = models.ForeignKey(PeerWorker, on_delete=models.PROTECT, related_name="progressions")
    from_kind = models.CharField(max_length=20, choices=WorkerKind.choices)
    to_kind = models.CharField(max_length=20, choices=WorkerKind.choices)
    on = models.DateField()
    note = models.CharField(max_length=500, blank=True, validators=[validate_no_markup])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
