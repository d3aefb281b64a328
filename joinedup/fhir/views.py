"""The FHIR R4 API: thin views over the auth, queries and mappers. Base URL /fhir/R4/."""

import datetime as dt
import json

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from joinedup.accounts.roles import Perm
from joinedup.core.access import may, visible_people
from joinedup.core.audit import AuditAction, audit_list, audit_record
from joinedup.core.paging import whole_number

from . import bulk, compartment, queries, services
from .auth import ASSERTION_TYPE, TokenRefused, verify_assertion
from .compartment import Compartment
from .decorators import by_method, fhir_open, token_api
from .history import patient_versions
from .mappers.audit import audit_event_resource
from .mappers.bundle import history as history_bundle
from .mappers.bundle import searchset
from .mappers.capability import capability_statement, smart_configuration
from .mappers.condition import condition_resource
from .mappers.group import group_resource
from .mappers.observation import element_named, observation_resource
from .mappers.organization import organization_resource
from .mappers.patient import patient_data, patient_resource
from .mappers.practitioner import practitioner_resource, practitioner_role_resource
from .models import ExportJob
from .resources import (
    AUDIT_EVENT,
    CONDITION,
    GROUP,
    OBSERVATION,
    ORGANIZATION,
    PATIENT,
    PRACTITIONER,
    PRACTITIONER_ROLE,
)
from .responses import JSON_FORMATS, FhirError, data_response, fhir_base, outcome_response, resource_response
from .scopes import allowed
from .search import parse_search
from .services import access_token_issue

MAX_WRITE_BYTES = 50_000_000


def _token_url(request) -> str:
    return fhir_base(request) + reverse("fhir:token").split("/fhir/R4/", 1)[1]


@fhir_open()
def metadata(request):
    return resource_response(capability_statement(base=fhir_base(request), token_url=_token_url(request)))


@fhir_open()
def smart_config(request):
    return resource_response(smart_configuration(token_url=_token_url(request)))


@csrf_exempt  # authenticated by the signed client assertion, never by a cookie
@fhir_open(methods=("POST",))
def token(request):
    """SMART Backend Services token endpoint. Refusals are OAuth 2.0 errors (RFC 6749 5.2), as SMART requires."""
    form = request.POST
    try:
        if form.get("grant_type") != "client_credentials":
            raise TokenRefused("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise TokenRefused("invalid_client", f"client_assertion_type must be {ASSERTION_TYPE}")
        if not form.get("client_assertion"):
            raise TokenRefused("invalid_client", "A signed client_assertion is needed")
        client, claims = verify_assertion(assertion=form["client_assertion"], audience=_token_url(request))
        access_token, row = access_token_issue(client=client, scope=form.get("scope", ""), assertion_claims=claims)
    except TokenRefused as e:
        return _no_store(resource_response({"error": e.error, "error_description": e.description}, status=e.status))
    seconds = int((row.expires_at - row.issued_at).total_seconds())
    return _no_store(
        resource_response(
            {"access_token": access_token, "token_type": "bearer", "expires_in": seconds, "scope": row.scopes}
        )
    )


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@token_api(PATIENT.name, "read")
def patient_read(request, by, resource_id):
    return data_response(patient_data(_readable_patient(request, by, resource_id, "FHIR Patient")))


def _readable_patient(request, by, resource_id, what):
    person = queries.patient_for(by=by, resource_id=resource_id)
    if not may(by, Perm.VIEW_RECORD, person):
        raise FhirError(403, "forbidden", "The client's organisation may not read this record")
    audit_record(by=by, action=AuditAction.VIEW, what=what, person=person, obj=person, request=request)
    return person


@token_api(PATIENT.name, "history-instance")
def patient_history(request, by, resource_id):
    person = _readable_patient(request, by, resource_id, "FHIR Patient history")
    return resource_response(history_bundle(base=fhir_base(request), versions=patient_versions(person)))


@token_api(PATIENT.name, "vread")
def patient_vread(request, by, resource_id, version_id):
    person = _readable_patient(request, by, resource_id, "FHIR Patient version")
    found = [v for v in patient_versions(person) if v["meta"]["versionId"] == version_id]
    if not found:
        raise FhirError(404, "not-found", f"Patient/{resource_id} has no version {version_id[:20]}")
    return _as_model(found[0])


@token_api(GROUP.name, "read")
def group_read(request, by, group_id):
    """A Group's members that this client may see (the same people its $export would hold), each audited."""
    named = bulk.group_named(group_id[:64])
    if named is None:
        raise FhirError(404, "not-found", "No such Group: register-<organisation id> or emdt-<team id>")
    name, members = named
    person_ids = list(visible_people(by).filter(pk__in=members).order_by("pk").values_list("pk", flat=True))
    audit_list(by=by, what="FHIR Group", person_ids=person_ids, request=request)
    return resource_response(group_resource(group_id=group_id, name=name, person_ids=person_ids))


@token_api(PATIENT.name, "search-type")
def patient_search(request, by):
    search = parse_search(request, PATIENT.search_params)
    if not may(by, Perm.SEARCH_PEOPLE) or not may(by, Perm.VIEW_RECORD):
        raise FhirError(403, "forbidden", "The client's organisation may not search records")
    people, total, more = queries.patients_matching(by=by, search=search)
    for person in people:
        audit_record(
            by=by, action=AuditAction.SEARCH, what="FHIR Patient search", person=person, obj=person, request=request
        )
    return _searchset(request, PATIENT, [patient_resource(p) for p in people], search, total, more)


@token_api(ORGANIZATION.name, "read")
def organization_read(request, by, resource_id):
    return resource_response(organization_resource(queries.organisation_for(resource_id=resource_id)))


@token_api(ORGANIZATION.name, "search-type")
def organization_search(request, by):
    search = parse_search(request, ORGANIZATION.search_params)
    organisations, total, more = queries.organisations_matching(search=search)
    return _searchset(request, ORGANIZATION, [organization_resource(o) for o in organisations], search, total, more)


@token_api(CONDITION.name, "read")
def condition_read(request, by, resource_id):
    entry = queries.register_entry_for(by=by, resource_id=resource_id)
    _may_see_health_checks(request, by, [entry.person], "FHIR Condition", AuditAction.VIEW)
    return resource_response(condition_resource(entry))


@token_api(CONDITION.name, "search-type")
def condition_search(request, by):
    search = parse_search(request, CONDITION.search_params)
    entries, total, more = queries.register_entries_matching(by=by, search=search)
    _may_see_health_checks(request, by, [e.person for e in entries], "FHIR Condition search", AuditAction.SEARCH)
    return _searchset(request, CONDITION, [condition_resource(e) for e in entries], search, total, more)


def _may_see_health_checks(request, by, people, what, action):
    """Health check data needs the health check permission for each person; each is audited once."""
    for person in {p.pk: p for p in people}.values():
        if not may(by, Perm.HC_VIEW, person):
            raise FhirError(403, "forbidden", "The client's organisation may not see health check records")
        audit_record(by=by, action=action, what=what, person=person, request=request)


def _searchset(request, resource_type, resources, search, total, more, included=()):
    bundle = searchset(
        base=fhir_base(request),
        resource_type=resource_type.name,
        resources=resources,
        search=search,
        total=total,
        more=more,
        included=included,
    )
    return resource_response(bundle)


@token_api(PRACTITIONER.name, "read")
def practitioner_read(request, by, resource_id):
    return _as_model(practitioner_resource(queries.practitioner_for(resource_id=resource_id)))


@token_api(PRACTITIONER.name, "search-type")
def practitioner_search(request, by):
    search = parse_search(request, PRACTITIONER.search_params)
    users, total, more = queries.practitioners_matching(search=search)
    return _searchset(request, PRACTITIONER, [practitioner_resource(u) for u in users], search, total, more)


@token_api(PRACTITIONER_ROLE.name, "read")
def practitionerrole_read(request, by, resource_id):
    return _as_model(practitioner_role_resource(queries.practitioner_role_for(resource_id=resource_id)))


@token_api(PRACTITIONER_ROLE.name, "search-type")
def practitionerrole_search(request, by):
    search = parse_search(request, PRACTITIONER_ROLE.search_params)
    rows, total, more = queries.practitioner_roles_matching(search=search)
    return _searchset(request, PRACTITIONER_ROLE, [practitioner_role_resource(m) for m in rows], search, total, more)


def _may_review_audit(by):
    if not may(by, Perm.REVIEW_AUDIT):
        raise FhirError(403, "forbidden", "Only information governance may read the audit trail")


@token_api(AUDIT_EVENT.name, "read")
def auditevent_read(request, by, resource_id):
    _may_review_audit(by)
    event = queries.audit_event_for(by=by, resource_id=resource_id)
    audit_record(by=by, action=AuditAction.VIEW, what="FHIR AuditEvent", obj=event, request=request)
    return _as_model(audit_event_resource(event))


@token_api(AUDIT_EVENT.name, "search-type")
def auditevent_search(request, by):
    _may_review_audit(by)
    search = parse_search(request, AUDIT_EVENT.search_params)
    events, total, more = queries.audit_events_matching(by=by, search=search)
    audit_record(by=by, action=AuditAction.SEARCH, what="FHIR AuditEvent search", request=request)
    return _searchset(request, AUDIT_EVENT, [audit_event_resource(e) for e in events], search, total, more)


def _as_model(resource: dict, status: int = 200):
    return resource_response(get_fhir_model_class(resource["resourceType"]).model_validate(resource), status=status)


def compartment_views(c: Compartment, create=None) -> list:
    """read, search (and vread and _history where the type lists them, and create when given) for one
    patient-compartment type."""
    name = c.type.name

    @token_api(name, "read")
    def read(request, by, resource_id):
        return _as_model(compartment.read(request, by, c, resource_id))

    @token_api(name, "search-type")
    def search(request, by):
        parsed = parse_search(request, c.type.search_params, c.type.includes)
        resources, total, more = compartment.search(request, by, c, parsed)
        included = []
        if "CarePlan:subject" in parsed.includes:
            subjects = {int(r["subject"]["reference"].split("/")[1]) for r in resources}
            people = queries.people_for(by=by, pks=subjects)
            included = [patient_resource(p) for p in people]
        return _searchset(request, c.type, resources, parsed, total, more, included)

    @token_api(name, "history-instance")
    def history(request, by, resource_id):
        versions = compartment.history(request, by, c, resource_id)
        return resource_response(history_bundle(base=fhir_base(request), versions=versions))

    @token_api(name, "vread")
    def vread(request, by, resource_id, version_id):
        versions = compartment.history(request, by, c, resource_id)
        found = [v for v in versions if v["meta"]["versionId"] == version_id]
        if not found:
            raise FhirError(404, "not-found", f"{name}/{resource_id} has no version {version_id[:20]}")
        return _as_model(found[0])

    views = [
        path(name, by_method(get=search, post=create) if create else search, name=f"{name.lower()}_search"),
        path(f"{name}/<str:resource_id>", read, name=f"{name.lower()}_read"),
    ]
    if "vread" in c.type.interactions:
        views += [
            path(f"{name}/<str:resource_id>/_history", history, name=f"{name.lower()}_history"),
            path(f"{name}/<str:resource_id>/_history/<str:version_id>", vread, name=f"{name.lower()}_vread"),
        ]
    return views


@token_api()
def unknown(request, by):
    raise FhirError(404, "not-supported", f"This server has no {request.path}; see {fhir_base(request)}metadata")


# --- Writes ---------------------------------------------------------------------------------------------------


def _body(request) -> dict:
    if not request.content_type or request.content_type.split(";")[0].strip() not in JSON_FORMATS:
        raise FhirError(415, "not-supported", "Send the resource as application/fhir+json")
    if len(request.body) > MAX_WRITE_BYTES:
        raise FhirError(413, "too-costly", f"At most {MAX_WRITE_BYTES // 1_000_000} MB a request")
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise FhirError(400, "structure", "The body is not JSON") from None
    if "\x00" in request.body.decode("utf-8") or "\\u0000" in request.body.decode("utf-8"):
        raise FhirError(400, "structure", "The body cannot contain a NUL character")
    return body


def _written_resource(written):
    if written.resource_type == "Patient":
        return patient_resource(written.row)
    item = element_named(written.row, written.element) if written.element else None
    return observation_resource(item) if item else None


def _location(request, written, resource) -> str:
    if resource is None:
        return ""
    version = getattr(resource.meta, "versionId", None) if resource.meta else None
    url = f"{fhir_base(request)}{written.resource_type}/{resource.id}"
    return f"{url}/_history/{version}" if version else url


def _write_response(request, written):
    resource = _written_resource(written)
    if resource is None:
        response = outcome_response(201, "informational", "Recorded; this element is not served back yet")
        response.status_code = 201
        return response
    response = resource_response(resource, status=201 if written.created else 200)
    if written.created:
        response["Location"] = _location(request, written, resource)
    return response


@token_api(PATIENT.name, "create", methods=("POST",))
def patient_create(request, by):
    written = services.fhir_patient_create(
        by=by, body=_body(request), if_none_exist=request.headers.get("If-None-Exist")
    )
    return _write_response(request, written)


@token_api(PATIENT.name, "update", methods=("PUT",))
def patient_update(request, by, resource_id):
    person = queries.patient_for(by=by, resource_id=resource_id)
    written = services.fhir_patient_update(
        by=by, person=person, body=_body(request), expected_version=_if_match(request)
    )
    return _write_response(request, written)


def _if_match(request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    version = whole_number(header.strip().removeprefix("W/").strip('"'), maximum=10**9)
    if version is None:
        raise FhirError(400, "invalid", 'If-Match takes a version such as W/"3"')
    return version


@token_api(OBSERVATION.name, "create", methods=("POST",))
def observation_create(request, by):
    return _write_response(request, services.fhir_observation_create(by=by, body=_body(request)))


@token_api(None, None, methods=("POST",))
def transaction(request, by):
    """A transaction Bundle: every entry needs its create scope (Patient.c, Observation.c)."""
    body = _body(request)
    kinds = {
        e.get("resource", {}).get("resourceType")
        for e in (body.get("entry") or [])
        if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    }
    for kind in sorted(k for k in kinds if k in ("Patient", "Observation")):
        if not allowed(request.fhir_scopes, kind, "c"):
            raise FhirError(403, "forbidden", f"The access token does not allow create of {kind}")
    results = services.fhir_transaction(by=by, bundle=body)
    entries = []
    for written in results:
        entry = {"response": {"status": "201 Created" if written.created else "200 OK"}}
        if written.resource_type == "Patient":  # where it is and its version, without mapping the whole resource
            url, version = f"{fhir_base(request)}Patient/{written.row.pk}", str(written.row.version)
            entry["response"] |= {"location": f"{url}/_history/{version}", "etag": f'W/"{version}"'}
        elif (resource := _written_resource(written)) is not None:
            entry["response"]["location"] = _location(request, written, resource)
            if resource.meta and resource.meta.versionId:
                entry["response"]["etag"] = f'W/"{resource.meta.versionId}"'
        entries.append(entry)
    return resource_response(Bundle.model_validate({"type": "transaction-response", "entry": entries}))


# --- Bulk Data $export --------------------------------------------------------------------------------------------


def _export_kickoff(request, by, level: str, group: str = ""):
    if "respond-async" not in request.headers.get("Prefer", "").lower():
        raise FhirError(400, "invalid", "Bulk export runs asynchronously: send Prefer: respond-async")
    lenient = "handling=lenient" in request.headers.get("Prefer", "").replace(" ", "").lower()
    known = set(request.GET) - {"_type", "_since", "_outputFormat"}
    if known and not lenient:
        name = sorted(known)[0][:50]
        raise FhirError(400, "not-supported", f"$export does not take {name}", expression=name)
    output_format = request.GET.get("_outputFormat", bulk.NDJSON)
    if output_format not in bulk.OUTPUT_FORMATS:
        raise FhirError(
            400, "not-supported", "_outputFormat must be application/fhir+ndjson", expression="_outputFormat"
        )
    exportable = bulk.exportable()
    if "_type" in request.GET:
        asked = [t.strip() for t in ",".join(request.GET.getlist("_type")).split(",") if t.strip()]
        unknown = [t for t in asked if t not in exportable]
        if unknown and not lenient:
            raise FhirError(400, "not-supported", f"{unknown[0][:50]!r} cannot be exported", expression="_type")
        types = [t for t in dict.fromkeys(asked) if t in exportable]
        refused = [t for t in types if not allowed(request.fhir_scopes, t, "r")]
        if refused:
            raise FhirError(403, "forbidden", f"The access token does not allow reading {refused[0]}")
    else:
        types = [t for t in exportable if allowed(request.fhir_scopes, t, "r")]
    if not types:
        raise FhirError(403, "forbidden", "The access token allows none of the types this server exports")
    since = None
    if "_since" in request.GET:
        try:
            since = dt.datetime.fromisoformat(request.GET["_since"].replace("Z", "+00:00"))
        except ValueError:
            since = None
        if since is None or since.tzinfo is None:
            raise FhirError(
                400, "invalid", "_since must be an instant such as 2026-01-01T00:00:00Z", expression="_since"
            )
    if level == "group" and bulk.group_people(group) is None:
        raise FhirError(404, "not-found", "No such Group: register-<organisation id> or emdt-<team id>")
    bulk.remove_expired()
    job = services.export_job_create(
        client=request.fhir_client, level=level, group=group, types=types, since=since, url=request.build_absolute_uri()
    )
    bulk.start(job)
    response = HttpResponse(status=202)
    response["Content-Location"] = f"{fhir_base(request)}$export-status/{job.pk}"
    return response


@token_api(None, None)
def export_system(request, by):
    return _export_kickoff(request, by, "system")


@token_api(None, None)
def export_patients(request, by):
    return _export_kickoff(request, by, "patient")


@token_api(None, None)
def export_group(request, by, group_id):
    return _export_kickoff(request, by, "group", group_id[:64])


def _own_job(request, job_id):
    job = queries.export_job_for(client=request.fhir_client, job_id=job_id)
    return bulk.revive_if_worker_died(job)


@token_api(None, None)
def export_status_poll(request, by, job_id):
    job = _own_job(request, job_id)
    status = ExportJob.Status
    if job.status in (status.ACCEPTED, status.RUNNING):
        now = timezone.now()
        wait = settings.FHIR_EXPORT_POLL_SECONDS
        if job.last_polled_at and (now - job.last_polled_at).total_seconds() < wait:
            raise FhirError(429, "throttled", f"Poll at most every {wait} seconds", headers={"Retry-After": str(wait)})
        services.export_job_polled(job=job, at=now)
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or "Waiting for the worker"
        response["Retry-After"] = str(wait)
        return response
    if job.status == status.FAILED:
        raise FhirError(500, "exception", job.error or "The export failed")
    if job.status == status.CANCELLED:
        raise FhirError(404, "not-found", "This export was cancelled or has expired")
    base = fhir_base(request)
    manifest = {
        "transactionTime": job.transaction_time.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": o["type"], "url": f"{base}$export-file/{job.pk}/{o['file']}", "count": o["count"]}
            for o in job.output
        ],
        "error": [],
    }
    response = resource_response(manifest)
    response["Expires"] = http_date(job.expires_at.timestamp())
    return response


@token_api(None, None, methods=("DELETE",))
def export_cancel(request, by, job_id):
    job = _own_job(request, job_id)
    services.export_job_cancel(job=job)
    return HttpResponse(status=202)


@token_api(None, None)
def export_file(request, by, job_id, name):
    job = _own_job(request, job_id)
    files = {o["file"] for o in job.output} if job.status == ExportJob.Status.DONE else set()
    if name not in files:
        raise FhirError(404, "not-found", "No such file in this export")
    # FileResponse closes the file once it is sent.
    return FileResponse(open(bulk.job_dir(job) / name, "rb"), content_type=bulk.NDJSON)  # noqa: SIM115
