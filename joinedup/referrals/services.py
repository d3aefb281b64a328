"""Every change to an EMDT request: making it, triage (accept, ask, decline), answering, closing.

Each function is one transaction: access check, validation, the change, one immutable transition row,
the audit event and the timeline entry.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import Perm
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.dates import age_on, format_date
from joinedup.core.timeline import Service, timeline_add
from joinedup.core.validators import validate_no_markup
from joinedup.directory.models import EmdtService, Team, TeamKind
from joinedup.inbox.services import inbox_send
from joinedup.people.services import NotAllowed

from .models import (
    OPEN_STATES,
    TRANSITIONS,
    URGENCY_RANK,
    EmdtRequest,
    EmdtRequestTransition,
    RequestState,
    Urgency,
    WantsToAttend,
)

ADULT_AGE = 18
ONLY_PRACTITIONERS = (
    "Only a mental health practitioner (a primary care mental health practitioner or a community mental health "
    "clinician) can request EMDT support. Ask the person's practitioner to make the request."
)
NO_SELF_REFERRAL = (
    "People cannot refer themselves to an EMDT. A mental health practitioner who knows them makes the request."
)


class DuplicateRequest(ValidationError):
    """A second open request for the same person to the same EMDT. Carries the first one."""

    def __init__(self, existing):
        self.existing = existing
        super().__init__(
            f"{existing.person.full_name} already has an open request to {existing.team.name} "
            f"(made {format_date(existing.submitted_at)}, {existing.get_state_display().lower()})"
        )


class TriageConflict(ValidationError):
    """The request moved on while this user was looking at it: nothing was changed."""


def emdt_team_for(person) -> Team | None:
    """The EMDT of the person's registered practice's locality."""
    if person.practice_id is None:
        return None
    return Team.objects.filter(kind=TeamKind.EMDT, locality_id=person.practice.locality_id).order_by("code").first()


def _is_the_person(by, person) -> bool:
    # A person's own account (the portal comes later) or a member of staff who is the person themself.
    if getattr(by, "person_id", None) == person.pk:
        return True
    return bool(by.email and person.email and by.email.strip().lower() == person.email.strip().lower())


def _text(value, field=None) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_no_markup(value)
        except ValidationError as e:
            raise ValidationError({field: e.messages}) if field else e from None
    return value


def _request_link(request) -> str:
    return reverse("referrals:detail", args=[request.person_id, request.pk])


def _move(request, *, to, by, note="", at=None) -> EmdtRequestTransition:
    """The only place a request's state changes: checked against TRANSITIONS, recorded as a row."""
    if to not in TRANSITIONS[request.state]:
        raise TriageConflict(
            f"This request is {request.get_state_display().lower()} now, so it cannot become "
            f"{RequestState(to).label.lower()}. Nothing has been changed."
        )
    at = at or timezone.now()
    row = EmdtRequestTransition.objects.create(
        request=request, from_state=request.state, to_state=to, by=by, at=at, note=note[:4000]
    )
    request.state = to
    request.state_changed_at = at
    return row


@transaction.atomic
def emdt_request_submit(
    *,
    by,
    person,
    meets_complex_needs: bool,
    complex_needs: str,
    services,
    meets_care_plan_gap: bool,
    care_plan_gap: str,
    consent_to_discuss: bool | None,
    wants_to_attend: str,
    urgency: str = Urgency.ROUTINE,
    risks: str = "",
    team: Team | None = None,
    other_emdt_reason: str = "",
    at=None,
) -> EmdtRequest:
    """A mental health practitioner asks the person's EMDT for help. Both eligibility criteria must be met."""
    if _is_the_person(by, person):
        raise NotAllowed(NO_SELF_REFERRAL)
    if Perm.REQUEST_EMDT not in by.permissions:
        raise NotAllowed(ONLY_PRACTITIONERS)
    if not may(by, Perm.REQUEST_EMDT, person):
        raise NotAllowed(Perm.REQUEST_EMDT)
    at = at or timezone.now()
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    age = age_on(person.date_of_birth, timezone.localtime(at).date())
    if age < ADULT_AGE:
        error("__all__", f"EMDTs support adults only: {person.full_name} is {age}, so a request cannot be made.")

    complex_needs = _text(complex_needs, "complex_needs")
    if not meets_complex_needs:
        error(
            "meets_complex_needs",
            "Criterion 1 is not met: the person must have complex mental health needs that need support from "
            "more than one organisation or professional",
        )
    elif not complex_needs:
        error("complex_needs", "Criterion 1: describe the complex needs that need more than one organisation")
    codes = [c for c in (services or []) if c]
    known = {s.code: s for s in EmdtService.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        error("services", f"Not one of the region's EMDT services: {', '.join(unknown)[:200]}")
    elif meets_complex_needs and not codes:
        error("services", "Criterion 1: name the services the person needs, from the EMDT services list")

    care_plan_gap = _text(care_plan_gap, "care_plan_gap")
    if not meets_care_plan_gap:
        error(
            "meets_care_plan_gap",
            "Criterion 2 is not met: the person's current care plan must not reflect their needs, so that "
            "wider support is required",
        )
    elif not care_plan_gap:
        error("care_plan_gap", "Criterion 2: say why the current care plan does not reflect the person's needs")

    if not person.consent_nhs:
        # The EMDT sees the record only with the person's consent to share with NHS services (the access policy):
        # a request it could not open would wait unseen.
        error(
            "consent_to_discuss",
            f"{person.full_name} has not agreed to share their record with NHS services beyond their practice, so "
            "the EMDT could not see it. Record their consent to share first.",
        )
    if consent_to_discuss is None:
        error("consent_to_discuss", "Say whether the person agrees to be discussed at the EMDT")
    elif not consent_to_discuss:
        error(
            "consent_to_discuss",
            "The person must agree to be discussed at the EMDT before a request is made. Talk it through with them "
            "first.",
        )
    if wants_to_attend not in WantsToAttend.values:
        error("wants_to_attend", "Say whether the person wants to attend the discussion")
    if urgency not in Urgency.values:
        error("urgency", "Select how urgent the request is")
    risks = _text(risks, "risks")
    other_emdt_reason = _text(other_emdt_reason, "other_emdt_reason")

    home = emdt_team_for(person)
    if team is None:
        team = home
        if team is None:
            error("team", "The person has no registered practice with an EMDT: choose an EMDT and give the reason")
    elif team.kind != TeamKind.EMDT:
        error("team", "Choose an EMDT")
    elif team != home and not other_emdt_reason:
        where = f" ({home.name})" if home else ""
        error("other_emdt_reason", f"Give the reason for asking a different EMDT from the person's own{where}")
    if errors:
        raise ValidationError(errors)

    existing = EmdtRequest.objects.filter(person=person, team=team, state__in=OPEN_STATES).first()
    if existing:
        raise DuplicateRequest(existing)
    request = EmdtRequest(
        person=person,
        team=team,
        referrer=by,
        referrer_organisation=by.primary_organisation,
        complex_needs=complex_needs,
        care_plan_gap=care_plan_gap,
        other_emdt_reason=other_emdt_reason if team != home else "",
        consent_to_discuss=True,
        wants_to_attend=wants_to_attend,
        risks=risks,
        urgency=urgency,
        priority=URGENCY_RANK[urgency],
        submitted_at=at,
        state_changed_at=at,
    )
    request.full_clean(exclude=["services"], validate_constraints=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise DuplicateRequest(
            EmdtRequest.objects.filter(person=person, team=team, state__in=OPEN_STATES).first()
        ) from None
    request.services.set(known.values())
    EmdtRequestTransition.objects.create(
        request=request, from_state="", to_state=RequestState.SUBMITTED, by=by, at=at, note="Request made"
    )
    audit_record(by=by, action=AuditAction.CREATE, what="EMDT request", person=person, obj=request)
    names = ", ".join(s.name for s in known.values())
    timeline_add(
        person=person,
        service=Service.EMDT,
        kind="emdt_request",
        summary=f"Request for EMDT support to {team.name}",
        detail=f"{Urgency(urgency).label}. Services involved: {names}",
        by=by,
        link=_request_link(request),
        at=at,
    )
    forget(by)
    return request


def _lock_for_triage(*, by, request) -> EmdtRequest:
    if Perm.TRIAGE_EMDT not in by.permissions or not any(m.team_id == request.team_id for m in by.active_memberships):
        raise NotAllowed(Perm.TRIAGE_EMDT)
    if not may(by, Perm.TRIAGE_EMDT, request.person):
        raise NotAllowed(Perm.TRIAGE_EMDT)
    # Two coordinators at once: the second waits for the first's lock, then finds the state has moved on.
    locked = EmdtRequest.objects.select_for_update(of=("self",)).select_related("person", "team").get(pk=request.pk)
    if locked.state != RequestState.SUBMITTED:
        last = locked.transitions.select_related("by").order_by("-at", "-id").first()
        who = f" by {last.by} on {format_date(last.at)}" if last else ""
        raise TriageConflict(
            f"Someone else has already dealt with this request: it was marked "
            f"'{locked.get_state_display().lower()}'{who}. Nothing has been changed."
        )
    return locked


@transaction.atomic
def emdt_request_accept(*, by, request, meeting, note: str = "", at=None) -> EmdtRequest:
    """Accept the request and place the person on the agenda of one of the team's meetings."""
    from joinedup.meetings.models import ItemKind
    from joinedup.meetings.services import agenda_place

    locked = _lock_for_triage(by=by, request=request)
    note = _text(note, "note")
    if meeting is None:
        raise ValidationError({"meeting": "Choose the meeting to discuss the person at"})
    if meeting.team_id != locked.team_id:
        raise ValidationError({"meeting": "Choose a meeting of this EMDT"})
    at = at or timezone.now()
    if timezone.localtime(meeting.starts_at).date() < timezone.localtime(at).date():
        raise ValidationError({"meeting": "Choose a meeting today or later"})
    agenda_place(by=by, meeting=meeting, person=locked.person, request=locked, kind=ItemKind.NEW, at=at)
    when = format_date(timezone.localtime(meeting.starts_at))
    _move(locked, to=RequestState.ACCEPTED, by=by, note=note or f"Placed on the meeting on {when}", at=at)
    locked.save(update_fields=["state", "state_changed_at"])
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT request accepted", person=locked.person, obj=locked)
    timeline_add(
        person=locked.person,
        service=Service.EMDT,
        kind="emdt_request_accepted",
        summary=f"EMDT request accepted by {locked.team.name}: to be discussed on {when}",
        by=by,
        link=_request_link(locked),
        at=at,
    )
    return locked


@transaction.atomic
def emdt_request_ask(*, by, request, question: str, at=None) -> EmdtRequest:
    """Ask the referrer for more information. The request waits, visibly, until they answer."""
    locked = _lock_for_triage(by=by, request=request)
    question = _text(question, "question")
    if not question:
        raise ValidationError({"question": "Enter the question for the person who made the request"})
    _move(locked, to=RequestState.MORE_INFORMATION_REQUESTED, by=by, note=question, at=at)
    locked.question = question
    locked.save(update_fields=["state", "state_changed_at", "question"])
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT request: more information", person=locked.person)
    timeline_add(
        person=locked.person,
        service=Service.EMDT,
        kind="emdt_request_question",
        summary=f"{locked.team.name} asked for more information about the EMDT request",
        detail=question,
        by=by,
        link=_request_link(locked),
        at=at,
    )
    return locked


@transaction.atomic
def emdt_request_answer(*, by, request, answer: str, at=None) -> EmdtRequest:
    """The referrer (or another practitioner with the person) answers; the request goes back to triage."""
    if not may(by, Perm.REQUEST_EMDT, request.person):
        raise NotAllowed(ONLY_PRACTITIONERS)
    locked = EmdtRequest.objects.select_for_update(of=("self",)).select_related("person", "team").get(pk=request.pk)
    if locked.state != RequestState.MORE_INFORMATION_REQUESTED:
        raise TriageConflict("This request is not waiting for more information. Nothing has been changed.")
    answer = _text(answer, "answer")
    if not answer:
        raise ValidationError({"answer": "Enter your answer to the EMDT's question"})
    _move(locked, to=RequestState.SUBMITTED, by=by, note=answer, at=at)
    locked.question = ""
    locked.save(update_fields=["state", "state_changed_at", "question"])
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT request: answer", person=locked.person)
    timeline_add(
        person=locked.person,
        service=Service.EMDT,
        kind="emdt_request_answered",
        summary=f"More information sent to {locked.team.name}",
        detail=answer,
        by=by,
        link=_request_link(locked),
        at=at,
    )
    return locked


@transaction.atomic
def emdt_request_decline(*, by, request, reason: str, recommendation: str, at=None) -> EmdtRequest:
    """Decline, always with what is recommended instead: the referrer and key worker see it on the record."""
    locked = _lock_for_triage(by=by, request=request)
    reason, recommendation = _text(reason, "reason"), _text(recommendation, "recommendation")
    errors = {}
    if not reason:
        errors["reason"] = "Enter why the EMDT is not the right support now"
    if not recommendation:
        errors["recommendation"] = "Enter what is recommended instead: nobody is turned away without a next step"
    if errors:
        raise ValidationError(errors)
    _move(locked, to=RequestState.DECLINED, by=by, note=reason, at=at)
    locked.recommendation = recommendation
    locked.save(update_fields=["state", "state_changed_at", "recommendation"])
    audit_record(
        by=by, action=AuditAction.UPDATE, what="EMDT request declined", person=locked.person, obj=locked, reason=reason
    )
    timeline_add(
        person=locked.person,
        service=Service.EMDT,
        kind="emdt_request_declined",
        summary=f"EMDT request declined by {locked.team.name}",
        detail=f"Recommended instead: {recommendation}",
        by=by,
        link=_request_link(locked),
        at=at,
    )
    # The referrer hears it as a task, with the next step, not only if they happen to open the timeline.
    inbox_send(
        kind="emdt_request_declined",
        key=str(locked.pk),
        source="EMDT request declined",
        why=f"{locked.team.name} declined your EMDT request. Next step recommended: {recommendation}",
        to_user=locked.referrer,
        person=locked.person,
        link=_request_link(locked),
        by=by,
    )
    return locked


@transaction.atomic
def emdt_request_close(*, by, request, note: str, at=None) -> EmdtRequest:
    """Close an accepted or discussed request (the person's EMDT work is done, or they moved away)."""
    if Perm.TRIAGE_EMDT not in by.permissions or not any(m.team_id == request.team_id for m in by.active_memberships):
        raise NotAllowed(Perm.TRIAGE_EMDT)
    locked = EmdtRequest.objects.select_for_update(of=("self",)).select_related("person", "team").get(pk=request.pk)
    note = _text(note, "note")
    if not note:
        raise ValidationError({"note": "Enter why the request is being closed"})
    _move(locked, to=RequestState.CLOSED, by=by, note=note, at=at)
    locked.save(update_fields=["state", "state_changed_at"])
    audit_record(by=by, action=AuditAction.UPDATE, what="EMDT request closed", person=locked.person, obj=locked)
    timeline_add(
        person=locked.person,
        service=Service.EMDT,
        kind="emdt_request_closed",
        summary=f"EMDT request to {locked.team.name} closed",
        detail=note,
        by=by,
        link=_request_link(locked),
        at=at,
    )
    return locked


def request_mark_discussed(*, by, request, at=None) -> None:
    """Called by the meetings service inside its transaction when the person's case discussion is recorded."""
    locked = EmdtRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state == RequestState.ACCEPTED:
        _move(locked, to=RequestState.DISCUSSED, by=by, note="Discussed at the EMDT meeting", at=at)
        locked.save(update_fields=["state", "state_changed_at"])
