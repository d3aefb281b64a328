"""Every change in primary care mental health: one transaction, the access check, the audit event and the
timeline entry together. Views, the demo seed and test fixtures all come through here."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import Perm, Role
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.timeline import Service, timeline_add
from joinedup.directory.models import TeamKind
from joinedup.inbox.services import inbox_send_to_practice
from joinedup.people.services import NotAllowed

from . import rules
from .models import Advice, Assessment, Episode, GpRequest, OnwardReferral, Session


def _require(by, perm, person=None):
    if not may(by, perm, person):
        raise NotAllowed(perm)


def _link(person):
    return reverse("primarycare:person", args=[person.pk])


def _name(user):
    return user.get_full_name() or user.username


def _clean_text(value, field, message, *, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    return value


def _check_date(value, field, label, *, not_before=None, not_before_label=""):
    if value is None:
        raise ValidationError({field: f"Enter the {label}"})
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"The {label} must be a real date"})
    if value > timezone.localdate():
        raise ValidationError({field: f"The {label} must be today or in the past"})
    if not_before and value < not_before:
        raise ValidationError({field: f"The {label} must be on or after {not_before_label}"})
    return value


def _full_clean(obj, exclude=()):
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as e:
        raise ValidationError(e.message_dict) from e


def pcn_for(person):
    """The primary care network whose MHPs serve this person: their practice's."""
    practice = person.practice
    if practice is None or practice.pcn_id is None:
        raise ValidationError(
            "This person is not registered with a GP practice in a primary care network, so no MHP serves them"
        )
    return practice.pcn


def is_mhp_in(user, pcn) -> bool:
    return any(
        m.role == Role.MHP and m.team.kind == TeamKind.PCN_MENTAL_HEALTH and m.team.pcn_id == pcn.pk
        for m in user.active_memberships
    )


def is_trainee(user) -> bool:
    return Role.TRAINEE_PSYCHOLOGIST in user.roles and Role.MHP not in user.roles


# GP requests and advice to GPs -----------------------------------------------------------------------------


@transaction.atomic
def request_create(*, by, person, question: str) -> GpRequest:
    """A GP or practice staff member asks the PCN's mental health practitioners about a patient."""
    _require(by, Perm.PC_ASK_ADVICE, person)
    pcn = pcn_for(person)
    request = GpRequest(
        person=person,
        practice=person.practice,
        pcn=pcn,
        asked_by=by,
        question=_clean_text(question, "question", "Enter your question for the mental health practitioner"),
    )
    _full_clean(request, exclude=["person", "practice", "pcn", "asked_by"])
    request.save()
    audit_record(by=by, action=AuditAction.CREATE, what="GP request to the PCN MHPs", person=person, obj=request)
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="gp_request",
        summary=f"{_name(by)} ({person.practice.name}) asked the PCN mental health practitioners for advice",
        by=by,
        link=_link(person),
    )
    return request


def _answer(request, *, by, person, status):
    current = GpRequest.objects.select_for_update().get(pk=request.pk)
    if current.person_id != person.pk:
        raise ValidationError("This request is about someone else")
    if current.status != GpRequest.Status.WAITING:
        raise ValidationError("This request has already been answered")
    current.status = status
    current.answered_by = by
    current.answered_at = timezone.now()
    current.save(update_fields=["status", "answered_by", "answered_at"])
    return current


@transaction.atomic
def advice_record(
    *,
    by,
    person,
    question: str,
    advice: str,
    given_on: dt.date,
    asked_by_name: str = "",
    follow_up: str = "",
    follow_up_by: dt.date | None = None,
    request: GpRequest | None = None,
) -> Advice:
    """Advice to a GP or practice staff member about a person with complex needs. The person need not be on the
    caseload. Answering a GP request marks it answered."""
    _require(by, Perm.PC_MANAGE_CASELOAD, person)
    if person.practice_id is None:
        raise ValidationError("This person has no GP practice recorded, so the advice cannot be filed with one")
    asked_by = None
    if request is not None:
        request = _answer(request, by=by, person=person, status=GpRequest.Status.ADVICE_GIVEN)
        asked_by = request.asked_by
        asked_by_name = asked_by_name or f"{_name(asked_by)}, {request.practice.name}"
        question = question or request.question
    _check_date(given_on, "given_on", "date the advice was given")
    if follow_up_by is not None and follow_up_by < given_on:
        raise ValidationError({"follow_up_by": "The follow-up date must be on or after the date the advice was given"})
    record = Advice(
        person=person,
        practice=person.practice,
        request=request,
        asked_by=asked_by,
        asked_by_name=_clean_text(asked_by_name, "asked_by_name", "Enter who asked, for example Dr Patel, GP"),
        question=_clean_text(question, "question", "Enter the question you were asked"),
        advice=_clean_text(advice, "advice", "Enter the advice you gave"),
        follow_up=(follow_up or "").strip(),
        follow_up_by=follow_up_by,
        given_on=given_on,
        given_by=by,
    )
    _full_clean(record, exclude=["person", "practice", "request", "asked_by", "given_by"])
    record.save()
    audit_record(by=by, action=AuditAction.CREATE, what="advice to GP", person=person, obj=record)
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="gp_advice",
        summary=f"{_name(by)} gave advice to {record.asked_by_name}",
        by=by,
        link=_link(person),
    )
    inbox_send_to_practice(
        kind="gp_advice_given",
        key=str(record.pk),
        source="Advice from the MHP",
        why=f"{_name(by)} answered {record.asked_by_name}'s question"
        + (f". Follow-up: {record.follow_up}" if record.follow_up else ""),
        person=person,
        link=_link(person),
        by=by,
    )
    return record


# The caseload ----------------------------------------------------------------------------------------------


@transaction.atomic
def episode_open(
    *,
    by,
    person,
    reason: str = "",
    mhp=None,
    request: GpRequest | None = None,
    opened_on: dt.date | None = None,
) -> Episode:
    """Add a person to an MHP's caseload, from a GP's request or on the MHP's own judgement."""
    _require(by, Perm.PC_MANAGE_CASELOAD, person)
    pcn = pcn_for(person)
    mhp = mhp or by
    if not is_mhp_in(mhp, pcn):
        raise ValidationError({"mhp": f"{_name(mhp)} is not a mental health practitioner in {pcn.name}"})
    opened_on = _check_date(opened_on or timezone.localdate(), "opened_on", "date they were added")
    if request is not None:
        request = _answer(request, by=by, person=person, status=GpRequest.Status.ADDED_TO_CASELOAD)
        reason = reason or f"GP's question: {request.question}"
    reason = _clean_text(reason, "reason", "Say why this person is being added to the caseload")
    # One count at a time per MHP, so two additions at once cannot both squeeze under the limit.
    get_user_model().objects.select_for_update().filter(pk=mhp.pk).first()
    limit = rules.caseload_limit()
    held = Episode.objects.filter(mhp=mhp, status=Episode.Status.OPEN).count()
    if held >= limit:
        raise ValidationError(
            {
                "mhp": f"{_name(mhp)}'s caseload is full ({held} people, the limit is {limit}): choose another MHP "
                "or discharge someone first"
            }
        )
    existing = Episode.objects.filter(person=person, status=Episode.Status.OPEN).select_related("mhp").first()
    if existing:
        raise ValidationError(f"This person is already on {_name(existing.mhp)}'s caseload")
    episode = Episode(
        person=person,
        pcn=pcn,
        mhp=mhp,
        source=Episode.Source.GP_REQUEST if request else Episode.Source.MHP,
        request=request,
        reason=reason,
        opened_on=opened_on,
        opened_by=by,
    )
    _full_clean(episode, exclude=["person", "pcn", "mhp", "request", "opened_by"])
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError as e:  # another MHP added them a moment ago
        raise ValidationError("This person is already on an MHP's caseload") from e
    _care_team_take_on(by=by, episode=episode)
    audit_record(by=by, action=AuditAction.CREATE, what="added to MHP caseload", person=person, obj=episode)
    how = "at the GP's request" if request else "by the practitioner"
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="caseload_added",
        summary=f"Added to {_name(mhp)}'s caseload (PCN mental health practitioner, {pcn.name}) {how}",
        by=by,
        link=_link(person),
    )
    return episode


MHP_ROLE = "Mental health practitioner"


def _care_team_take_on(*, by, episode):
    """The MHP joins the person's care team and the person is at primary care MHP level (unless higher)."""
    from joinedup.care.models import LevelOfCare
    from joinedup.care.services import care_team_join, level_of_care_take_on

    reason = f"Added to {_name(episode.mhp)}'s caseload ({episode.pcn.name})"
    care_team_join(
        by=by, person=episode.person, user=episode.mhp, service=Service.PRIMARY_CARE, role=MHP_ROLE, reason=reason
    )
    forget(by)
    level_of_care_take_on(by=by, person=episode.person, level=LevelOfCare.PRIMARY_CARE, reason=reason)


def _care_team_let_go(*, by, episode):
    """Discharged: the MHP leaves the care team (unless still involved otherwise) and a person whose level was
    primary care MHP is discharged; someone stepped up meanwhile keeps their level."""
    from joinedup.care.models import LevelOfCare
    from joinedup.care.services import care_team_leave, level_of_care_let_go

    reason = f"Discharged from {_name(episode.mhp)}'s caseload: {episode.get_discharge_reason_display()}"
    care_team_leave(by=by, person=episode.person, user=episode.mhp, service=Service.PRIMARY_CARE, reason=reason)
    level_of_care_let_go(by=by, person=episode.person, level=LevelOfCare.PRIMARY_CARE, reason=reason)


def _open_episode(episode):
    current = Episode.objects.select_for_update().get(pk=episode.pk)
    if not current.is_open:
        raise ValidationError("This person has been discharged from the caseload: add them again to record more")
    return current


@transaction.atomic
def assessment_record(
    *,
    by,
    episode: Episode,
    assessed_on: dt.date,
    needs: dict[str, str],
    risk_summary: str,
    what_matters: str,
    baseline: str,
    baseline_note: str = "",
) -> Assessment:
    person = episode.person
    _require(by, Perm.PC_MANAGE_CASELOAD, person)
    episode = _open_episode(episode)
    _check_date(
        assessed_on,
        "assessed_on",
        "date of the assessment",
        not_before=episode.opened_on,
        not_before_label="the date they were added to the caseload",
    )
    domains = dict(rules.choices("need_domains"))
    unknown = [code for code in needs if code not in domains]
    if unknown:
        raise ValidationError(f"Unknown need domain: {', '.join(unknown)}")
    needs = {code: text.strip() for code, text in needs.items() if text and text.strip()}
    if not needs:
        raise ValidationError({"needs": "Describe at least one presenting need"})
    if baseline not in Assessment.Baseline.values:
        raise ValidationError({"baseline": "Say whether a baseline DIALOG or Goal Based Outcomes measure was taken"})
    assessment = Assessment(
        episode=episode,
        person=person,
        assessed_on=assessed_on,
        assessed_by=by,
        needs=needs,
        risk_summary=_clean_text(risk_summary, "risk_summary", "Enter a risk summary"),
        what_matters=_clean_text(what_matters, "what_matters", "Enter what matters to the person"),
        baseline=baseline,
        baseline_note=(baseline_note or "").strip(),
    )
    _full_clean(assessment, exclude=["episode", "person", "assessed_by"])
    assessment.save()
    audit_record(by=by, action=AuditAction.CREATE, what="MHP assessment", person=person, obj=assessment)
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="assessment",
        summary=f"Assessed by {_name(by)}, PCN mental health practitioner",
        detail=f"Needs in {', '.join(domains[c].lower() for c in needs)}",
        by=by,
        link=_link(person),
    )
    return assessment


@transaction.atomic
def session_record(
    *,
    by,
    episode: Episode,
    session_type: str,
    held_on: dt.date,
    what_was_done: str,
    outcome: str,
    supervisor=None,
    over_limit_reason: str = "",
) -> Session:
    """A short-term intervention session. Beyond the session limit a reason is needed; a trainee or associate
    psychologist names their supervising MHP, who then has the session to review."""
    person = episode.person
    _require(by, Perm.PC_DELIVER_SESSION, person)
    episode = _open_episode(episode)
    if not session_type:
        raise ValidationError({"session_type": "Select the type of session"})
    if session_type not in dict(rules.choices("session_types")):
        raise ValidationError({"session_type": "Select a type of session from the list"})
    _check_date(
        held_on,
        "held_on",
        "date of the session",
        not_before=episode.opened_on,
        not_before_label="the date they were added to the caseload",
    )
    if is_trainee(by):
        if supervisor is None:
            raise ValidationError({"supervisor": "Select your supervising mental health practitioner"})
        if not is_mhp_in(supervisor, episode.pcn):
            raise ValidationError(
                {"supervisor": f"The supervisor must be a mental health practitioner in {episode.pcn.name}"}
            )
    else:
        supervisor = None
    done = episode.sessions.count()
    limit = rules.session_limit()
    over_limit_reason = (over_limit_reason or "").strip()
    if done >= limit and not over_limit_reason:
        raise ValidationError(
            {
                "over_limit_reason": f"This person has had {done} sessions and the limit is {limit}: "
                "give a reason for a further session"
            }
        )
    session = Session(
        episode=episode,
        person=person,
        number=done + 1,
        session_type=session_type,
        held_on=held_on,
        what_was_done=_clean_text(what_was_done, "what_was_done", "Enter what was done in the session"),
        outcome=_clean_text(outcome, "outcome", "Enter the outcome of the session"),
        delivered_by=by,
        supervisor=supervisor,
        over_limit_reason=over_limit_reason if done >= limit else "",
    )
    _full_clean(session, exclude=["episode", "person", "delivered_by", "supervisor"])
    session.save()
    audit_record(by=by, action=AuditAction.CREATE, what="MHP intervention session", person=person, obj=session)
    supervised = f", supervised by {_name(supervisor)}" if supervisor else ""
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="session",
        summary=f"Session {session.number} with {_name(by)}{supervised}",
        detail=session.get_session_type_display(),
        by=by,
        link=_link(person),
    )
    return session


@transaction.atomic
def session_review(*, by, session: Session, comment: str = "") -> Session:
    """The supervising MHP confirms they have reviewed a trainee's session."""
    person = session.person
    _require(by, Perm.PC_SUPERVISE, person)
    current = Session.objects.select_for_update().get(pk=session.pk)
    if current.supervisor_id != by.pk:
        raise ValidationError("Only the named supervisor can review this session")
    if current.reviewed_at:
        raise ValidationError("This session has already been reviewed")
    current.reviewed_at = timezone.now()
    current.reviewed_by = by
    current.review_comment = (comment or "").strip()
    _full_clean(current)
    current.save(update_fields=["reviewed_at", "reviewed_by", "review_comment"])
    audit_record(by=by, action=AuditAction.UPDATE, what="MHP session review", person=person, obj=current)
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="session_reviewed",
        summary=f"Session {current.number} reviewed by the supervising practitioner, {_name(by)}",
        by=by,
        link=_link(person),
    )
    return current


@transaction.atomic
def onward_referral_record(
    *, by, episode: Episode, kind: str, reason: str, referred_on: dt.date, service_name: str = ""
) -> OnwardReferral:
    person = episode.person
    _require(by, Perm.PC_MANAGE_CASELOAD, person)
    episode = _open_episode(episode)
    kinds = dict(rules.choices("onward_referral_kinds"))
    if kind not in kinds:
        raise ValidationError({"kind": "Select where you are referring the person to"})
    service_name = (service_name or "").strip()
    if kind == "vcfse" and not service_name:
        raise ValidationError({"service_name": "Enter which VCFSE service or organisation"})
    _check_date(
        referred_on,
        "referred_on",
        "date of the referral",
        not_before=episode.opened_on,
        not_before_label="the date they were added to the caseload",
    )
    referral = OnwardReferral(
        episode=episode,
        person=person,
        kind=kind,
        service_name=service_name,
        reason=_clean_text(reason, "reason", "Say why you are referring the person"),
        referred_on=referred_on,
        by=by,
    )
    _full_clean(referral, exclude=["episode", "person", "by"])
    referral.save()
    audit_record(by=by, action=AuditAction.CREATE, what=f"MHP onward referral: {kind}", person=person, obj=referral)
    to = f"{kinds[kind]} ({service_name})" if service_name else kinds[kind]
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="onward_referral",
        summary=f"Referred on by {_name(by)}",
        detail=f"To {to}",
        by=by,
        link=_link(person),
    )
    return referral


@transaction.atomic
def episode_discharge(
    *,
    by,
    episode: Episode,
    expected_version: int,
    discharged_on: dt.date,
    reason: str,
    summary: str,
    gp_follow_up: str = "",
) -> Episode:
    """Discharge from the caseload with a summary for the GP. A form opened before someone else changed the
    episode is refused rather than overwriting."""
    person = episode.person
    _require(by, Perm.PC_MANAGE_CASELOAD, person)
    current = _open_episode(episode)
    if current.version != expected_version:
        raise ValidationError("Someone else changed this caseload entry after you opened the form: check it again")
    if reason not in dict(rules.choices("discharge_reasons")):
        raise ValidationError({"reason": "Select why the person is being discharged"})
    _check_date(
        discharged_on,
        "discharged_on",
        "date of discharge",
        not_before=current.opened_on,
        not_before_label="the date they were added to the caseload",
    )
    current.status = Episode.Status.DISCHARGED
    current.discharged_on = discharged_on
    current.discharge_reason = reason
    current.discharge_summary = _clean_text(summary, "summary", "Write a summary for the GP")
    current.gp_follow_up = (gp_follow_up or "").strip()
    current.discharged_by = by
    current.version += 1
    _full_clean(current)
    current.save()
    _care_team_let_go(by=by, episode=current)
    audit_record(by=by, action=AuditAction.UPDATE, what="MHP discharge", person=person, obj=current)
    timeline_add(
        person=person,
        service=Service.PRIMARY_CARE,
        kind="discharged",
        summary=f"Discharged from {_name(current.mhp)}'s caseload",
        detail=current.get_discharge_reason_display(),
        by=by,
        link=reverse("primarycare:discharge_summary", args=[person.pk, current.pk]),
    )
    inbox_send_to_practice(
        kind="mhp_discharged",
        key=str(current.pk),
        source="Discharged from MHP care",
        why=f"Discharged from {_name(current.mhp)}'s caseload ({current.get_discharge_reason_display()})"
        + (f". For the GP: {current.gp_follow_up}" if current.gp_follow_up else "")
        + ". Read the discharge summary.",
        person=person,
        link=reverse("primarycare:discharge_summary", args=[person.pk, current.pk]),
        by=by,
    )
    return current
