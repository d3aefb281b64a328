"""Changes to a person's care team. Key working (issue: key workers and plans) builds on these."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.timeline import Service, timeline_add
from joinedup.core.validators import validate_no_markup
from joinedup.people.services import NotAllowed

from .models import CareTeamMember, LevelOfCare, LevelOfCareChange


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
        summary=f"{member.name} left the care team" + (f": {reason}" if reason else ""),
        by=by,
    )
    forget(by)
    return member


@transaction.atomic
def level_of_care_change(*, by, person, level, reason) -> LevelOfCareChange:
    """Step care up or down. Nothing else about the person changes: no new paperwork, no repeated story."""
    if not may(by, Perm.EDIT_RECORD, person):
        raise NotAllowed(Perm.EDIT_RECORD)
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
    timeline_add(person=person, service=Service.CARE, kind="level_of_care", summary=f"{summary}. {reason}"[:500], by=by)
    return change
