"""Every change in the health check service: one transaction, the access check, audit and timeline together."""

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.accounts.roles import Perm, Role
from joinedup.care.services import care_team_join, care_team_leave
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.core.dates import format_date
from joinedup.core.timeline import Service, timeline_add
from joinedup.people.models import Person
from joinedup.people.services import NotAllowed

from .models import (
    FAILED_OUTCOMES,
    WIDER_ELEMENTS,
    Booking,
    BookingProvider,
    Claim,
    CodedResult,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    FollowUp,
    GlucoseKind,
    HealthCheck,
    HealthPlan,
    RegisterEntry,
    RegisterUpdateFile,
    Reminder,
    SmokingStatus,
)
from .rules import check_flags, follow_ups
from .valuesets import check_elements

FOLLOW_UP_DAYS = 28


def hard_to_reach_attempts() -> int:
    """Failed contact attempts before a person is flagged hard to reach (setting HEALTH_CHECK_HARD_TO_REACH)."""
    return int(getattr(settings, "HEALTH_CHECK_HARD_TO_REACH", 3))


def _require(by, perm, person=None):
    if not may(by, perm, person):
        raise NotAllowed(perm)


def _link(person):
    return reverse("healthchecks:person", args=[person.pk])


def _timeline(person, kind, summary, by, detail=""):
    service = Service.HEALTH_CHECKS
    timeline_add(person=person, service=service, kind=kind, summary=summary, detail=detail, by=by, link=_link(person))


def _entries(person):
    return RegisterEntry.objects.filter(person=person, left_on__isnull=True)


# Claims ---------------------------------------------------------------------------------------------------------


OUTREACH_ROLE = "Health check outreach worker"


@transaction.atomic
def claim(*, by, person: Person) -> Claim:
    """An outreach worker takes the person on. Two workers cannot: the row lock and a unique constraint."""
    _require(by, Perm.HC_OUTREACH, person)
    Person.objects.select_for_update().get(pk=person.pk)
    current = Claim.objects.filter(person=person, released_at__isnull=True).select_related("worker").first()
    if current:
        if current.worker_id == by.pk:
            return current
        raise ValidationError(f"{current.worker} is already working with this person")
    try:
        with transaction.atomic():
            made = Claim.objects.create(person=person, worker=by)
    except IntegrityError:
        raise ValidationError("Someone else has just started working with this person") from None
    care_team_join(
        by=by,
        person=person,
        user=by,
        service=Service.HEALTH_CHECKS,
        role=OUTREACH_ROLE,
        reason="Started health check outreach",
    )
    audit_record(by=by, action=AuditAction.CREATE, what="health check outreach claim", person=person, obj=made)
    _timeline(person, "claimed", f"{by} started health check outreach", by)
    return made


@transaction.atomic
def claim_release(*, by, person: Person) -> None:
    _require(by, Perm.HC_OUTREACH, person)
    current = Claim.objects.select_for_update().filter(person=person, released_at__isnull=True).first()
    if current is None:
        raise ValidationError("No one is working with this person")
    _claim_end(current, by=by, reason=Claim.Ended.STOPPED)


def _claim_end(current: Claim, *, by, reason: str) -> None:
    """End an open claim, keeping it as history: who ended it, when and why, audited and on the timeline."""
    current.released_at = timezone.now()
    current.released_by = by
    current.release_reason = reason
    current.save(update_fields=["released_at", "released_by", "release_reason"])
    care_team_leave(
        by=by,
        person=current.person,
        user=current.worker,
        service=Service.HEALTH_CHECKS,
        role=OUTREACH_ROLE,
        reason=f"Health check outreach ended: {current.get_release_reason_display()}",
    )
    audit_record(
        by=by,
        action=AuditAction.UPDATE,
        what="health check outreach claim ended",
        person=current.person,
        obj=current,
        reason=current.get_release_reason_display(),
    )
    _timeline(
        current.person,
        "released",
        f"Health check outreach by {current.worker} ended: {current.get_release_reason_display()}",
        by,
    )


# Contact attempts ---------------------------------------------------------------------------------------------


def _practice_contact(person):
    """A member of the person's practice to tell when the person is hard to reach."""
    from joinedup.accounts.models import Membership
    from joinedup.directory.models import TeamKind

    m = (
        Membership.objects.filter(
            team__kind=TeamKind.PRACTICE,
            team__practice_id=person.practice_id,
            role=Role.GP_PRACTICE_STAFF,
            ended__isnull=True,
        )
        .select_related("user")
        .order_by("id")
        .first()
    )
    return m.user if m else None


@transaction.atomic
def contact_record(*, by, person: Person, method: str, outcome: str, next_step: str = "") -> ContactAttempt:
    _require(by, Perm.HC_OUTREACH, person)
    if method not in ContactMethod.values:
        raise ValidationError({"method": "Select how you tried to contact them"})
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": "Select what happened"})
    if person.do_not_contact and method != ContactMethod.KEY_WORKER:
        raise ValidationError(
            {"method": "This person has asked not to be contacted: go through their key worker instead"}
        )
    attempt = ContactAttempt(person=person, by=by, method=method, outcome=outcome, next_step=next_step.strip())
    attempt.full_clean(exclude=["person", "by"])
    attempt.save()
    entries = list(_entries(person).select_for_update())
    summary = f"{ContactMethod(method).label}: {ContactOutcome(outcome).label.lower()}"
    audit_record(by=by, action=AuditAction.CREATE, what="health check contact attempt", person=person, obj=attempt)
    _timeline(person, "contact_attempt", summary, by, detail=f"Next: {next_step.strip()}" if next_step else "")
    if outcome in FAILED_OUTCOMES:
        for entry in entries:
            entry.failed_attempts += 1
            entry.updated_at = timezone.now()
            flag = not entry.hard_to_reach and entry.failed_attempts >= hard_to_reach_attempts()
            if flag:
                entry.hard_to_reach = True
            entry.save(update_fields=["failed_attempts", "hard_to_reach", "updated_at"])
            if flag:
                _tell_hard_to_reach(by=by, person=person, attempts=entry.failed_attempts)
    elif outcome == ContactOutcome.ACCEPTED:
        _entries(person).update(failed_attempts=0, hard_to_reach=False, updated_at=timezone.now())
        # The "help us reach them" tasks are done once the person has been reached.
        Reminder.objects.filter(person=person, booking__isnull=True, done_at__isnull=True).update(
            done_at=timezone.now()
        )
    return attempt


def _tell_hard_to_reach(*, by, person, attempts):
    from joinedup.care.queries import key_worker_for

    key_worker = key_worker_for(person=person)
    owner = key_worker.user if key_worker and key_worker.user_id else _practice_contact(person)
    who = "key worker" if key_worker and key_worker.user_id else "practice"
    _timeline(
        person,
        "hard_to_reach",
        f"Hard to reach for a health check after {attempts} attempts: {who} asked to help",
        by,
    )
    if owner is not None:
        Reminder.objects.create(
            person=person,
            owner=owner,
            text=f"Help the outreach team reach this person for their physical health check ({attempts} attempts)",
            due=timezone.localdate() + dt.timedelta(days=7),
        )


# Bookings -----------------------------------------------------------------------------------------------------


@transaction.atomic
def booking_create(*, by, person: Person, provider_kind: str, at: dt.datetime, place: str) -> Booking:
    _require(by, Perm.HC_OUTREACH, person)
    if provider_kind not in BookingProvider.values:
        raise ValidationError({"provider_kind": "Select who will do the check"})
    if at < timezone.now():
        raise ValidationError({"at": "The appointment must be in the future"})
    booking = Booking(person=person, provider_kind=provider_kind, at=at, place=(place or "").strip(), booked_by=by)
    booking.full_clean(exclude=["person", "booked_by"])
    booking.save()
    when = f"{format_date(at)} at {timezone.localtime(at):%H:%M}"
    Reminder.objects.create(
        person=person,
        owner=by,
        booking=booking,
        text=f"Remind them of their health check on {when} ({booking.place})",
        due=max(timezone.localdate(), timezone.localtime(at).date() - dt.timedelta(days=2)),
    )
    audit_record(by=by, action=AuditAction.CREATE, what="health check booking", person=person, obj=booking)
    _timeline(person, "booked", f"Health check booked for {when} with {booking.get_provider_kind_display()}", by)
    from joinedup.messaging.services import booking_messages_queue

    booking_messages_queue(booking=booking, by=by, when=when)
    return booking


@transaction.atomic
def booking_missed(*, by, booking: Booking) -> Booking:
    person = booking.person
    _require(by, Perm.HC_OUTREACH, person)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise ValidationError(f"This appointment is already {booking.get_status_display().lower()}")
    booking.status = Booking.Status.MISSED
    booking.save(update_fields=["status"])
    Reminder.objects.filter(booking=booking, done_at__isnull=True).update(done_at=timezone.now())
    audit_record(by=by, action=AuditAction.UPDATE, what="health check booking missed", person=person, obj=booking)
    _timeline(person, "missed", f"Missed the health check on {format_date(booking.at)}: back on the worklist", by)
    return booking


# Recording the check ------------------------------------------------------------------------------------------

CORE_FIELDS = (
    "height_cm",
    "weight_kg",
    "waist_cm",
    "systolic",
    "diastolic",
    "pulse",
    "hba1c",
    "glucose",
    "glucose_kind",
    "total_cholesterol",
    "hdl_cholesterol",
    "smoking",
    "alcohol_units",
    "audit_c",
)
RANGES = {
    "height_cm": (50, 250, "Height must be between 50 and 250 cm"),
    "weight_kg": (20, 400, "Weight must be between 20 and 400 kg"),
    "waist_cm": (30, 250, "Waist must be between 30 and 250 cm"),
    "systolic": (50, 300, "Systolic blood pressure must be between 50 and 300"),
    "diastolic": (20, 200, "Diastolic blood pressure must be between 20 and 200"),
    "pulse": (20, 250, "Pulse must be between 20 and 250"),
    "hba1c": (10, 200, "HbA1c must be between 10 and 200 mmol/mol"),
    "glucose": (1, 50, "Glucose must be between 1 and 50 mmol/L"),
    "total_cholesterol": (1, 20, "Total cholesterol must be between 1 and 20 mmol/L"),
    "hdl_cholesterol": (0.1, 10, "HDL cholesterol must be between 0.1 and 10 mmol/L"),
    "alcohol_units": (0, 300, "Alcohol units must be between 0 and 300 a week"),
    "audit_c": (0, 12, "AUDIT-C score must be between 0 and 12"),
}


def bmi_from(height_cm, weight_kg) -> Decimal | None:
    if not height_cm or not weight_kg:
        return None
    metres = Decimal(str(height_cm)) / 100
    return (Decimal(str(weight_kg)) / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def is_full(check: HealthCheck) -> bool:
    """All six core elements: BMI, blood pressure, HbA1c or glucose, lipids, smoking status, alcohol use."""
    return all(
        (
            check.bmi is not None,
            check.systolic is not None and check.diastolic is not None,
            check.hba1c is not None or check.glucose is not None,
            check.total_cholesterol is not None,
            bool(check.smoking),
            check.alcohol_units is not None or check.audit_c is not None,
        )
    )


def _measures(check):
    m = {
        "bmi": check.bmi,
        "systolic": check.systolic,
        "diastolic": check.diastolic,
        "hba1c": check.hba1c,
        "total_cholesterol": check.total_cholesterol,
        "smoking": check.smoking or None,
    }
    if check.glucose is not None:
        m["fasting_glucose" if check.glucose_kind == GlucoseKind.FASTING else "random_glucose"] = check.glucose
    return m


@transaction.atomic
def check_record(*, by, person: Person, done_on: dt.date, booking: Booking | None = None, wider=None, **values):
    _require(by, Perm.HC_RECORD_CHECK, person)
    errors = {}
    if done_on > timezone.localdate():
        errors["done_on"] = "The date of the check must be today or in the past"
    for name, (low, high, message) in RANGES.items():
        value = values.get(name)
        if value is not None and not (Decimal(str(low)) <= Decimal(str(value)) <= Decimal(str(high))):
            errors[name] = message
    if values.get("glucose") is not None and values.get("glucose_kind") not in GlucoseKind.values:
        errors["glucose_kind"] = "Select whether the glucose was fasting or random"
    if set(wider or {}) - set(WIDER_ELEMENTS):
        errors[NON_FIELD_ERRORS] = "Unknown wider check element"
    if values.get("smoking") and values["smoking"] not in SmokingStatus.values:
        errors["smoking"] = "Select a smoking status"
    if (values.get("systolic") is None) != (values.get("diastolic") is None):
        errors["systolic"] = "Enter both the systolic and the diastolic blood pressure"
    if booking is not None:
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.person_id != person.pk:
            errors["booking"] = "Select one of this person's appointments"
        elif booking.status != Booking.Status.BOOKED:
            errors["booking"] = f"That appointment is already {booking.get_status_display().lower()}"
    if errors:
        raise ValidationError(errors)
    check = HealthCheck(
        person=person, booking=booking, done_on=done_on, by=by, **{k: values.get(k) for k in CORE_FIELDS}
    )
    check.glucose_kind = check.glucose_kind or ""
    check.smoking = check.smoking or ""
    check.bmi = bmi_from(check.height_cm, check.weight_kg)
    check.wider = {k: v for k, v in (wider or {}).items() if v}
    check.full = is_full(check)
    if not any(getattr(check, k) not in (None, "") for k in CORE_FIELDS) and not check.wider:
        raise ValidationError("Enter at least one result")
    check.save()
    if booking is not None:
        _booking_attended(booking, by=by)
    suggested = []
    for f in follow_ups(check_flags(_measures(check), ethnicity=person.ethnicity)):
        suggested.append(
            FollowUp.objects.create(
                person=person,
                check_record=check,
                code=f["code"],
                reason=f["reason"],
                action=f["action"],
                owner=by,
                due=timezone.localdate() + dt.timedelta(days=FOLLOW_UP_DAYS),
            )
        )
    if suggested:
        from joinedup.messaging.services import hc_follow_up_queue

        hc_follow_up_queue(check=check, by=by)
    for f in suggested:
        if "GP" in f.action.split():  # e.g. "Blood pressure review with the GP": the practice hears it directly
            from joinedup.inbox.services import inbox_send_to_practice

            inbox_send_to_practice(
                kind="health_check_follow_up_for_gp",
                key=str(f.pk),
                source="Health check follow-up",
                why=f"{f.action}: {f.reason} (physical health check on {format_date(done_on)})",
                person=person,
                link=reverse("healthchecks:person", args=[person.pk]),
                by=by,
            )
    _update_results(check, person)
    if check.full:
        for entry in _entries(person).select_for_update():
            entry.service_full_check = max(d for d in (entry.service_full_check, done_on) if d)
            entry.last_full_check = max(d for d in (entry.last_full_check, entry.service_full_check) if d)
            entry.failed_attempts = 0
            entry.hard_to_reach = False
            entry.updated_at = timezone.now()
            entry.save()
        # Outreach is done: the claim ends, kept as history with who ended it and why.
        for current in Claim.objects.select_for_update().filter(person=person, released_at__isnull=True):
            _claim_end(current, by=by, reason=Claim.Ended.FULL_CHECK)
    audit_record(by=by, action=AuditAction.CREATE, what="physical health check", person=person, obj=check)
    kind = "full physical health check" if check.full else "partial physical health check"
    summary = f"{kind.capitalize()} on {format_date(done_on)}"
    if booking is not None:
        summary += f" at the appointment booked for {format_date(booking.at)}"
    detail = ("Follow-up suggested: " + "; ".join(f.action for f in suggested)) if suggested else ""
    _timeline(person, "check_recorded", summary, by, detail=detail)
    return check


def _booking_attended(booking: Booking, *, by) -> None:
    """The check was done at this appointment: it is attended and its reminder task ends."""
    booking.status = Booking.Status.ATTENDED
    booking.save(update_fields=["status"])
    Reminder.objects.filter(booking=booking, done_at__isnull=True).update(done_at=timezone.now())
    audit_record(
        by=by, action=AuditAction.UPDATE, what="health check booking attended", person=booking.person, obj=booking
    )


def recorded_elements(check: HealthCheck) -> list[tuple[str, str]]:
    """Every element the check recorded, as (element in data/check_elements.csv, value as written in the file)."""
    found = []

    def add(element, value, *, keep=True):
        if value is not None and keep:
            found.append((element, str(value)))

    add("height", check.height_cm)
    add("weight", check.weight_kg)
    add("waist", check.waist_cm)
    add("bmi", check.bmi)
    add("systolic", check.systolic)
    add("diastolic", check.diastolic)
    add("pulse", check.pulse)
    add("hba1c", check.hba1c)
    add(f"{check.glucose_kind or GlucoseKind.RANDOM}_glucose", check.glucose)
    add("total_cholesterol", check.total_cholesterol)
    add("hdl_cholesterol", check.hdl_cholesterol)
    add(f"smoking_{check.smoking}", "", keep=bool(check.smoking))  # the code says it all: no value
    add("alcohol_units", check.alcohol_units)
    add("audit_c", check.audit_c)
    for code in WIDER_ELEMENTS:
        add(f"wider_{code}", "", keep=bool(check.wider.get(code)))  # a note stays here: it is free text
    return found


def _update_results(check, person):
    """Queue every recorded element for the practice's register update. An element with no SNOMED CT code in
    data/check_elements.csv is queued with an empty code: never written to the file, always named on the page."""
    practice_id = person.practice_id
    if not practice_id:
        return
    elements = check_elements()
    results = []
    for element, value in recorded_elements(check):
        e = elements[element]
        results.append(
            CodedResult(
                person=person,
                practice_id=practice_id,
                check_record=check,
                date=check.done_on,
                element=element,
                snomed_code=e["snomed_code"],
                description=e["description"],
                value=value,
                unit=e["unit"] if value else "",
            )
        )
    CodedResult.objects.bulk_create(results)


@transaction.atomic
def follow_up_close(*, by, follow_up: FollowUp, status: str, note: str = "") -> FollowUp:
    person = follow_up.person
    _require(by, Perm.HC_RECORD_CHECK, person)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != FollowUp.Status.OPEN:
        raise ValidationError("This follow-up is already closed")
    if status not in (FollowUp.Status.DONE, FollowUp.Status.DECLINED):
        raise ValidationError({"status": "Select whether it was done or declined"})
    follow_up.status = status
    follow_up.note = note.strip()
    follow_up.completed_on = timezone.localdate()
    follow_up.full_clean(exclude=["person", "check_record", "owner"])
    follow_up.save()
    audit_record(by=by, action=AuditAction.UPDATE, what="health check follow-up", person=person, obj=follow_up)
    _timeline(person, "follow_up_closed", f"Follow-up {follow_up.get_status_display().lower()}", by, follow_up.action)
    return follow_up


# The person's health plan -------------------------------------------------------------------------------------


class StalePlan(Exception):
    pass


@transaction.atomic
def plan_save(*, by, person: Person, what_matters: str, goals: str, agreed: bool, expected_version: int | None):
    _require(by, Perm.HC_RECORD_CHECK, person)
    plan = HealthPlan.objects.select_for_update().filter(person=person).first()
    if plan is None:
        plan = HealthPlan(person=person, updated_by=by, version=0)
    elif expected_version is not None and plan.version != expected_version:
        raise StalePlan("Someone else changed this plan after you opened it: check it and save again")
    plan.what_matters = what_matters.strip()
    plan.goals = goals.strip()
    plan.agreed_with_person = agreed
    plan.version += 1
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.full_clean(exclude=["person", "updated_by"])
    plan.save()
    audit_record(by=by, action=AuditAction.UPDATE, what="physical health plan", person=person, obj=plan)
    _timeline(person, "plan_updated", "Physical health plan updated" + (" with the person" if agreed else ""), by)
    return plan


# Register updates out -----------------------------------------------------------------------------------------

UPDATE_COLUMNS = ("nhs_number", "date", "snomed_code", "description", "value", "unit")


def _may_exchange_files(by, practice) -> bool:
    from .registers import _allowed_practices

    if not may(by, Perm.HC_REGISTER_FILES):
        return False
    allowed = _allowed_practices(by)
    return allowed is None or practice.pk in allowed


@transaction.atomic
def update_file_create(*, by, practice) -> RegisterUpdateFile:
    """Every coded result not yet sent to the practice, in one file. A result goes in one file only. Results with no
    SNOMED CT code are not written; they are kept against the file as what it does not carry."""
    if not _may_exchange_files(by, practice):
        raise NotAllowed(Perm.HC_REGISTER_FILES)
    pending = list(
        CodedResult.objects.select_for_update()
        .filter(practice=practice, update_file__isnull=True)
        .select_related("person")
        .order_by("date", "person_id", "id")
    )
    coded = [r for r in pending if r.snomed_code]
    if not coded:
        raise ValidationError("There are no new results to send to this practice")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(UPDATE_COLUMNS)
    for r in coded:
        writer.writerow([r.person.nhs_number, r.date.isoformat(), r.snomed_code, r.description, r.value, r.unit])
    made = RegisterUpdateFile.objects.create(practice=practice, created_by=by, content=out.getvalue(), rows=len(coded))
    # The results with no code go with the file too, so the page can say which of its checks' results it lacks.
    CodedResult.objects.filter(pk__in=[r.pk for r in pending]).update(update_file=made)
    audit_record(by=by, action=AuditAction.EXPORT, what="SMI register update file", obj=made, reason=str(practice))
    from joinedup.messaging.mesh import register_update_queue

    register_update_queue(update_file=made)  # through MESH when the practice has a mailbox; sent once MESH has it
    return made


@transaction.atomic
def update_file_resend(*, by, update_file: RegisterUpdateFile) -> RegisterUpdateFile:
    """Send an earlier file again, on purpose: a new file with the same rows, marked as a re-send."""
    if not _may_exchange_files(by, update_file.practice):
        raise NotAllowed(Perm.HC_REGISTER_FILES)
    made = RegisterUpdateFile.objects.create(
        practice=update_file.practice,
        created_by=by,
        content=update_file.content,
        rows=update_file.rows,
        resend_of=update_file,
    )
    audit_record(by=by, action=AuditAction.EXPORT, what="SMI register update file re-sent", obj=made)
    from joinedup.messaging.mesh import register_update_queue

    register_update_queue(update_file=made)
    return made


@transaction.atomic
def update_file_mark(*, by, update_file: RegisterUpdateFile, step: str) -> RegisterUpdateFile:
    if not _may_exchange_files(by, update_file.practice):
        raise NotAllowed(Perm.HC_REGISTER_FILES)
    f = RegisterUpdateFile.objects.select_for_update().get(pk=update_file.pk)
    if step == "sent":
        if f.sent_at:
            raise ValidationError("This file is already marked as sent")
        f.sent_at = timezone.now()
    elif step == "acknowledged":
        if not f.sent_at:
            raise ValidationError("Mark the file as sent before recording the practice's acknowledgement")
        if f.acknowledged_at:
            raise ValidationError("This file is already acknowledged")
        f.acknowledged_at = timezone.now()
    else:
        raise ValidationError("Unknown step")
    f.save()
    audit_record(by=by, action=AuditAction.UPDATE, what=f"SMI register update file {step}", obj=f)
    return f
