"""Every change in the peer support service: one transaction each, access checked first, then the change,
its audit event and its timeline entry together."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import PEER_SUPPORT_ROLES, Perm, Role
from joinedup.care.services import care_team_join, care_team_leave
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.timeline import Service, timeline_add
from joinedup.core.validators import validate_no_markup
from joinedup.people.services import NotAllowed

from . import reference
from .models import (
    Allocation,
    Contact,
    ContactMethod,
    Offer,
    OfferLink,
    OutcomeRating,
    PeerReferral,
    PeerWorker,
    Progression,
    ReferralSource,
    ReferralStatus,
    SupervisionSession,
    TrainingCompletion,
    WorkerKind,
)

MAX_CASELOAD = 40
MAX_CONTACT_MINUTES = 8 * 60
ROLE_FOR_KIND = {
    WorkerKind.VOLUNTEER: Role.VOLUNTEER,
    WorkerKind.PAID: Role.PEER_SUPPORT_WORKER,
    WorkerKind.SENIOR: Role.SENIOR_PEER_SUPPORT_WORKER,
}


def _require(by, perm, person=None):
    if not may(by, perm, person):
        raise NotAllowed(perm)


def _text(value, field, message, *, required=True, max_length=2000):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError({field: f"Must be {max_length} characters or fewer"})
    try:
        validate_no_markup(value)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from e
    return value


def _past_date(value, field, what):
    if value is None:
        raise ValidationError({field: f"Enter the date of the {what}"})
    if not isinstance(value, dt.date):
        raise ValidationError({field: f"The date of the {what} must be a real date"})
    if value > timezone.localdate():
        raise ValidationError({field: f"The date of the {what} must be today or in the past"})
    return value


def _person_link(person):
    return reverse("peersupport:person", args=[person.pk])


# The workforce


@transaction.atomic
def peer_worker_register(
    *, by, user, organisation, kind, localities, caseload_limit, supervisor=None, started=None
) -> PeerWorker:
    """Give a member of peer support staff their profile: organisation, localities covered and caseload limit."""
    _require(by, Perm.MANAGE_PEER_WORKFORCE)
    if kind not in WorkerKind.values:
        raise ValidationError({"kind": "Select paid worker, senior worker or volunteer"})
    if not any(m.role in PEER_SUPPORT_ROLES for m in user.active_memberships):
        raise ValidationError({"user": "Only peer support staff or volunteers can have a peer support profile"})
    localities = list(localities)
    if not localities:
        raise ValidationError({"localities": "Select at least one locality the worker covers"})
    if not isinstance(caseload_limit, int) or not 1 <= caseload_limit <= MAX_CASELOAD:
        raise ValidationError({"caseload_limit": f"Caseload limit must be a number from 1 to {MAX_CASELOAD}"})
    if supervisor is not None and Role.SENIOR_PEER_SUPPORT_WORKER not in supervisor.roles:
        raise ValidationError({"supervisor": "The supervisor must be a senior peer support worker"})
    if PeerWorker.objects.filter(user=user).exists():
        raise ValidationError({"user": "This member of staff already has a peer support profile"})
    worker = PeerWorker.objects.create(
        user=user,
        organisation=organisation,
        kind=kind,
        caseload_limit=caseload_limit,
        supervisor=supervisor,
        started=started or timezone.localdate(),
    )
    worker.localities.set(localities)
    audit_record(by=by, action=AuditAction.CREATE, what="peer support worker profile", obj=worker)
    return worker


@transaction.atomic
def peer_worker_update(*, by, worker: PeerWorker, caseload_limit=None, localities=None, active=None) -> PeerWorker:
    """Change a worker's caseload limit, localities or whether they are taking people. A limit below the number
    of people they hold now is refused: end or move some allocations first."""
    _require(by, Perm.MANAGE_PEER_WORKFORCE)
    worker = PeerWorker.objects.select_for_update().get(pk=worker.pk)
    changes = []
    if caseload_limit is not None:
        if not isinstance(caseload_limit, int) or not 1 <= caseload_limit <= MAX_CASELOAD:
            raise ValidationError({"caseload_limit": f"Caseload limit must be a number from 1 to {MAX_CASELOAD}"})
        held = _active_caseload(worker)
        if caseload_limit < held:
            raise ValidationError(
                {
                    "caseload_limit": f"They hold {held} {'person' if held == 1 else 'people'} now: "
                    "end or move some allocations before lowering the limit"
                }
            )
        worker.caseload_limit = caseload_limit
        changes.append(f"caseload limit {caseload_limit}")
    if localities is not None:
        localities = list(localities)
        if not localities:
            raise ValidationError({"localities": "Select at least one locality the worker covers"})
        worker.localities.set(localities)
        changes.append("localities")
    if active is not None:
        worker.active = bool(active)
        changes.append("active" if active else "not taking people")
    worker.save()
    audit_record(by=by, action=AuditAction.UPDATE, what=f"peer support worker: {', '.join(changes)}"[:200], obj=worker)
    return worker


@transaction.atomic
def supervision_record(*, by, worker: PeerWorker, held_on, themes, actions="") -> SupervisionSession:
    _require(by, Perm.MANAGE_PEER_WORKFORCE)
    held_on = _past_date(held_on, "held_on", "supervision session")
    themes = _text(themes, "themes", "Enter the themes discussed")
    actions = _text(actions, "actions", "", required=False)
    if worker.user_id == by.pk:
        raise ValidationError("Supervision is recorded by the supervisor, not by the worker being supervised")
    session = SupervisionSession.objects.create(
        worker=worker, supervisor=by, held_on=held_on, themes=themes, actions=actions
    )
    audit_record(by=by, action=AuditAction.CREATE, what="peer support supervision", obj=session)
    return session


@transaction.atomic
def training_complete(*, by, worker: PeerWorker, module: str, completed_on) -> TrainingCompletion:
    _require(by, Perm.MANAGE_PEER_WORKFORCE)
    if module not in reference.module_titles():
        raise ValidationError({"module": "Select a module of the training programme"})
    completed_on = _past_date(completed_on, "completed_on", "completion")
    try:
        with transaction.atomic():
            done = TrainingCompletion.objects.create(
                worker=worker, module=module, completed_on=completed_on, recorded_by=by
            )
    except IntegrityError as e:
        raise ValidationError({"module": "This module is already recorded as completed"}) from e
    audit_record(by=by, action=AuditAction.CREATE, what=f"peer support training: {module}", obj=done)
    return done


@transaction.atomic
def progression_record(*, by, worker: PeerWorker, to_kind: str, on, note="") -> Progression:
    """A change of role, above all a volunteer moving into a paid role. Their system role changes with it."""
    from joinedup.accounts.models import Membership
    from joinedup.accounts.services import membership_add

    _require(by, Perm.MANAGE_PEER_WORKFORCE)
    worker = PeerWorker.objects.select_for_update().get(pk=worker.pk)
    if to_kind not in WorkerKind.values:
        raise ValidationError({"to_kind": "Select the new role"})
    if to_kind == worker.kind:
        raise ValidationError({"to_kind": f"They are already a {worker.get_kind_display().lower()}"})
    on = _past_date(on, "on", "change of role")
    note = _text(note, "note", "", required=False, max_length=500)
    progression = Progression.objects.create(
        worker=worker, from_kind=worker.kind, to_kind=to_kind, on=on, note=note, recorded_by=by
    )
    old_role, new_role = ROLE_FOR_KIND[worker.kind], ROLE_FOR_KIND[to_kind]
    old = Membership.objects.filter(user=worker.user, role=old_role, ended__isnull=True).select_related("team")
    teams = [m.team for m in old]
    old.update(ended=on)
    for team in teams:
        membership_add(user=worker.user, team=team, role=new_role)
    worker.kind = to_kind
    worker.save(update_fields=["kind"])
    audit_record(by=by, action=AuditAction.UPDATE, what=f"peer support role: {progression.from_kind} to {to_kind}")
    return progression


# Referral and allocation


@transaction.atomic
def peer_referral_create(*, by, person, source: str, reason: str, referred_at=None) -> PeerReferral:
    """Refer a person to peer support. It waits for a senior in the person's locality to allocate a worker.
    `referred_at` records a referral made earlier (on paper, or in the demo's history); never in the future."""
    _require(by, Perm.REFER_PEER_SUPPORT, person)
    referred_at = referred_at or timezone.now()
    if referred_at > timezone.now():
        raise ValidationError({"referred_at": "The referral cannot be in the future"})
    if source not in ReferralSource.values:
        raise ValidationError({"source": "Select where the referral comes from"})
    reason = _text(reason, "reason", "Enter what the person would like from peer support")
    if person.practice_id is None:
        raise ValidationError("The person has no registered GP practice, so there is no locality to refer to")
    if not person.consent_peer_support:
        raise ValidationError(
            "The person has not agreed to share their record with the peer support service: record their consent first"
        )
    referral = PeerReferral(
        person=person,
        source=source,
        reason=reason,
        locality=person.practice.locality,
        referred_by=by,
        referred_at=referred_at,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as e:
        raise ValidationError("This person already has an open referral to peer support") from e
    audit_record(by=by, action=AuditAction.CREATE, what="peer support referral", person=person, obj=referral)
    timeline_add(
        person=person,
        service=Service.PEER_SUPPORT,
        kind="peer_referral",
        summary=f"Referred to peer support ({referral.get_source_display()})",
        detail=reason,
        by=by,
        link=_person_link(person),
    )
    return referral


def _active_caseload(worker) -> int:
    return Allocation.objects.filter(worker=worker, ended__isnull=True).count()


@transaction.atomic
def allocation_create(
    *, by, referral: PeerReferral, worker: PeerWorker, outside_locality_reason="", started=None
) -> Allocation:
    """Allocate a waiting referral to a worker or volunteer who covers the person's locality and has room.
    Outside their locality needs a reason; a full caseload is refused."""
    person = referral.person
    _require(by, Perm.ALLOCATE_PEER_SUPPORT, person)
    referral = PeerReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.WAITING:
        raise ValidationError("This referral has already been allocated or closed")
    # Lock the worker so two seniors allocating at once cannot both take the last place on the caseload.
    worker = PeerWorker.objects.select_for_update().get(pk=worker.pk)
    if not worker.active:
        raise ValidationError({"worker": "This worker is no longer active"})
    reason = _text(outside_locality_reason, "outside_locality_reason", "", required=False, max_length=500)
    started = started or timezone.localdate()
    if started > timezone.localdate() or started < referral.referred_at.date():
        raise ValidationError({"started": "Peer support starts between the referral and today"})
    locality = person.practice.locality if person.practice_id else referral.locality
    if not worker.localities.filter(pk=locality.pk).exists() and not reason:
        raise ValidationError(
            {
                "outside_locality_reason": f"{worker.user.get_full_name()} does not cover {locality.name}: "
                "give a reason to allocate outside their locality, or choose another worker"
            }
        )
    held = _active_caseload(worker)
    if held >= worker.caseload_limit:
        raise ValidationError(
            {
                "worker": f"{worker.user.get_full_name()}'s caseload is full ({held} of {worker.caseload_limit}): "
                "choose another worker"
            }
        )
    try:
        with transaction.atomic():
            allocation = Allocation.objects.create(
                referral=referral,
                person=person,
                worker=worker,
                outside_locality_reason=reason,
                allocated_by=by,
                started=started,
            )
    except IntegrityError as e:
        raise ValidationError("This person is already allocated to a peer support worker") from e
    referral.status = ReferralStatus.ALLOCATED
    referral.save(update_fields=["status"])
    care_team_join(
        by=by,
        person=person,
        user=worker.user,
        service=Service.PEER_SUPPORT,
        role=worker.get_kind_display(),
        reason="Allocated for peer support",
    )
    audit_record(
        by=by, action=AuditAction.CREATE, what="peer support allocation", person=person, obj=allocation, reason=reason
    )
    timeline_add(
        person=person,
        service=Service.PEER_SUPPORT,
        kind="peer_allocated",
        summary=f"Allocated to {worker.user.get_full_name()}, {worker.get_kind_display().lower()}, "
        f"{worker.organisation}" + (" (outside their locality)" if reason else ""),
        detail=f"Outside their locality because: {reason}" if reason else "",
        by=by,
        link=_person_link(person),
    )
    forget(by)
    forget(worker.user)
    return allocation


@transaction.atomic
def allocation_end(*, by, allocation: Allocation, reason: str) -> Allocation:
    """Peer support ends: the place on the worker's caseload is freed and the referral closed."""
    _require(by, Perm.RECORD_PEER_SUPPORT, allocation.person)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.ended:
        raise ValidationError("This allocation has already ended")
    reason = _text(reason, "reason", "Enter why peer support is ending", max_length=500)
    allocation.ended = timezone.localdate()
    allocation.end_reason = reason
    allocation.save(update_fields=["ended", "end_reason"])
    PeerReferral.objects.filter(pk=allocation.referral_id).update(
        status=ReferralStatus.CLOSED, closed_at=timezone.now()
    )
    care_team_leave(
        by=by,
        person=allocation.person,
        user=allocation.worker.user,
        service=Service.PEER_SUPPORT,
        reason=f"Peer support ended: {reason}",
    )
    audit_record(by=by, action=AuditAction.UPDATE, what="peer support ended", person=allocation.person, obj=allocation)
    timeline_add(
        person=allocation.person,
        service=Service.PEER_SUPPORT,
        kind="peer_ended",
        summary="Peer support ended",
        detail=reason,
        by=by,
        link=_person_link(allocation.person),
    )
    forget(by)
    return allocation


# Work with the person


def _active(allocation):
    if allocation.ended:
        raise ValidationError("Peer support for this person has ended: nothing more can be recorded on it")


@transaction.atomic
def contact_record(*, by, allocation: Allocation, on, duration_minutes, method, what_was_done) -> Contact:
    person = allocation.person
    _require(by, Perm.RECORD_PEER_SUPPORT, person)
    _active(allocation)
    on = _past_date(on, "on", "contact")
    if on < allocation.referral.referred_at.date():
        raise ValidationError({"on": "The date of the contact must be after the person was referred"})
    if not isinstance(duration_minutes, int) or not 1 <= duration_minutes <= MAX_CONTACT_MINUTES:
        raise ValidationError(
            {"duration_minutes": f"Duration must be a number of minutes from 1 to {MAX_CONTACT_MINUTES}"}
        )
    if method not in ContactMethod.values:
        raise ValidationError({"method": "Select how the contact happened"})
    what_was_done = _text(what_was_done, "what_was_done", "Enter what was done", max_length=4000)
    contact = Contact.objects.create(
        allocation=allocation,
        person=person,
        on=on,
        duration_minutes=duration_minutes,
        method=method,
        what_was_done=what_was_done,
        recorded_by=by,
    )
    audit_record(by=by, action=AuditAction.CREATE, what="peer support contact", person=person, obj=contact)
    timeline_add(
        person=person,
        service=Service.PEER_SUPPORT,
        kind="peer_contact",
        summary=f"Peer support contact ({contact.get_method_display().lower()}, {duration_minutes} minutes)",
        detail=what_was_done,
        by=by,
        link=_person_link(person),
    )
    from joinedup.messaging.services import peer_support_first_contact_queue

    peer_support_first_contact_queue(contact=contact, by=by)
    return contact


@transaction.atomic
def offer_link(*, by, allocation: Allocation, offer: Offer, contact: Contact | None = None, note="") -> OfferLink:
    """Connect the person to a community activity or VCFSE offer from the directory."""
    person = allocation.person
    _require(by, Perm.RECORD_PEER_SUPPORT, person)
    _active(allocation)
    if not offer.active:
        raise ValidationError("This offer is no longer in the directory")
    if contact is not None and contact.allocation_id != allocation.pk:
        raise ValidationError("That contact belongs to another allocation")
    note = _text(note, "note", "", required=False, max_length=500)
    link = OfferLink.objects.create(
        person=person, allocation=allocation, offer=offer, contact=contact, note=note, linked_by=by
    )
    audit_record(by=by, action=AuditAction.CREATE, what="connected to a community offer", person=person, obj=link)
    timeline_add(
        person=person,
        service=Service.PEER_SUPPORT,
        kind="peer_offer_link",
        summary="Connected to a local community offer",
        detail=f"{offer.name} ({offer.provider}, {reference.categories().get(offer.category, '')})",
        by=by,
        link=_person_link(person),
    )
    return link


@transaction.atomic
def outcomes_rate(*, by, allocation: Allocation, stage: str, rated_on, scores: dict) -> list[OutcomeRating]:
    """Rate the service's outcomes with the person at the start, a review, or the end of their support.
    Every score must be on the scale (joinedup/peersupport/data/outcomes.json); nothing is stored otherwise."""
    person = allocation.person
    _require(by, Perm.RECORD_PEER_SUPPORT, person)
    if stage not in reference.stages():
        raise ValidationError({"stage": "Select start, review or end"})
    if stage != "end":
        _active(allocation)
    rated_on = _past_date(rated_on, "rated_on", "rating")
    low, high = reference.scale_bounds()
    labels = reference.outcome_labels()
    errors = {}
    clean = {}
    for code, score in scores.items():
        if code not in labels:
            errors[code] = f"Unknown outcome {code!r}"
            continue
        if score in (None, ""):
            continue
        try:
            value = int(score)
        except (TypeError, ValueError):
            value = None
        if value is None or isinstance(score, bool) or not low <= value <= high or str(score).strip() != str(value):
            errors[code] = f"{labels[code]}: choose a rating from {low} to {high}"
            continue
        clean[code] = value
    if errors:
        raise ValidationError(errors)
    if not clean:
        raise ValidationError("Rate at least one outcome with the person")
    earlier = set(OutcomeRating.objects.filter(allocation=allocation).values_list("stage", flat=True))
    if stage in ("start", "end") and stage in earlier:
        raise ValidationError({"stage": f"The {stage} ratings have already been recorded for this support"})
    if stage != "start" and "start" not in earlier:
        raise ValidationError({"stage": "Record the start ratings first, so change can be shown"})
    if "end" in earlier:
        raise ValidationError({"stage": "The end ratings have been recorded: this support is finished"})
    ratings = OutcomeRating.objects.bulk_create(
        OutcomeRating(
            allocation=allocation, person=person, stage=stage, outcome=code, score=value, rated_on=rated_on, rated_by=by
        )
        for code, value in clean.items()
    )
    stage_label = reference.stages()[stage].lower()
    audit_record(by=by, action=AuditAction.CREATE, what=f"peer support outcomes ({stage})", person=person)
    timeline_add(
        person=person,
        service=Service.PEER_SUPPORT,
        kind="peer_outcomes",
        summary=f"Peer support outcomes rated with the person ({stage_label}): {len(clean)} of {len(labels)}",
        by=by,
        link=_person_link(person),
    )
    return ratings


# The community directory (reference data, not person data)


def offers_load(rows, *, deactivate_missing: bool = False) -> dict:
    """Add or update directory offers by their code. Loading the same rows again changes nothing.
    Each row: code, name, provider, category, locality (code), description, how_to_join, and optionally
    accessibility, where, when, phone, email."""
    from joinedup.directory.models import Locality

    localities = {loc.code: loc for loc in Locality.objects.all()}
    categories = reference.categories()
    problems = []
    prepared = []
    for n, row in enumerate(rows, start=1):
        code = (row.get("code") or "").strip()
        if not code:
            problems.append(f"row {n}: no code")
            continue
        if row.get("category") not in categories:
            problems.append(f"row {n} ({code}): unknown category {row.get('category')!r}")
            continue
        locality = localities.get(row.get("locality"))
        if locality is None:
            problems.append(f"row {n} ({code}): unknown locality {row.get('locality')!r}")
            continue
        missing = [f for f in ("name", "provider", "description", "how_to_join") if not (row.get(f) or "").strip()]
        if missing:
            problems.append(f"row {n} ({code}): missing {', '.join(missing)}")
            continue
        prepared.append((code, row, locality))
    if problems:
        raise ValidationError(problems)
    created = updated = 0
    with transaction.atomic():
        existing = {o.code: o for o in Offer.objects.filter(code__in=[c for c, _, _ in prepared])}
        to_create = []
        for code, row, locality in prepared:
            fields = {
                "name": row["name"].strip(),
                "provider": row["provider"].strip(),
                "category": row["category"],
                "locality": locality,
                "description": row["description"].strip(),
                "how_to_join": row["how_to_join"].strip(),
                "accessibility": (row.get("accessibility") or "").strip(),
                "where": (row.get("where") or "").strip(),
                "when": (row.get("when") or "").strip(),
                "phone": (row.get("phone") or "").strip(),
                "email": (row.get("email") or "").strip(),
                "active": True,
            }
            fields["search_text"] = " ".join((fields["name"], fields["provider"], fields["description"])).lower()
            offer = existing.get(code)
            if offer is None:
                to_create.append(Offer(code=code, **fields))
                created += 1
            elif any(getattr(offer, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(offer, k, v)
                offer.save()
                updated += 1
        Offer.objects.bulk_create(to_create, batch_size=500)
        deactivated = 0
        if deactivate_missing:
            deactivated = (
                Offer.objects.exclude(code__in=[c for c, _, _ in prepared]).filter(active=True).update(active=False)
            )
    return {"created": created, "updated": updated, "deactivated": deactivated}
