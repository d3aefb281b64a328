"""Changes to a person's care team. Key working (issue: key workers and plans) builds on these."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.dates import format_date
from joinedup.core.timeline import Service, timeline_add
from joinedup.core.validators import validate_no_markup
from joinedup.inbox.services import inbox_send_to_key_worker
from joinedup.people.services import NotAllowed

from .models import (
    CarePlanVersion,
    CareTeamInvolvement,
    CareTeamMember,
    DialogAssessment,
    DialogRating,
    GoalRating,
    KeyWorkerChange,
    LevelOfCare,
    LevelOfCareChange,
    NeedDomain,
    Participation,
    PersonNotification,
    PlanAction,
    PlanActionCompletion,
    PlanGoal,
    PlanSection,
    PlanStatus,
    ReqolScore,
)


@transaction.atomic
def care_team_add(
    *, by, person, organisation, role_title, user=None, name="", phone="", email="", is_key_worker=False
) -> CareTeamMember:
    if not may(by, Perm.EDIT_CARE_TEAM, person):
        raise NotAllowed(Perm.EDIT_CARE_TEAM)
    member = CareTeamMember(
        person=person,
        user=user,
        name=name or (user.get_full_name() if user else ""),
        organisation=organisation,
        role_title=role_title,
        phone=phone or (user.phone if user else ""),
        email=email or (user.email if user else ""),
        is_key_worker=is_key_worker,
    )
    member.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as e:
        if is_key_worker:
            raise ValidationError("This person already has an active key worker") from e
        raise ValidationError("This member of staff is already on the care team") from e
    if user is not None:
        _involve(person=person, user=user, service=Service.CARE, role=role_title)
        if is_key_worker:
            _involve(person=person, user=user, service=Service.CARE, role=KEY_WORKER_ROLE)
    audit_record(by=by, action=AuditAction.CREATE, what="care team member", person=person, obj=member)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="care_team_joined",
        summary=f"{member.name} ({member.role_title}, {organisation}) joined the care team",
        by=by,
    )
    forget(by)
    return member


@transaction.atomic
def care_team_end(*, by, member: CareTeamMember, reason: str = "") -> CareTeamMember:
    if not may(by, Perm.EDIT_CARE_TEAM, member.person):
        raise NotAllowed(Perm.EDIT_CARE_TEAM)
    if member.ended:
        raise ValidationError("This person has already left the care team")
    member.ended = timezone.localdate()
    member.save(update_fields=["ended"])
    if member.user_id:  # taken off by hand: every current involvement ends with the membership
        _current_involvements(member.person, member.user).update(ended=member.ended)
    audit_record(
        by=by,
        action=AuditAction.UPDATE,
        what="care team member left",
        person=member.person,
        obj=member,
        reason=reason,
    )
    timeline_add(
        person=member.person,
        service=Service.CARE,
        kind="care_team_left",
        summary=f"{member.name} left the care team",
        detail=reason,
        by=by,
        link=reverse("care:team", args=[member.person_id]),
    )
    forget(by)
    return member


@transaction.atomic
def level_of_care_change(*, by, person, level, reason) -> LevelOfCareChange:
    """Step care up or down. Nothing else about the person changes: no new paperwork, no repeated story.
    Only the clinical roles that step care may (not peer support, outreach, practice staff or trainees)."""
    if not may(by, Perm.CHANGE_LEVEL_OF_CARE, person):
        raise NotAllowed(Perm.CHANGE_LEVEL_OF_CARE)
    if level not in LevelOfCare.values:
        raise ValidationError({"level": "Select a level of care"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the change"})
    validate_no_markup(reason)
    current = LevelOfCareChange.objects.filter(person=person).order_by("-at", "-id").first()
    if current and current.level == level:
        raise ValidationError({"level": f"The person is already at this level ({current.get_level_display()})"})
    change = LevelOfCareChange.objects.create(
        person=person, level=level, previous_level=current.level if current else "", reason=reason, decided_by=by
    )
    label = LevelOfCare(level).label
    summary = f"Level of care: {LevelOfCare(current.level).label} to {label}" if current else f"Level of care: {label}"
    audit_record(by=by, action=AuditAction.UPDATE, what="level of care", person=person, obj=change, reason=reason)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="level_of_care",
        summary=summary,
        detail=reason,
        by=by,
        link=reverse("care:level", args=[person.pk]),
    )
    inbox_send_to_key_worker(
        kind="level_of_care_changed",
        key=str(change.pk),
        source="Level of care changed",
        why=f"{(by.get_full_name() or by.username) if by else 'Someone'} changed the level of care: {summary[15:]}. "
        f"Reason: {reason}",
        person=person,
        link=reverse("care:level", args=[person.pk]),
        by=by,
    )
    return change


# --- Joining and leaving through the services that take a person on ------------------------------------------

KEY_WORKER_ROLE = "Key worker"


def _current_involvements(person, user):
    return CareTeamInvolvement.objects.filter(person=person, user=user, ended__isnull=True)


def _involve(*, person, user, service, role) -> bool:
    """Record that `user` is involved with `person` through `service` in `role`; False if they already were."""
    role = role[:120]
    if _current_involvements(person, user).filter(service=service, role=role).exists():
        return False
    CareTeamInvolvement.objects.create(person=person, user=user, service=service, role=role)
    return True


@transaction.atomic
def care_team_join(*, by, person, user, service, role, reason="") -> CareTeamMember | None:
    """A service has taken the person on with `user` (an MHP's caseload, an EMDT discussion, a peer support
    allocation, an outreach claim): `user` joins the care team, or stays on it with one more involvement.
    Called from inside the calling service's transaction, which has already checked its own permission: that
    permission is what lets the care team change here. Joining twice changes nothing. Staff without a team
    (so without an organisation) are not added: returns None."""
    membership = user.primary_membership
    if membership is None:
        return None
    member = CareTeamMember.objects.select_for_update().filter(person=person, user=user, ended__isnull=True).first()
    if member is not None and not _current_involvements(person, user).exists():
        # Already on the team from before involvements were kept, or by hand: keep that reason for them too.
        _involve(person=person, user=user, service=Service.CARE, role=member.role_title)
    added = _involve(person=person, user=user, service=service, role=role)
    label = Service(service).label
    if member is None:
        member = CareTeamMember(
            person=person,
            user=user,
            name=user.get_full_name() or user.username,
            organisation=membership.team.organisation,
            role_title=role[:120],
            phone=user.phone,
            email=user.email,
        )
        member.full_clean(validate_constraints=False)
        member.save()
        audit_record(
            by=by, action=AuditAction.CREATE, what="care team member", person=person, obj=member, reason=reason
        )
        timeline_add(
            person=person,
            service=Service.CARE,
            kind="care_team_joined",
            summary=f"{member.name} ({role}, {label}, {member.organisation}) joined the care team",
            detail=reason,
            by=by,
            link=reverse("care:team", args=[person.pk]),
        )
        forget(user)
    elif added:
        audit_record(
            by=by,
            action=AuditAction.UPDATE,
            what=f"care team member also {role} ({label})",
            person=person,
            obj=member,
            reason=reason,
        )
    return member


@transaction.atomic
def care_team_leave(*, by, person, user, service, role=None, reason="") -> CareTeamMember | None:
    """A service has let the person go (discharge, peer support ended, outreach ended): `user`'s involvement
    through `service` (in `role`, or every role) ends. They leave the care team only when no other involvement
    keeps them on it; a key worker stays until someone else is named. History is kept: rows are ended, never
    deleted. Returns the member if they left, else None."""
    member = CareTeamMember.objects.select_for_update().filter(person=person, user=user, ended__isnull=True).first()
    current = _current_involvements(person, user).filter(service=service)
    if role is not None:
        current = current.filter(role=role[:120])
    today = timezone.localdate()
    if not current.update(ended=today) or member is None:
        return None
    if member.is_key_worker or _current_involvements(person, user).exists():
        return None
    member.ended = today
    member.save(update_fields=["ended"])
    audit_record(
        by=by, action=AuditAction.UPDATE, what="care team member left", person=person, obj=member, reason=reason
    )
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="care_team_left",
        summary=f"{member.name} left the care team ({Service(service).label})",
        detail=reason,
        by=by,
        link=reverse("care:team", args=[person.pk]),
    )
    forget(user)
    return member


# Stepped care: a service taking someone on records its level, but never steps down from a higher one.
LEVEL_STEP = {LevelOfCare.DISCHARGED: 0, LevelOfCare.PRIMARY_CARE: 1, LevelOfCare.EMDT: 2, LevelOfCare.CMHT: 3}


def level_of_care_take_on(*, by, person, level, reason) -> LevelOfCareChange | None:
    """Record the level of care a service has taken the person on at, through the same stepped-care service
    as a manual change (its permission, validation, audit and timeline). Someone already at this level or a
    higher one stays where they are: a step down is always a decision made on its own. Only those who may step
    care record it (as for a manual change): otherwise the level is left for them. None if unchanged."""
    from .queries import level_of_care_for

    if not may(by, Perm.CHANGE_LEVEL_OF_CARE, person):
        return None
    current = level_of_care_for(person=person)
    if current is not None and LEVEL_STEP[LevelOfCare(current.level)] >= LEVEL_STEP[LevelOfCare(level)]:
        return None
    return level_of_care_change(by=by, person=person, level=level, reason=reason)


def level_of_care_let_go(*, by, person, level, reason) -> LevelOfCareChange | None:
    """The service that held the person at `level` has let them go: they are discharged, if that service was
    their current level of care. Someone stepped up meanwhile (EMDT, CMHT) keeps their level. None if unchanged."""
    from .queries import level_of_care_for

    current = level_of_care_for(person=person)
    if current is None or current.level != level or not may(by, Perm.CHANGE_LEVEL_OF_CARE, person):
        return None
    return level_of_care_change(by=by, person=person, level=LevelOfCare.DISCHARGED, reason=reason)


# --- Key workers -------------------------------------------------------------------------------------------


def _clean_text(value, field, *, required_message="", max_length=5000):
    value = (value or "").strip()
    if required_message and not value:
        raise ValidationError({field: required_message})
    if len(value) > max_length:
        raise ValidationError({field: f"Must be {max_length:,} characters or fewer"})
    try:
        validate_no_markup(value)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None
    return value


def _notify(*, person, kind, message, by):
    return PersonNotification.objects.create(person=person, kind=kind, message=message[:2000], created_by=by)


def _hands_over_for_a_leaver(by, person) -> bool:
    """Handing over after someone leaves (joinedup/staff): an administrator, who reads no records, may name a new
    key worker only while the person's key worker is a leaver whose account that administrator runs."""
    if not may(by, Perm.MANAGE_USERS):
        return False
    from joinedup.staff.scope import may_run_user

    current = (
        CareTeamMember.objects.filter(person=person, is_key_worker=True, ended__isnull=True)
        .select_related("user")
        .first()
    )
    return (
        current is not None
        and current.user is not None
        and not current.user.is_active
        and may_run_user(by, current.user)
    )


@transaction.atomic
def key_worker_assign(*, by, person, user, reason, handover_note, role_title="", phone="", email="") -> KeyWorkerChange:
    """Name the person's key worker: their single point of contact. The previous key worker (if any) stops
    being key worker but stays on the care team; both periods are kept, with the reason and handover note."""
    if not may(by, Perm.EDIT_CARE_TEAM, person) and not _hands_over_for_a_leaver(by, person):
        raise NotAllowed(Perm.EDIT_CARE_TEAM)
    reason = _clean_text(reason, "reason", required_message="Enter the reason for the change", max_length=2000)
    membership = user.primary_membership if user is not None else None
    if membership is None:
        raise ValidationError({"user": "Select a member of staff with a current role in a team"})
    # Lock the person's key worker rows so two changes at once cannot both end the same key worker.
    current = (
        CareTeamMember.objects.select_for_update()
        .filter(person=person, is_key_worker=True, ended__isnull=True)
        .select_related("organisation")
        .first()
    )
    if current is not None and current.user_id == user.pk:
        raise ValidationError({"user": f"{current.name} is already the key worker"})
    handover_note = _clean_text(
        handover_note,
        "handover_note",
        required_message="Enter a handover note for the new key worker" if current else "",
    )
    today = timezone.localdate()
    if current is not None:
        current.ended = today
        current.save(update_fields=["ended"])
        # The previous key worker stays on the care team, no longer as key worker.
        CareTeamMember.objects.create(
            person=person,
            user=current.user,
            name=current.name,
            organisation=current.organisation,
            role_title=current.role_title,
            phone=current.phone,
            email=current.email,
            is_key_worker=False,
        )
    existing = CareTeamMember.objects.filter(person=person, user=user, ended__isnull=True).first()
    if existing is not None:
        existing.ended = today
        existing.save(update_fields=["ended"])
    new = CareTeamMember(
        person=person,
        user=user,
        name=user.get_full_name() or user.username,
        organisation=membership.team.organisation,
        role_title=role_title or (existing.role_title if existing else membership.get_role_display())[:120],
        phone=phone or user.phone or (existing.phone if existing else ""),
        email=email or user.email or (existing.email if existing else ""),
        is_key_worker=True,
    )
    new.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as e:  # someone else named a key worker at the same moment
        raise ValidationError("Someone else changed the key worker just now. Check the care team and try again") from e
    if current is not None and current.user_id:
        # Still on the care team (see above), through whatever else involves them, or as the role they held.
        _current_involvements(person, current.user).filter(role=KEY_WORKER_ROLE).update(ended=today)
        if not _current_involvements(person, current.user).exists():
            _involve(person=person, user=current.user, service=Service.CARE, role=current.role_title)
    _involve(person=person, user=user, service=Service.CARE, role=KEY_WORKER_ROLE)
    change = KeyWorkerChange.objects.create(
        person=person, previous=current, new=new, reason=reason, handover_note=handover_note, by=by
    )
    contact = " or ".join(x for x in (new.phone, new.email) if x) or "through the care team"
    _notify(
        person=person,
        kind="key_worker",
        message=f"Your key worker is now {new.name} ({new.role_title}, {new.organisation.name}). "
        f"They are your main contact: {contact}.",
        by=by,
    )
    audit_record(by=by, action=AuditAction.UPDATE, what="key worker", person=person, obj=change, reason=reason)
    from joinedup.messaging.services import key_worker_message_queue

    key_worker_message_queue(change=change, by=by)
    summary = f"Key worker changed from {current.name} to {new.name}" if current else f"{new.name} named as key worker"
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="key_worker",
        summary=summary,
        detail=reason,
        by=by,
        link=reverse("care:key_worker", args=[person.pk]),
    )
    forget(by)
    forget(user)
    return change


# --- The care and support plan -------------------------------------------------------------------------------

REVIEW_MONTHS = 6
SHAREABLE_KINDS = ("vcfse", "local_authority", "peer_support")  # ConsentKind values outside the NHS
TEXT_SECTIONS = ("what_matters", "strengths", "early_signs", "what_helps", "crisis_contacts", "out_of_hours")


class PlanConflict(Exception):
    """Someone else saved the draft after this form was opened. The later save is refused; `changes` says
    what is different between what is saved now and what this person tried to save."""

    def __init__(self, current, changes):
        super().__init__("The draft was changed by someone else after you opened it")
        self.current = current
        self.changes = changes


def add_months(day, months):
    import calendar

    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _plan_link(person):
    from django.urls import reverse

    return reverse("care:plan", args=[person.pk])


def _require_plan(by, person):
    if not may(by, Perm.EDIT_CARE_PLAN, person):
        raise NotAllowed(Perm.EDIT_CARE_PLAN)


def _validate_review_date(review_date, *, from_day=None):
    today = timezone.localdate()
    from_day = from_day or today
    if review_date is None:
        return
    if review_date < today:
        raise ValidationError({"review_date": "Review date must be today or in the future"})
    latest = add_months(from_day, REVIEW_MONTHS)
    if review_date > latest:
        raise ValidationError(
            {"review_date": f"Review date must be within {REVIEW_MONTHS} months (by {latest.day} {latest:%B %Y})"}
        )


def _locked_draft(draft) -> CarePlanVersion:
    current = CarePlanVersion.objects.select_for_update().get(pk=draft.pk)
    if current.status != PlanStatus.DRAFT:
        raise ValidationError("This version has been agreed and cannot be changed. Start a new draft to change it")
    return current


def _touch(draft, by):
    draft.revision += 1
    draft.updated_by = by
    draft.updated_at = timezone.now()
    draft.save(update_fields=["revision", "updated_by", "updated_at"])


def latest_agreed(person):
    return CarePlanVersion.objects.filter(person=person, status=PlanStatus.AGREED).order_by("-number").first()


@transaction.atomic
def plan_draft_start(*, by, person) -> CarePlanVersion:
    """Start a draft: a copy of the last agreed version (goals keep their identity), or an empty plan."""
    _require_plan(by, person)
    # Lock the person row so two people starting a draft at once make one draft, not two.
    type(person).objects.select_for_update().filter(pk=person.pk).first()
    if CarePlanVersion.objects.filter(person=person, status=PlanStatus.DRAFT).exists():
        raise ValidationError("There is already a draft of this plan: carry on with it")
    source = latest_agreed(person)
    last_number = CarePlanVersion.objects.filter(person=person).order_by("-number").values_list("number", flat=True)
    number = (last_number.first() or 0) + 1
    draft = CarePlanVersion(person=person, number=number, created_by=by, updated_by=by)
    if source is not None:
        for field in (*TEXT_SECTIONS, "needs", "sharing"):
            setattr(draft, field, getattr(source, field))
    draft.review_date = add_months(timezone.localdate(), REVIEW_MONTHS)
    draft.save()
    if source is not None:
        PlanGoal.objects.bulk_create(
            PlanGoal(version=draft, key=g.key, words=g.words, position=g.position) for g in source.goals.all()
        )
        PlanAction.objects.bulk_create(
            PlanAction(
                version=draft,
                description=a.description,
                owner_is_person=a.owner_is_person,
                owner_organisation_id=a.owner_organisation_id,
                due=a.due,
                position=a.position,
                origin_id=a.first_row_id,  # so the copy is recognised as the same action (done or not)
                agreed_at=a.agreed_at,
                agreed_at_link=a.agreed_at_link,
            )
            for a in source.actions.all()
        )
    what = f"from version {source.number}" if source else "new plan"
    audit_record(by=by, action=AuditAction.CREATE, what=f"care plan draft ({what})", person=person, obj=draft)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="plan_draft",
        summary=f"Care and support plan: draft version {number} started"
        + (f" from agreed version {source.number}" if source else ""),
        by=by,
        link=_plan_link(person),
    )
    return draft


@transaction.atomic
def plan_draft_share(*, by, draft, shared: bool) -> CarePlanVersion:
    """Share the draft with the person in their own Joined Up (there they may agree it or ask for changes), or
    stop sharing it. Sharing again, or stopping twice, changes nothing."""
    _require_plan(by, draft.person)
    current = _locked_draft(draft)
    if current.shared_with_person == shared:
        return current
    current.shared_with_person = shared
    current.save(update_fields=["shared_with_person"])
    person = current.person
    what = "shared with the person" if shared else "no longer shared with the person"
    audit_record(by=by, action=AuditAction.UPDATE, what=f"care plan draft {what}", person=person, obj=current)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="plan_draft_shared",
        summary=f"Care and support plan: draft version {current.number} {what} in their own Joined Up",
        by=by,
        link=_plan_link(person),
    )
    return current


def _sharing_clean(sharing):
    clean = {}
    for kind, sections in (sharing or {}).items():
        if kind not in SHAREABLE_KINDS:
            raise ValidationError({"sharing": f"Unknown kind of organisation: {kind}"})
        bad = [s for s in sections if s not in PlanSection.values]
        if bad:
            raise ValidationError({"sharing": f"Unknown part of the plan: {', '.join(bad)}"})
        clean[kind] = [s for s in PlanSection.values if s in sections]
    return clean


def section_text(version, name) -> str:
    """A section of a version as plain text, for comparing and for conflict messages."""
    if name == "needs":
        return "\n".join(
            f"{NeedDomain(d).label}: {version.needs.get(d, '')}" for d in NeedDomain.values if version.needs.get(d)
        )
    if name == "sharing":
        from joinedup.accounts.roles import ConsentKind

        return "\n".join(
            f"{ConsentKind(k).label}: " + ", ".join(PlanSection(s).label for s in v)
            for k, v in sorted(version.sharing.items())
            if v
        )
    if name == "review_date":
        from joinedup.core.dates import format_date

        return format_date(version.review_date)
    return getattr(version, name)


SAVE_LABELS = {
    "what_matters": "What matters to me",
    "strengths": "My strengths and the people and community around me",
    "needs": "My needs",
    "early_signs": "Early signs that I am becoming unwell",
    "what_helps": "What helps me",
    "crisis_contacts": "Who to contact in a crisis",
    "out_of_hours": "Out of hours",
    "review_date": "Review date",
    "sharing": "Sharing with organisations outside the NHS",
}


@transaction.atomic
def plan_draft_save(*, by, draft, expected_revision, **content) -> CarePlanVersion:
    """Save the draft's sections. A form opened before someone else's save is refused (PlanConflict),
    with what differs, and nothing is written: the earlier save stays, the later text stays in the form."""
    _require_plan(by, draft.person)
    current = _locked_draft(draft)
    proposed = CarePlanVersion(person=current.person, number=current.number, needs={}, sharing={})
    for field in TEXT_SECTIONS:
        if field in content:
            setattr(proposed, field, _clean_text(content[field], field))
        else:
            setattr(proposed, field, getattr(current, field))
    needs = content.get("needs", current.needs) or {}
    unknown = [d for d in needs if d not in NeedDomain.values]
    if unknown:
        raise ValidationError({"needs": f"Unknown need: {', '.join(unknown)}"})
    proposed.needs = {d: _clean_text(needs[d], f"need_{d}", max_length=2000) for d in NeedDomain.values if needs.get(d)}
    proposed.needs = {d: t for d, t in proposed.needs.items() if t}
    proposed.review_date = content.get("review_date", current.review_date)
    if "review_date" in content and content["review_date"] is None:
        raise ValidationError({"review_date": "Enter the review date"})
    if proposed.review_date != current.review_date:
        _validate_review_date(proposed.review_date)
    proposed.sharing = _sharing_clean(content.get("sharing", current.sharing))
    if current.revision != expected_revision:
        changes = [
            {"label": label, "saved": section_text(current, f), "yours": section_text(proposed, f)}
            for f, label in SAVE_LABELS.items()
            if section_text(current, f) != section_text(proposed, f)
        ]
        raise PlanConflict(current, changes)
    changed = [label for f, label in SAVE_LABELS.items() if section_text(current, f) != section_text(proposed, f)]
    if not changed:
        return current
    for field in (*TEXT_SECTIONS, "needs", "review_date", "sharing"):
        setattr(current, field, getattr(proposed, field))
    current.revision += 1
    current.updated_by = by
    current.updated_at = timezone.now()
    current.save()
    audit_record(
        by=by,
        action=AuditAction.UPDATE,
        what=f"care plan draft: {', '.join(changed)}"[:200],
        person=current.person,
        obj=current,
    )
    return current


def _check_revision(current, expected_revision):
    if expected_revision is not None and current.revision != expected_revision:
        raise PlanConflict(current, [])


@transaction.atomic
def plan_goal_add(*, by, draft, words, expected_revision=None) -> PlanGoal:
    """A goal in the person's own words: never a professional's paraphrase, never empty."""
    from uuid import uuid4

    _require_plan(by, draft.person)
    current = _locked_draft(draft)
    _check_revision(current, expected_revision)
    words = _clean_text(words, "words", required_message="Enter the goal in the person's own words", max_length=1000)
    position = current.goals.count() + 1
    goal = PlanGoal.objects.create(version=current, key=uuid4().hex, words=words, position=position)
    _touch(current, by)
    audit_record(by=by, action=AuditAction.UPDATE, what="care plan draft: goal added", person=current.person, obj=goal)
    return goal


@transaction.atomic
def plan_goal_remove(*, by, draft, goal_id) -> None:
    _require_plan(by, draft.person)
    current = _locked_draft(draft)
    goal = current.goals.filter(pk=goal_id).first()
    if goal is None:
        raise ValidationError("That goal is not in this draft")
    goal.delete()
    _touch(current, by)
    audit_record(by=by, action=AuditAction.UPDATE, what="care plan draft: goal removed", person=current.person)


def care_team_organisations(person):
    """The organisations on the person's current care team: the possible owners of a plan action."""
    from joinedup.directory.models import Organisation

    ids = CareTeamMember.objects.filter(person=person, ended__isnull=True).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


@transaction.atomic
def plan_action_add(*, by, draft, description, owner, due, expected_revision=None) -> PlanAction:
    """`owner` is "person" (the person's own action) or an Organisation on their care team."""
    _require_plan(by, draft.person)
    current = _locked_draft(draft)
    _check_revision(current, expected_revision)
    description = _clean_text(description, "description", required_message="Enter what will be done", max_length=1000)
    if owner is None or owner == "":
        raise ValidationError({"owner": "Select who will do this: the person or an organisation on their care team"})
    owner_is_person = owner == "person"
    if not owner_is_person and owner not in care_team_organisations(current.person):
        raise ValidationError({"owner": "The owner must be the person or an organisation on their care team"})
    if due is None:
        raise ValidationError({"due": "Enter the date this will be done by"})
    if due < timezone.localdate():
        raise ValidationError({"due": "The date this will be done by must be today or in the future"})
    action = PlanAction(
        version=current,
        description=description,
        owner_is_person=owner_is_person,
        owner_organisation=None if owner_is_person else owner,
        due=due,
        position=current.actions.count() + 1,
    )
    action.save()
    _touch(current, by)
    audit_record(
        by=by, action=AuditAction.UPDATE, what="care plan draft: action added", person=current.person, obj=action
    )
    _tell_key_worker_of_action(by=by, action=action, person=current.person)
    return action


def _tell_key_worker_of_action(*, by, action, person, where=""):
    who = "the person" if action.owner_is_person else action.owner_organisation.name
    inbox_send_to_key_worker(
        kind="plan_action_added",
        key=str(action.pk),
        source="Care plan action added",
        why=f"{by.get_full_name() or by.username} added an action to the draft care and support plan{where}: "
        f"{action.description} ({who}, by {format_date(action.due)})",
        person=person,
        link=reverse("care:draft", args=[person.pk]),
        by=by,
    )


@transaction.atomic
def plan_actions_from_discussion(*, by, person, actions, agreed_at, link) -> CarePlanVersion | None:
    """Actions agreed at an EMDT discussion become actions of the person's care and support plan, so nobody types
    them again: into the current draft, or a new draft started from the agreed version. Each is linked back to the
    discussion and to its EMDT action, so done in one place is done in the other. Called inside the discussion's
    transaction; the owners are already on the care team (their organisation owns the plan action)."""
    if not actions:
        return None
    _require_plan(by, person)
    draft = CarePlanVersion.objects.select_for_update().filter(person=person, status=PlanStatus.DRAFT).first()
    if draft is None:
        draft = plan_draft_start(by=by, person=person)
    position = draft.actions.count()
    added = []
    for n, emdt_action in enumerate(actions, start=1):
        added.append(
            PlanAction.objects.create(
                version=draft,
                description=emdt_action.description,
                owner_organisation=emdt_action.owner_organisation,
                due=emdt_action.due,
                position=position + n,
                emdt_action=emdt_action,
                agreed_at=agreed_at[:200],
                agreed_at_link=link,
            )
        )
    _touch(draft, by)
    audit_record(
        by=by,
        action=AuditAction.UPDATE,
        what=f"care plan draft: {len(added)} action(s) from the {agreed_at}"[:200],
        person=person,
        obj=draft,
    )
    for action in added:
        _tell_key_worker_of_action(by=by, action=action, person=person, where=f" (agreed at the {agreed_at})")
    return draft


def plan_action_done_elsewhere(*, by, emdt_action, note="") -> None:
    """The EMDT action was marked done: the plan's action made from it is done too (once; kept if it was)."""
    first = PlanAction.objects.filter(emdt_action=emdt_action).first()
    if first is not None and not PlanActionCompletion.objects.filter(action_id=first.pk).exists():
        PlanActionCompletion.objects.create(action_id=first.pk, done_by=by, note=note[:1000])


@transaction.atomic
def plan_action_remove(*, by, draft, action_id) -> None:
    _require_plan(by, draft.person)
    current = _locked_draft(draft)
    action = current.actions.filter(pk=action_id).first()
    if action is None:
        raise ValidationError("That action is not in this draft")
    action.delete()
    _touch(current, by)
    audit_record(by=by, action=AuditAction.UPDATE, what="care plan draft: action removed", person=current.person)


def may_mark_done(by, person):
    """Which of this person's plan actions `by` may mark as done, as a test on an action: staff who may edit the
    plan, any action; otherwise a care team member from the organisation that owns the action (who may read the
    record). The person's own actions are marked by staff who may edit the plan."""
    if may(by, Perm.EDIT_CARE_PLAN, person):
        return lambda action: True
    if not may(by, Perm.VIEW_RECORD, person):
        return lambda action: False
    mine = set(
        CareTeamMember.objects.filter(person=person, user=by, ended__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    return lambda action: action.owner_organisation_id is not None and action.owner_organisation_id in mine


def _done_already(completion) -> str:
    from joinedup.core.dates import format_date

    done_by = completion.done_by
    who = (done_by.get_full_name() or done_by.username) if done_by else "the person themself"
    when = format_date(timezone.localtime(completion.done_at).date())
    return f"This action was already marked as done on {when} by {who}"


@transaction.atomic
def plan_action_mark_done(*, by, action, note="") -> PlanActionCompletion:
    """Record that an action in the current agreed plan has been done. The plan itself is not changed: the
    completion is its own row, recorded against the action's first row, so the copies of the action in later
    versions are done too (see PlanActionCompletion). Marking an action done twice is refused."""
    person = action.version.person
    if not may_mark_done(by, person)(action):
        raise NotAllowed(Perm.EDIT_CARE_PLAN)
    return _mark_done(by=by, action=action, note=note, staff=by)


@transaction.atomic
def plan_action_done_by_person(*, by, action) -> PlanActionCompletion:
    """The person marks one of their own actions done themself, in their own Joined Up (`by` is the portal's visitor,
    never staff). Only the person's own actions."""
    if not action.owner_is_person:
        raise ValidationError("Only your own actions can be marked as done here")
    return _mark_done(by=by, action=action, note="", staff=None, done_by=f" {by.done_by}")


def _mark_done(*, by, action, note, staff, done_by="") -> PlanActionCompletion:
    person = action.version.person
    current = latest_agreed(person)
    if current is None or action.version_id != current.pk:
        raise ValidationError("This action is not in the current agreed plan. Open the plan again to see it")
    note = _clean_text(note, "note", max_length=1000)
    existing = PlanActionCompletion.objects.select_related("done_by").filter(action_id=action.first_row_id).first()
    if existing is not None:
        raise ValidationError(_done_already(existing))
    try:
        with transaction.atomic():
            completion = PlanActionCompletion.objects.create(action_id=action.first_row_id, done_by=staff, note=note)
    except IntegrityError:  # someone else marked it at the same moment
        existing = PlanActionCompletion.objects.select_related("done_by").get(action_id=action.first_row_id)
        raise ValidationError(_done_already(existing)) from None
    first = action if action.origin_id is None else PlanAction.objects.get(pk=action.first_row_id)
    if first.emdt_action_id is not None:  # agreed at an EMDT discussion: done there too
        from joinedup.meetings.services import action_done_elsewhere

        action_done_elsewhere(by=by, action=first.emdt_action, note=note)
    owner = "the person's own action" if action.owner_is_person else f"for {action.owner_organisation.name}"
    audit_record(by=by, action=AuditAction.CREATE, what="care plan action done", person=person, obj=completion)
    # The timeline is read by everyone with access to the record, but the person may not have shared their plan's
    # actions with every organisation: the entry names no action and no note; the plan page shows them to those
    # allowed to see them.
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="plan_action_done",
        summary=f"Care and support plan: an action marked as done ({owner}){done_by}",
        by=by,
        link=_plan_link(person),
    )
    return completion


@transaction.atomic
def plan_agree(
    *, by, draft, agreed_on, participation, own_words, person_comments, expected_revision=None
) -> CarePlanVersion:
    """The person agrees the plan. Recorded: when, how they took part, whether it is in their own words and
    what they said. From here the version is frozen."""
    _require_plan(by, draft.person)
    current = CarePlanVersion.objects.select_for_update().get(pk=draft.pk)
    if current.status == PlanStatus.AGREED:
        raise ValidationError(f"Version {current.number} has already been agreed. Start a new draft to change it")
    _check_revision(current, expected_revision)
    errors = {}
    today = timezone.localdate()
    if agreed_on is None:
        errors["agreed_on"] = "Enter the date the person agreed the plan"
    elif agreed_on > today:
        errors["agreed_on"] = "The date the person agreed the plan must be today or in the past"
    if participation not in Participation.values:
        errors["participation"] = "Select how the person took part"
    if own_words is None:
        errors["own_words"] = "Select whether the plan is in the person's own words"
    try:
        person_comments = _clean_text(
            person_comments,
            "person_comments",
            required_message="Enter the person's comments on the plan, or what they said about it",
            max_length=3000,
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    if not current.goals.exists():
        errors["__all__"] = "Add at least one goal in the person's own words before the plan is agreed"
    if current.review_date is None:
        errors["review_date"] = "Set a review date before the plan is agreed"
    elif current.review_date < today:
        errors["review_date"] = "The review date is in the past: change it before the plan is agreed"
    if errors:
        raise ValidationError(errors)
    current.status = PlanStatus.AGREED
    current.agreed_on = agreed_on
    current.participation = participation
    current.own_words = own_words
    current.person_comments = person_comments
    current.agreed_by = by
    current.agreed_at = timezone.now()
    current.save()
    person = current.person
    audit_record(by=by, action=AuditAction.UPDATE, what="care plan agreed", person=person, obj=current)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="plan_agreed",
        summary=f"Care and support plan version {current.number} agreed with the person "
        f"({Participation(participation).label.lower()}). Review by {section_text(current, 'review_date')}",
        by=by,
        link=_plan_link(person),
    )
    _notify(
        person=person,
        kind="plan_agreed",
        message=f"Your care and support plan (version {current.number}) has been agreed. "
        f"It will be reviewed by {section_text(current, 'review_date')}.",
        by=by,
    )
    from joinedup.messaging.services import plan_copy_queue

    plan_copy_queue(version=current, by=by)
    return current


# --- Outcome measures ----------------------------------------------------------------------------------------


def _outcome_date(value, field):
    if value is None:
        raise ValidationError({field: "Enter the date"})
    if value > timezone.localdate():
        raise ValidationError({field: "The date must be today or in the past"})
    return value


@transaction.atomic
def dialog_record(*, by, person, taken_on, ratings: dict) -> DialogAssessment:
    """`ratings`: item number (1-11) -> (score 1-7, wants more help True/False). All 11 items, or nothing."""
    _require_plan(by, person)
    _outcome_date(taken_on, "taken_on")
    _dialog_check(ratings, who="the person wants")
    return _dialog_save(by=by, person=person, taken_on=taken_on, ratings=ratings, summary="with the person")


def _dialog_check(ratings: dict, *, who: str) -> None:
    from .outcomes import DIALOG_SCALE, dialog_item

    errors = {}
    for item in range(1, 12):
        value = ratings.get(item)
        domain = dialog_item(item).domain.lower()
        if value is None or value[0] is None:
            errors[f"item_{item}"] = f"Select a score (1 to 7) for {domain}"
        elif value[0] not in DIALOG_SCALE:
            errors[f"item_{item}"] = f"The score for {domain} must be from 1 to 7"
        elif value[1] is None:
            errors[f"help_{item}"] = f"Select whether {who} more help with {domain}"
    extra = [k for k in ratings if k not in range(1, 12)]
    if extra:
        errors["__all__"] = "DIALOG has 11 items"
    if errors:
        raise ValidationError(errors)


def _dialog_save(*, by, person, taken_on, ratings, summary, self_completed=False) -> DialogAssessment:
    staff = by if getattr(by, "is_authenticated", False) else None
    assessment = DialogAssessment.objects.create(
        person=person, taken_on=taken_on, recorded_by=staff, self_completed=self_completed
    )
    DialogRating.objects.bulk_create(
        DialogRating(assessment=assessment, item=i, score=ratings[i][0], more_help=bool(ratings[i][1]))
        for i in range(1, 12)
    )
    audit_record(by=by, action=AuditAction.CREATE, what="DIALOG", person=person, obj=assessment)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="dialog",
        # Everyone with a relationship reads the timeline, whatever the person chose to share with their kind of
        # organisation, so it says that an assessment happened; the scores stay behind the outcomes page.
        summary=f"DIALOG assessment recorded {summary}",
        by=by,
        link=_plan_link(person) + "outcomes/",
    )
    return assessment


@transaction.atomic
def dialog_self_record(*, by, person, ratings: dict) -> DialogAssessment:
    """DIALOG filled in by the person themself in their own Joined Up (`by` is the portal's visitor, never staff):
    marked self-completed, taken today."""
    _dialog_check(ratings, who="you want")
    return _dialog_save(
        by=by,
        person=person,
        taken_on=timezone.localdate(),
        ratings=ratings,
        summary=f"{by.done_by} (self-completed), in their own Joined Up",
        self_completed=True,
    )


@transaction.atomic
def gbo_record(*, by, person, rated_on, scores: dict) -> list[GoalRating]:
    """Goal Based Outcomes: `scores` maps a goal's key (one of the plan's current goals) to 0-10."""
    from .outcomes import GBO_SCALE

    _require_plan(by, person)
    _outcome_date(rated_on, "rated_on")
    goals = {g.key: g for g in current_goals(person)}
    if not goals:
        raise ValidationError("The plan has no goals to score yet")
    errors = {}
    for key, score in scores.items():
        if key not in goals:
            errors["__all__"] = "Score only the goals in the person's plan"
        elif score is None:
            continue
        elif score not in GBO_SCALE:
            errors[f"goal_{key}"] = "Each goal score must be from 0 to 10"
    if not any(v is not None for v in scores.values()) and "__all__" not in errors:
        errors["__all__"] = "Score at least one goal from 0 to 10"
    if errors:
        raise ValidationError(errors)
    rows = GoalRating.objects.bulk_create(
        GoalRating(person=person, goal_key=k, goal_words=goals[k].words, rated_on=rated_on, score=v, recorded_by=by)
        for k, v in scores.items()
        if v is not None
    )
    audit_record(by=by, action=AuditAction.CREATE, what="goal based outcomes", person=person)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="gbo",
        # Not the goals' words: the person may not share their goals with every organisation that reads this.
        summary=f"Goal scores recorded for {len(rows)} goal{'s' if len(rows) != 1 else ''}",
        by=by,
        link=_plan_link(person) + "outcomes/",
    )
    return rows


@transaction.atomic
def reqol_record(*, by, person, items, total, taken_on) -> ReqolScore:
    """A licensed ReQoL total only (the items are licensed and not held here)."""
    from .outcomes import REQOL_RANGES

    _require_plan(by, person)
    _outcome_date(taken_on, "taken_on")
    if items not in REQOL_RANGES:
        raise ValidationError({"items": "Select ReQoL-10 or ReQoL-20"})
    if total is None or not 0 <= total <= REQOL_RANGES[items]:
        raise ValidationError({"total": f"The ReQoL-{items} total must be from 0 to {REQOL_RANGES[items]}"})
    score = ReqolScore.objects.create(person=person, items=items, total=total, taken_on=taken_on, recorded_by=by)
    audit_record(by=by, action=AuditAction.CREATE, what="ReQoL total", person=person, obj=score)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="reqol",
        # The total stays behind the outcomes page, which shows it only where the person shares their outcomes.
        summary="ReQoL questionnaire recorded with the person",
        by=by,
        link=_plan_link(person) + "outcomes/",
    )
    return score


def current_goals(person):
    """The goals of the latest agreed plan, or of the draft when nothing is agreed yet."""
    version = latest_agreed(person) or CarePlanVersion.objects.filter(person=person).order_by("-number").first()
    return list(version.goals.all()) if version else []


# --- The person's own responses (joinedup/portal) ---------------------------------------------------------------


@transaction.atomic
def plan_agree_by_person(*, by, draft, comments) -> CarePlanVersion:
    """The person agrees the draft themself, in their own Joined Up. `by` is the portal's visitor (never a staff
    User): recorded as agreement by the person themself (participation SELF, no agreed_by), in their own words."""
    current = CarePlanVersion.objects.select_for_update().get(pk=draft.pk)
    if current.status == PlanStatus.AGREED:
        raise ValidationError("This version of your plan has already been agreed")
    errors = {}
    if not current.goals.exists():
        errors["__all__"] = "Your plan has no goals yet. Ask your key worker to add them with you before you agree it"
    if current.review_date is None or current.review_date < timezone.localdate():
        errors["__all__"] = "Your plan needs a new review date before you agree it. Ask your key worker for changes"
    comments = _clean_text(comments, "comments", max_length=3000)
    if errors:
        raise ValidationError(errors)
    current.status = PlanStatus.AGREED
    current.agreed_on = timezone.localdate()
    current.participation = Participation.SELF
    current.own_words = True
    current.person_comments = comments
    current.agreed_by = None
    current.agreed_at = timezone.now()
    current.save()
    person = current.person
    audit_record(by=by, action=AuditAction.UPDATE, what="care plan agreed by the person", person=person, obj=current)
    timeline_add(
        person=person,
        service=Service.CARE,
        kind="plan_agreed",
        summary=f"Care and support plan version {current.number} agreed {by.done_by}, in their own Joined Up",
        detail=f"Their comments: {comments}" if comments else "",
        link=_plan_link(person) if comments else "",
    )
    return current
