"""Registering system clients and issuing their access tokens: one transaction each, audited."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.accounts.roles import Perm, Role
from joinedup.accounts.services import staff_create
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record
from joinedup.directory.models import Team
from joinedup.people.services import NotAllowed

from .auth import TokenRefused, token_hash, validate_jwks
from .models import AccessToken, SystemClient, UsedAssertion, new_client_id
from .scopes import ScopeError, covered, parse_scopes

SERVICE_ACCOUNT_LAST_NAME = "(FHIR system client)"


@transaction.atomic
def system_client_register(*, by, organisation, name, role, jwks, scopes, teams=None) -> SystemClient:
    """An administrator registers a client for one organisation. The client acts through a service account that
    holds `role` in each of `teams` (by default every team of the organisation), so the access policy that
    governs staff decides what it sees."""
    if not may(by, Perm.MANAGE_USERS):
        raise NotAllowed("Only an administrator may register a system client")
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}"})
    try:
        granted = parse_scopes(scopes)
    except ScopeError as e:
        raise ValidationError({"scopes": str(e)}) from None
    if not granted:
        raise ValidationError({"scopes": "Grant at least one system scope, such as system/Patient.read"})
    validate_jwks(jwks)
    teams = list(Team.objects.filter(organisation=organisation).order_by("code") if teams is None else teams)
    if not teams:
        raise ValidationError({"teams": f"{organisation} has no teams for the client to act in"})
    if any(t.organisation_id != organisation.pk for t in teams):
        raise ValidationError({"teams": f"Every team must belong to {organisation}"})
    client_id = new_client_id()
    user = staff_create(
        username=f"fhir-{client_id}",
        first_name=name[:150],
        last_name=SERVICE_ACCOUNT_LAST_NAME,
        job_title="FHIR system client",
        memberships=[(team, role) for team in teams],
    )
    client = SystemClient(
        client_id=client_id,
        name=name,
        organisation=organisation,
        user=user,
        jwks=jwks,
        scopes=" ".join(s.text for s in granted),
        registered_by=by,
    )
    client.full_clean()
    client.save()
    audit_record(
        by=by,
        action=AuditAction.CREATE,
        what="FHIR system client",
        obj=client,
        reason=f"{name} for {organisation.code} as {role}; scopes {client.scopes}",
    )
    return client


@transaction.atomic
def access_token_issue(*, client, scope: str, assertion_claims=None) -> tuple[str, AccessToken]:
    """A short-lived token for the scopes asked for, which must lie within those granted. With the claims of a
    verified assertion, its jti is recorded so the same assertion cannot be used again."""
    try:
        asked = parse_scopes(scope)
    except ScopeError as e:
        raise TokenRefused("invalid_scope", str(e)) from None
    if not asked:
        raise TokenRefused("invalid_scope", "Ask for at least one system scope, such as system/Patient.read")
    if not covered(asked, parse_scopes(client.scopes)):
        raise TokenRefused("invalid_scope", f"The client has not been granted {scope!r}; it holds {client.scopes!r}")
    now = timezone.now()
    if assertion_claims is not None:
        try:
            with transaction.atomic():
                UsedAssertion.objects.create(
                    client=client,
                    jti=assertion_claims["jti"],
                    expires_at=dt.datetime.fromtimestamp(assertion_claims["exp"], tz=dt.UTC),
                )
        except IntegrityError:
            raise TokenRefused("invalid_client", "This client assertion has been used already (jti)") from None
        UsedAssertion.objects.filter(client=client, expires_at__lt=now - dt.timedelta(hours=1)).delete()
    AccessToken.objects.filter(client=client, expires_at__lt=now).delete()
    token = secrets.token_urlsafe(32)
    row = AccessToken.objects.create(
        token_hash=token_hash(token),
        client=client,
        scopes=" ".join(s.text for s in asked),
        issued_at=now,
        expires_at=now + dt.timedelta(seconds=settings.FHIR_ACCESS_TOKEN_SECONDS),
    )
    audit_record(by=client.user, action=AuditAction.CREATE, what="FHIR access token", reason=row.scopes)
    return token, row


@transaction.atomic
def system_client_deactivate(*, by, client, reason: str) -> SystemClient:
    """Switch a client off at once: its tokens stop working, its assertions are refused, its service account is
    deactivated. Kept, not deleted, so the audit trail still names it."""
    if not may(by, Perm.MANAGE_USERS):
        raise NotAllowed("Only an administrator may switch off a system client")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the client is being switched off"})
    client.active = False
    client.save(update_fields=["active"])
    client.user.is_active = False
    client.user.save(update_fields=["is_active"])
    AccessToken.objects.filter(client=client).delete()
    audit_record(by=by, action=AuditAction.UPDATE, what="FHIR system client switched off", obj=client, reason=reason)
    return client


# --- Writes from GP systems (see writes.py): each one transaction, through the owning apps' services ------------


@dataclass
class Written:
    """What a write did: the resource type, the row, and whether it was created (201) or found (200)."""

    resource_type: str
    row: object
    created: bool
    element: str = ""


def _patient_write(*, by, body: dict, if_none_exist: str | None, at: str) -> Written:
    from joinedup.people.services import person_register

    from . import writes

    fields = writes.patient_fields(body, by=by, at=at)
    if if_none_exist is not None:
        number = writes.if_none_exist_number(if_none_exist, at)
        found = writes.existing_patient(by=by, nhs_number=number, at=at)
        if found is not None:
            return Written("Patient", found, created=False)
    try:
        person = person_register(by=by, **fields)
    except ValidationError as e:
        raise writes.refused(e, writes.PATIENT_FIELD_PATH, at) from None
    return Written("Patient", person, created=True)


def _patients_write(*, by, entries: list[tuple[int, str, dict, str | None]]) -> list[Written]:
    """A Bundle's Patients, (index, FHIRPath, resource, ifNoneExist) each: those found by their condition are
    answered with the record found, the rest registered together through people.services.people_register."""
    from joinedup.people.services import RecordRefused, people_register

    from . import writes

    practices: dict = {}
    items = []
    for _, at, body, condition in entries:
        fields = writes.patient_fields(body, by=by, at=at, practices=practices)
        number = writes.if_none_exist_number(condition, at) if condition is not None else None
        items.append((at, fields, number))
    found = writes.existing_patients(by=by, nhs_numbers=[number for _, _, number in items if number])
    new, answers, made_here = [], [], {}
    for at, fields, number in items:
        if number and number in found:
            answers.append(("found", found[number]))
        elif number and number in made_here:  # a second conditional create of a Patient this Bundle makes
            answers.append(("again", made_here[number]))
        else:
            if fields["nhs_number"]:
                made_here[fields["nhs_number"]] = len(new)
            answers.append(("new", len(new)))
            new.append((at, fields))
    try:
        people = people_register(by=by, records=[fields for _, fields in new]) if new else []
    except RecordRefused as e:
        raise writes.refused(e.error, writes.PATIENT_FIELD_PATH, new[e.index][0]) from None
    return [
        Written("Patient", value, created=False)
        if how == "found"
        else Written("Patient", people[value], created=how == "new")
        for how, value in answers
    ]


@transaction.atomic
def fhir_patient_create(*, by, body: dict, if_none_exist: str | None = None) -> Written:
    """A Patient from a GP system, registered through people.services; conditionally on its NHS number."""
    return _patient_write(by=by, body=body, if_none_exist=if_none_exist, at="Patient")


@transaction.atomic
def fhir_patient_update(*, by, person, body: dict, expected_version: int | None) -> Written:
    """A Patient replaced; with If-Match, refused (412) when the record changed since that version."""
    from joinedup.people.services import StaleEdit, person_update

    from . import writes
    from .responses import FhirError

    if body.get("id") != str(person.pk):
        raise FhirError(400, "invalid", "The Patient's id must be the one in the address", expression="Patient.id")
    fields = writes.patient_fields(body, by=by)
    try:
        person = person_update(by=by, person=person, expected_version=expected_version or person.version, **fields)
    except StaleEdit as e:
        raise FhirError(
            412, "conflict", f"The Patient is at version {e.current.version}, not {expected_version}"
        ) from None
    except ValidationError as e:
        raise writes.refused(e, writes.PATIENT_FIELD_PATH, "Patient") from None
    return Written("Patient", person, created=False)


def _checks_write(*, by, observations: list[tuple[str, dict]]) -> list[Written]:
    """Observations as health checks: those of one person on one day make one check (so a full set is a full
    check), recorded through healthchecks.services.check_record."""
    from joinedup.healthchecks.services import check_record

    from . import writes

    grouped: dict[tuple[int, object], list] = {}
    for at, body in observations:
        person_id, done_on, values = writes.check_values(body, at=at)
        grouped.setdefault((person_id, done_on), []).append((at, values))
    written = {}
    for (person_id, done_on), items in grouped.items():
        first_at = items[0][0]
        person = writes.person_for_write(by=by, pk=person_id, at=first_at)
        values = {}
        for at, more in items:
            clash = set(values) & set(more)
            if clash:
                raise writes.unprocessable(f"{sorted(clash)[0]} is sent twice for the same day", f"{at}.code")
            values.update(more)
        try:
            check = check_record(by=by, person=person, done_on=done_on, **values)
        except ValidationError as e:
            raise writes.refused(e, writes.CHECK_FIELD_PATH, first_at) from None
        for at, more in items:
            written[at] = Written("Observation", check, created=True, element=writes.served_element(more))
    return [written[at] for at, _ in observations]


@transaction.atomic
def fhir_observation_create(*, by, body: dict) -> Written:
    return _checks_write(by=by, observations=[("Observation", body)])[0]


@transaction.atomic
def fhir_transaction(*, by, bundle: dict) -> list[Written]:
    """A transaction Bundle of Patients (conditional create on NHS number) and Observations: all or nothing.
    An Observation's subject may be the fullUrl of a Patient in the same Bundle."""
    from . import writes

    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
        raise writes.unprocessable("Send a Bundle of type transaction", "Bundle.type")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list) or not entries:
        raise writes.unprocessable("The transaction has no entries", "Bundle.entry")
    if len(entries) > writes.MAX_TRANSACTION_ENTRIES:
        raise writes.unprocessable(f"At most {writes.MAX_TRANSACTION_ENTRIES} entries a transaction", "Bundle.entry")
    results: dict[int, Written] = {}
    local_ids: dict[str, str] = {}
    patients, observations = [], []
    for index, entry in enumerate(entries):
        at = f"Bundle.entry[{index}]"
        request = entry.get("request") if isinstance(entry, dict) else None
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or request.get("method") != "POST" or not isinstance(resource, dict):
            raise writes.unprocessable("Each entry creates a Patient or an Observation (request.method POST)", at)
        kind = resource.get("resourceType")
        if request.get("url") != kind or kind not in ("Patient", "Observation"):
            raise writes.unprocessable("request.url must name the resource type: Patient or Observation", at)
        if kind == "Patient":
            patients.append((index, f"{at}.resource", resource, request.get("ifNoneExist")))
        else:
            observations.append((index, resource))
    for (index, *_), written in zip(patients, _patients_write(by=by, entries=patients), strict=True):
        results[index] = written
        full_url = entries[index].get("fullUrl")
        if isinstance(full_url, str):
            local_ids[full_url] = f"Patient/{written.row.pk}"
    resolved = []
    for index, resource in observations:
        subject = resource.get("subject") if isinstance(resource.get("subject"), dict) else {}
        if subject.get("reference") in local_ids:
            resource = {**resource, "subject": {**subject, "reference": local_ids[subject["reference"]]}}
        resolved.append((f"Bundle.entry[{index}].resource", resource))
    for (index, _), written in zip(observations, _checks_write(by=by, observations=resolved), strict=True):
        results[index] = written
    return [results[i] for i in range(len(entries))]


# --- Bulk Data $export jobs (bulk.py runs them) ---------------------------------------------------------------


@transaction.atomic
def export_job_create(*, client, level: str, group: str, types: list[str], since, url: str):
    from .models import ExportJob

    job = ExportJob.objects.create(
        client=client, level=level, group=group, types=types, since=since, request_url=url[:2000]
    )
    audit_record(
        by=client.user, action=AuditAction.EXPORT, what="FHIR bulk export requested", obj=job, reason=url[:500]
    )
    return job


def export_job_polled(*, job, at) -> None:
    from .models import ExportJob

    ExportJob.objects.filter(pk=job.pk).update(last_polled_at=at)


@transaction.atomic
def export_job_cancel(*, job) -> None:
    """Cancelled: the worker stops at its next chunk and the files go."""
    import shutil

    from .bulk import job_dir
    from .models import ExportJob

    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.CANCELLED, output=[], progress="Cancelled")
    shutil.rmtree(job_dir(job), ignore_errors=True)
    audit_record(by=job.client.user, action=AuditAction.UPDATE, what="FHIR bulk export cancelled", obj=job)
