"""Every change to a person's record goes through here: one transaction, its audit event and timeline entry."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.accounts.roles import ConsentKind, Perm
from joinedup.core.access import forget, may
from joinedup.core.audit import AuditAction, audit_record, audit_records
from joinedup.core.timeline import Service, timeline_add, timeline_add_many, timeline_entry
from joinedup.directory.models import Practice

from .matching import normalise_name
from .models import CommunicationNeed, ConsentDecision, EmergencyAccess, Person

EMERGENCY_ACCESS_HOURS = 12

EDITABLE_FIELDS = (
    "nhs_number",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "address",
    "postcode",
    "phone",
    "email",
    "practice",
    "preferred_channel",
    "safe_times",
    "no_voicemail",
    "do_not_contact",
)


class NotAllowed(PermissionError):
    pass


class StaleEdit(Exception):
    """Someone else saved this record after the form was opened. The later save is refused."""

    def __init__(self, current):
        super().__init__("This record was changed by someone else after you opened it")
        self.current = current


def _require(by, perm, person=None):
    if not may(by, perm, person):
        raise NotAllowed(perm)


def _normalise(person) -> None:
    """The NHS number as stored (digits, or none) and the name as searched."""
    if person.nhs_number:
        from joinedup.core.validators import normalise_nhs_number

        person.nhs_number = normalise_nhs_number(person.nhs_number)
    else:
        person.nhs_number = None
    person.search_name = normalise_name(f"{person.given_name} {person.family_name}")


def _clean_and_save(person, *, exclude=()):
    _normalise(person)
    person.full_clean(exclude=list(exclude), validate_unique=True)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as e:  # a record made with the same number a moment ago, between the check and the save
        raise ValidationError({"nhs_number": NHS_NUMBER_NOT_USABLE}) from e


# Said to someone who may not know that the record exists: it neither confirms nor denies it.
NHS_NUMBER_NOT_USABLE = (
    "This NHS number cannot be used here. Check it is right. If the person already has a record with a team you do "
    "not work in, their GP practice or care team can add you to it"
)


def _refuse_a_number_held_elsewhere(*, by, nhs_number, person=None) -> None:
    """Refuse an NHS number another record holds. Only a user who may already read that record is told whose it is;
    anyone else gets a message that does not confirm the record exists. Either way the attempt is audited against
    the person who holds the number (it is a look-up by NHS number), outside the refused change's transaction so
    the refusal does not roll the audit event back."""
    from joinedup.core.validators import normalise_nhs_number

    number = normalise_nhs_number(nhs_number or "")
    if not number:
        return
    holder = Person.objects.filter(nhs_number=number).exclude(pk=getattr(person, "pk", None)).first()
    if holder is None:
        return
    audit_record(
        by=by,
        action=AuditAction.SEARCH,
        what="NHS number already held: registration or change refused",
        person=holder,
        reason="Changing another record" if person is not None else "Registering a new record",
    )
    if may(by, Perm.VIEW_RECORD, holder):
        raise ValidationError({"nhs_number": f"{holder.full_name} already has a record with this NHS number"})
    raise ValidationError({"nhs_number": NHS_NUMBER_NOT_USABLE})


def person_register(*, by, consents: dict[str, bool] | None = None, **fields) -> Person:
    """Create a person's record. Their practice gives the registering team a relationship, or the
    registering user joins the care team, so nobody creates a record they then cannot see."""
    _require(by, Perm.REGISTER_PERSON)
    _refuse_a_number_held_elsewhere(by=by, nhs_number=fields.get("nhs_number"))
    return _register(by=by, consents=consents, fields=fields)


@transaction.atomic
def _register(*, by, consents, fields) -> Person:
    person = Person(**{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    _clean_and_save(person)
    for kind, given in (consents or {}).items():
        _consent_write(person=person, kind=kind, given=given, by=by, note="Recorded when the record was created")
    audit_record(by=by, action=AuditAction.CREATE, what="record", person=person, obj=person)
    timeline_add(person=person, service=Service.RECORD, kind="record_created", summary="Record created", by=by)
    forget(by)
    return person


class RecordRefused(Exception):
    """One record of a batch cannot be registered: `index` says which, `error` why (a ValidationError)."""

    def __init__(self, index: int, error: ValidationError):
        super().__init__(f"Record {index}: {error}")
        self.index = index
        self.error = error


def people_register(*, by, records: list[dict]) -> list[Person]:
    """Create many records at once (a GP system's transaction of new patients): each checked as person_register
    checks one, all of them or none saved, with their consents, audit events and timeline entries, in one insert
    per table. `records` holds person_register's arguments (the fields, and `consents`); RecordRefused names the
    first record that cannot be used."""
    _require(by, Perm.REGISTER_PERSON)
    from joinedup.core.validators import normalise_nhs_number

    numbers: dict[str, int] = {}
    for index, record in enumerate(records):
        number = normalise_nhs_number(record.get("nhs_number") or "")
        if number and number in numbers:
            raise RecordRefused(index, ValidationError({"nhs_number": "This NHS number is given to two records here"}))
        if number:
            numbers[number] = index
    held = Person.objects.filter(nhs_number__in=list(numbers)).values_list("nhs_number", flat=True)
    for number in sorted(held, key=numbers.get)[:1]:
        try:
            _refuse_a_number_held_elsewhere(by=by, nhs_number=number)
        except ValidationError as e:
            raise RecordRefused(numbers[number], e) from None
    return _register_many(by=by, records=records)


@transaction.atomic
def _register_many(*, by, records) -> list[Person]:
    people, decisions = [], []
    practices = {r["practice"].pk for r in records if r.get("practice") is not None}
    known = set(Practice.objects.filter(pk__in=practices).values_list("pk", flat=True))
    for index, record in enumerate(records):
        person = Person(**{k: v for k, v in record.items() if k in EDITABLE_FIELDS})
        _normalise(person)
        try:
            if person.practice_id is not None and person.practice_id not in known:
                raise ValidationError({"practice": "Select a GP practice we know"})
            # Unique NHS numbers were checked above for the whole batch, the practices together just now (a
            # query for each record otherwise); the database's constraints still hold.
            person.full_clean(exclude=["practice"], validate_unique=False)
            for kind, given in (record.get("consents") or {}).items():
                decisions.append((index, _consent_decision(kind=kind, given=given, by=by)))
                setattr(person, f"consent_{kind}", given)
        except ValidationError as e:
            raise RecordRefused(index, e) from None
        people.append(person)
    try:
        with transaction.atomic():
            Person.objects.bulk_create(people)
    except IntegrityError as e:  # a record made with one of the numbers a moment ago, between the check and here
        raise RecordRefused(0, ValidationError({"nhs_number": NHS_NUMBER_NOT_USABLE})) from e
    for index, decision in decisions:
        decision.person = people[index]
    ConsentDecision.objects.bulk_create([d for _, d in decisions])
    audit_records(by=by, action=AuditAction.CREATE, what="record", people=people)
    at = timezone.now()
    timeline_add_many(
        [
            timeline_entry(
                person=p, service=Service.RECORD, kind="record_created", summary="Record created", by=by, at=at
            )
            for p in people
        ]
    )
    forget(by)
    return people


def person_update(*, by, person: Person, expected_version: int, **fields) -> Person:
    _require(by, Perm.EDIT_RECORD, person)
    if "nhs_number" in fields and fields["nhs_number"] != person.nhs_number:
        _refuse_a_number_held_elsewhere(by=by, nhs_number=fields["nhs_number"], person=person)
    return _update(by=by, person=person, expected_version=expected_version, fields=fields)


@transaction.atomic
def _update(*, by, person, expected_version, fields) -> Person:
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    changed = [k for k, v in fields.items() if k in EDITABLE_FIELDS and getattr(current, k) != v]
    for k in changed:
        setattr(current, k, fields[k])
    if not changed:
        return current
    current.version += 1
    current.updated_at = timezone.now()
    _clean_and_save(current)
    labels = ", ".join(Person._meta.get_field(k).verbose_name for k in changed)
    audit_record(by=by, action=AuditAction.UPDATE, what=f"details: {labels}"[:200], person=current, obj=current)
    timeline_add(
        person=current,
        service=Service.RECORD,
        kind="details_changed",
        summary=f"Details changed: {labels}",
        by=by,
    )
    return current


@transaction.atomic
def my_story_update(*, by, person: Person, expected_version: int, text: str) -> Person:
    """'Tell your story once': the person's own words, written with them, kept on the one record."""
    _require(by, Perm.EDIT_RECORD, person)
    return _story_write(by=by, person=person, expected_version=expected_version, text=text, done_by="")


def _story_write(*, by, person, expected_version, text, done_by) -> Person:
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    current.my_story = text
    current.my_story_updated = timezone.now()
    current.version += 1
    current.updated_at = timezone.now()
    _clean_and_save(current)
    audit_record(by=by, action=AuditAction.UPDATE, what="my story", person=current, obj=current)
    summary = f"'My story' updated {done_by}".strip()
    timeline_add(person=current, service=Service.RECORD, kind="story_updated", summary=summary, by=by)
    return current


@transaction.atomic
def communication_needs_set(*, by, person: Person, needs: dict[str, str]) -> None:
    """Replace the person's communication needs with `needs` (need code -> detail)."""
    _require(by, Perm.EDIT_RECORD, person)
    _needs_write(by=by, person=person, needs=needs, done_by="")


def _needs_write(*, by, person, needs, done_by) -> None:
    existing = {n.need: n for n in person.communication_needs.all()}
    for code, need in existing.items():
        if code not in needs:
            need.delete()
    for code, detail in needs.items():
        need = existing.get(code) or CommunicationNeed(person=person, need=code)
        need.detail = detail
        need.full_clean(exclude=["person"], validate_unique=False)
        need.save()
    summary = ", ".join(dict(CommunicationNeed._meta.get_field("need").choices)[c] for c in needs) or "none"
    audit_record(by=by, action=AuditAction.UPDATE, what="communication needs", person=person)
    timeline_add(
        person=person,
        service=Service.RECORD,
        kind="communication_needs",
        summary=f"Communication needs recorded: {summary} {done_by}".strip(),
        by=by,
    )


def _consent_decision(*, kind, given, by, note="Recorded when the record was created", person=None):
    if kind not in ConsentKind.values:
        raise ValidationError({"kind": f"Unknown kind of organisation: {kind}"})
    decision = ConsentDecision(person=person, kind=kind, given=given, note=note, by=by)
    decision.full_clean(exclude=["person", "by"])
    return decision


def _consent_write(*, person, kind, given, by, note):
    decision = _consent_decision(kind=kind, given=given, by=by, note=note, person=person)
    decision.save()
    Person.objects.filter(pk=person.pk).update(**{f"consent_{kind}": given})
    setattr(person, f"consent_{kind}", given)
    return decision


@transaction.atomic
def consent_record(*, by, person: Person, kind: str, given: bool, note: str = "") -> ConsentDecision:
    """Consent given or withdrawn. Withdrawal takes effect at once: the access policy reads the same row."""
    _require(by, Perm.RECORD_CONSENT, person)
    decision = _consent_write(person=person, kind=kind, given=given, by=by, note=note)
    label = ConsentKind(kind).label
    verb = "given" if given else "withdrawn"
    audit_record(by=by, action=AuditAction.UPDATE, what=f"consent to share: {kind}", person=person, obj=decision)
    timeline_add(
        person=person,
        service=Service.RECORD,
        kind="consent",
        summary=f"Consent to share with {label} {verb}",
        by=by,
    )
    forget(by)
    return decision


@transaction.atomic
def emergency_access_grant(*, by, person: Person, reason: str, request=None) -> EmergencyAccess:
    """Break glass: see a person without a relationship, for a stated reason, for a limited time. The view passes
    its request so the audit event records the address and path it came from."""
    _require(by, Perm.EMERGENCY_ACCESS)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Say why you need emergency access (at least 10 characters)"})
    access = EmergencyAccess(
        person=person,
        user=by,
        reason=reason,
        expires_at=timezone.now() + dt.timedelta(hours=EMERGENCY_ACCESS_HOURS),
    )
    access.full_clean(exclude=["person", "user"])
    access.save()
    audit_record(
        by=by,
        action=AuditAction.EMERGENCY_ACCESS,
        what="emergency access",
        person=person,
        obj=access,
        reason=reason,
        request=request,
    )
    timeline_add(
        person=person,
        service=Service.RECORD,
        kind="emergency_access",
        summary=f"Emergency access by {by.get_full_name() or by.username}",
        by=by,
    )
    forget(by)
    return access


@transaction.atomic
def emergency_access_review(*, by, access: EmergencyAccess, note: str) -> EmergencyAccess:
    _require(by, Perm.REVIEW_AUDIT)
    if access.reviewed_at:
        raise ValidationError("This emergency access has already been reviewed")
    access.reviewed_at = timezone.now()
    access.reviewed_by = by
    access.review_note = note
    access.full_clean()
    access.save()
    audit_record(
        by=by,
        action=AuditAction.UPDATE,
        what="emergency access review",
        person=access.person,
        obj=access,
        reason=note,
    )
    return access


@transaction.atomic
def consent_by_person(*, by, person: Person, kind: str, given: bool) -> ConsentDecision:
    """The person changes what they share with a kind of organisation themself, in their own Joined Up. `by` is the
    portal's visitor (never staff). Takes effect at once, through the same access policy as consent_record."""
    decision = _consent_write(person=person, kind=kind, given=given, by=None, note="Changed by the person themself")
    label = ConsentKind(kind).label
    audit_record(by=by, action=AuditAction.UPDATE, what=f"consent to share: {kind}", person=person, obj=decision)
    timeline_add(
        person=person,
        service=Service.RECORD,
        kind="consent",
        summary=f"Consent to share with {label} {'given' if given else 'withdrawn'} {by.done_by}",
    )
    return decision


@transaction.atomic
def about_me_by_person(*, by, person: Person, expected_version: int, story: str, needs: dict[str, str], contact: dict):
    """The person tells their story, their communication needs and how to contact them themself, in their own Joined
    Up (`by` is the portal's visitor, never staff): staff then see it, told once. `contact`: preferred_channel,
    safe_times, no_voicemail."""
    current = Person.objects.get(pk=person.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    if story != current.my_story:
        current = _story_write(by=by, person=current, expected_version=expected_version, text=story, done_by=by.done_by)
    if needs != {n.need: n.detail for n in current.communication_needs.all()}:
        _needs_write(by=by, person=current, needs=needs, done_by=by.done_by)
    changed = {k: v for k, v in contact.items() if getattr(current, k) != v}
    if changed:
        current = Person.objects.select_for_update().get(pk=current.pk)
        for field, value in changed.items():
            setattr(current, field, value)
        current.version += 1
        current.updated_at = timezone.now()
        _clean_and_save(current)
        audit_record(by=by, action=AuditAction.UPDATE, what="contact preferences", person=current, obj=current)
        timeline_add(
            person=current,
            service=Service.RECORD,
            kind="contact_preferences",
            summary=f"Contact preferences changed {by.done_by}",
        )
    return current
