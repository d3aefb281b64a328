"""The FHIR R4 API: thin views over the auth, queries and mappers. Base URL /fhir/R4/."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from joinedup.accounts.roles import Perm
from joinedup.core.access import may
from joinedup.core.audit import AuditAction, audit_record

from . import queries
from .auth import ASSERTION_TYPE, TokenRefused, verify_assertion
from .decorators import fhir_open, token_api
from .mappers.bundle import searchset
from .mappers.capability import capability_statement, smart_configuration
from .mappers.condition import condition_resource
from .mappers.observation import element_named, elements_of, observation_resource
from .mappers.organization import organization_resource
from .mappers.patient import patient_resource
from .resources import CONDITION, OBSERVATION, ORGANIZATION, PATIENT
from .responses import FhirError, fhir_base, resource_response
from .search import parse_search
from .services import access_token_issue


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
    person = queries.patient_for(by=by, resource_id=resource_id)
    if not may(by, Perm.VIEW_RECORD, person):
        raise FhirError(403, "forbidden", "The client's organisation may not read this record")
    audit_record(by=by, action=AuditAction.VIEW, what="FHIR Patient", person=person, obj=person, request=request)
    return resource_response(patient_resource(person))


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


@token_api(OBSERVATION.name, "read")
def observation_read(request, by, resource_id):
    check = queries.health_check_for(by=by, resource_id=resource_id)
    item = element_named(check, resource_id.split("-", 1)[-1])
    if item is None:
        raise FhirError(404, "not-found", "No such observation")
    _may_see_health_checks(request, by, [check.person], "FHIR Observation", AuditAction.VIEW)
    return resource_response(observation_resource(item))


@token_api(OBSERVATION.name, "search-type")
def observation_search(request, by):
    search = parse_search(request, OBSERVATION.search_params)
    checks = queries.health_checks_matching(by=by, search=search)
    items, total, more = queries.page_of([e for c in checks for e in elements_of(c)], search)
    _may_see_health_checks(request, by, [i.check.person for i in items], "FHIR Observation search", AuditAction.SEARCH)
    return _searchset(request, OBSERVATION, [observation_resource(i) for i in items], search, total, more)


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


def _searchset(request, resource_type, resources, search, total, more):
    bundle = searchset(
        base=fhir_base(request),
        resource_type=resource_type.name,
        resources=resources,
        search=search,
        total=total,
        more=more,
    )
    return resource_response(bundle)


@token_api()
def unknown(request, by):
    raise FhirError(404, "not-supported", f"This server has no {request.path}; see {fhir_base(request)}metadata")
