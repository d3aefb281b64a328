from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
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


class CareTeamInvolvement(models.Model):
    """Why someone is on a person's care team: which service took the person on with them, in what role, and
    when it started and ended. Kept for history, never deleted. A member stays on the care team while any of
    their involvements is current; the care team page shows each service and role."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="care_team_involvements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(max_length=20)  # joinedup.core.models.Service
    role = models.CharField(max_length=120)
    started = models.DateField(default=timezone.localdate)
    ended = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started", "id"]
        indexes = [models.Index(fields=["person", "user"], name="involvement_person_user")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user", "service", "role"],
                condition=models.Q(ended__isnull=True),
                name="one_current_involvement_per_role",
            )
        ]

    @property
    def service_label(self) -> str:
        from joinedup.core.models import Service

        return Service(self.service).label if self.service in Service.values else self.service


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


class ImmutableVersion(Exception):
    """An agreed care plan version cannot be changed or deleted: a new draft starts from it instead."""


class KeyWorkerChange(models.Model):
    """Each time a person's key worker is named or changed: who from, who to, why, and the handover note."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="key_worker_changes")
    previous = models.ForeignKey(CareTeamMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    new = models.ForeignKey(CareTeamMember, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=2000)
    handover_note = models.TextField(max_length=5000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]


class PersonNotification(models.Model):
    """A message for the person, kept on their record; the person's portal reads these later."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=40)
    message = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"


class Participation(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video call"
    ADVOCATE = "advocate", "Through an advocate"
    CARER = "carer", "With a carer or family member, with the person's permission"
    WRITTEN = "written", "In writing"
    # Agreed by the person in their own Joined Up (joinedup/portal): no member of staff recorded it.
    SELF = "self", "By the person themself, in their own Joined Up"


class NeedDomain(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    HOUSING = "housing", "Housing"
    MONEY = "money", "Money"
    WORK_LEARNING = "work_learning", "Work and learning"
    RELATIONSHIPS = "relationships", "Relationships and social contact"
    SUBSTANCE_USE = "substance_use", "Substance use"
    SAFETY = "safety", "Safety"


class PlanSection(models.TextChoices):
    """The parts of a plan a person may choose to share with each kind of organisation outside the NHS."""

    WHAT_MATTERS = "what_matters", "What matters to me"
    STRENGTHS = "strengths", "My strengths and the people and community around me"
    GOALS = "goals", "My goals"
    NEEDS = "needs", "My needs"
    ACTIONS = "actions", "Who does what by when"
    STAYING_WELL = "staying_well", "Staying well and my crisis plan"
    OUTCOMES = "outcomes", "How I am doing (DIALOG and goal scores)"


class CarePlanVersion(models.Model):
    """One version of a person's care and support plan. A draft is edited (each save bumps `revision`, so a
    stale form is refused); agreeing it freezes it for good. The next draft starts as a copy of it."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="care_plan_versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1)

    what_matters = models.TextField(blank=True, max_length=5000)
    strengths = models.TextField(blank=True, max_length=5000)
    needs = models.JSONField(default=dict, blank=True)  # NeedDomain value -> text
    early_signs = models.TextField(blank=True, max_length=3000)
    what_helps = models.TextField(blank=True, max_length=3000)
    crisis_contacts = models.TextField(blank=True, max_length=3000)
    out_of_hours = models.TextField(blank=True, max_length=2000)
    review_date = models.DateField(null=True, blank=True)
    # ConsentKind value (not NHS) -> list of PlanSection values the person agreed to share with that kind.
    sharing = models.JSONField(default=dict, blank=True)
    # A draft the person sees (and may agree or ask to change) in their own Joined Up. Off until staff share it.
    shared_with_person = models.BooleanField(default=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    agreed_on = models.DateField(null=True, blank=True)
    participation = models.CharField(max_length=20, choices=Participation.choices, blank=True)
    own_words = models.BooleanField(null=True)
    person_comments = models.TextField(blank=True, max_length=3000)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="one_plan_version_number_per_person"),
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="draft"), name="one_plan_draft_per_person"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(agreed_on__isnull=False, own_words__isnull=False)
                & (models.Q(agreed_by__isnull=False) | models.Q(participation="self"))
                & ~models.Q(participation=""),
                name="agreed_plan_has_agreement",
            ),
        ]

    def __str__(self):
        return f"Care plan version {self.number} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        if self.pk is not None and getattr(self, "_stored_status", None) == PlanStatus.AGREED:
            raise ImmutableVersion("An agreed version of the plan cannot be changed")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if getattr(self, "_stored_status", None) == PlanStatus.AGREED:
            raise ImmutableVersion("An agreed version of the plan cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_agreed(self):
        return self.status == PlanStatus.AGREED

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance


class _PartOfVersion(models.Model):
    """A goal or action belongs to one version; once that version is agreed it cannot change."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard()
        return super().delete(*args, **kwargs)

    def _guard(self):
        if CarePlanVersion.objects.filter(pk=self.version_id, status=PlanStatus.AGREED).exists():
            raise ImmutableVersion("An agreed version of the plan cannot be changed")


class PlanGoal(_PartOfVersion):
    """A goal in the person's own words. `key` stays the same when a new draft copies the goal, so goal
    scores (GBO) follow one goal across versions."""

    version = models.ForeignKey(CarePlanVersion, on_delete=models.CASCADE, related_name="goals")
    key = models.CharField(max_length=32)
    words = models.TextField(max_length=1000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PlanActionQuerySet(models.QuerySet):
    def _completions(self):
        # The completion of an action is recorded against its first row (see PlanActionCompletion).
        first = Coalesce(OuterRef("origin_id"), OuterRef("pk"), output_field=models.BigIntegerField())
        return PlanActionCompletion.objects.filter(action_id=first)

    def with_completion(self):
        """Each action with `done_at` and `done_by_id` (None while it is open)."""
        done = self._completions()
        return self.annotate(
            done_at=Subquery(done.values("done_at")[:1]),
            done_by_id=Subquery(done.values("done_by_id")[:1]),
        )

    def open(self):
        return self.exclude(Exists(self._completions()))


class PlanAction(_PartOfVersion):
    """Who does what by when: the person themselves, or an organisation on their care team.

    `origin` is the row the action was first written as, in an earlier version: a new draft's copy of an action
    points to it (the copy of a copy points to the same first row), and an action written in this version has
    none (it is its own first row). It is what lets progress on the action follow it from version to version
    without the agreed versions being changed (PlanActionCompletion)."""

    version = models.ForeignKey(CarePlanVersion, on_delete=models.CASCADE, related_name="actions")
    origin = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.TextField(max_length=1000)
    owner_is_person = models.BooleanField(default=False)
    owner_organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due = models.DateField()
    position = models.PositiveIntegerField(default=0)
    # An action agreed at an EMDT discussion (on its first row only): done there is done here, and the other way.
    emdt_action = models.ForeignKey(
        "meetings.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="plan_actions"
    )
    # Where the action was agreed, shown with it and kept on every later version's copy ("" when written here).
    agreed_at = models.CharField(max_length=200, blank=True)
    agreed_at_link = models.CharField(max_length=300, blank=True)

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        ordering = ["due", "position", "id"]
        indexes = [models.Index(fields=["owner_organisation", "version"], name="planaction_owner")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_is_person=True, owner_organisation__isnull=True)
                | models.Q(owner_is_person=False, owner_organisation__isnull=False),
                name="plan_action_has_one_owner",
            )
        ]

    @property
    def first_row_id(self):
        """The id of the action's first row: what a completion is recorded against."""
        return self.origin_id or self.pk


class PlanActionCompletion(models.Model):
    """An action in the care and support plan has been done: who marked it, when, and an optional note.

    Doing an action is progress, not plan content, so it is its own row and no version of the plan changes
    (agreed versions are immutable). It is recorded against the action's first row (`PlanAction.origin`, or the
    action itself when it has none). Every later version's copy of the action points to that same first row, so
    the copy counts as done too: the completion carries over when a new draft is started and agreed, and the
    earlier versions show it as done as well. An action removed from a draft and written again is a new action.
    One completion per action (unique), so an action cannot be marked done twice."""

    action = models.OneToOneField(PlanAction, on_delete=models.PROTECT, related_name="+")
    # Empty when the person marked their own action done themself, in their own Joined Up (joinedup/portal).
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    done_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(max_length=1000, blank=True)

    def __str__(self):
        return f"Plan action {self.action_id} done {self.done_at:%Y-%m-%d}"


class DialogAssessment(models.Model):
    """One DIALOG rating with the person: 11 items, each 1-7 with 'do you want more help with this?'."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="dialog_assessments")
    taken_on = models.DateField()
    # Empty, and self_completed, when the person filled it in themself in their own Joined Up (joinedup/portal).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    self_completed = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "id"]
        indexes = [models.Index(fields=["person", "taken_on"], name="dialog_person_date")]


class DialogRating(models.Model):
    assessment = models.ForeignKey(DialogAssessment, on_delete=models.CASCADE, related_name="ratings")
    item = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    more_help = models.BooleanField()

    class Meta:
        ordering = ["item"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_dialog_rating_per_item"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=7), name="dialog_score_1_to_7"),
            models.CheckConstraint(condition=models.Q(item__gte=1, item__lte=11), name="dialog_item_1_to_11"),
        ]


class GoalRating(models.Model):
    """A Goal Based Outcomes rating: progress towards one of the plan's goals, 0 to 10."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="goal_ratings")
    goal_key = models.CharField(max_length=32)
    goal_words = models.TextField(max_length=1000)  # the goal as it read when rated
    rated_on = models.DateField()
    score = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rated_on", "id"]
        indexes = [models.Index(fields=["person", "goal_key", "rated_on"], name="gbo_person_goal_date")]
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=10), name="gbo_score_0_to_10")]


class ReqolScore(models.Model):
    """A licensed ReQoL total score only: the items are licensed and not held here."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="reqol_scores")
    items = models.PositiveSmallIntegerField(choices=[(10, "ReQoL-10"), (20, "ReQoL-20")])
    total = models.PositiveSmallIntegerField()
    taken_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["taken_on", "id"]
