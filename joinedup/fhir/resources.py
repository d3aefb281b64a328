"""What the API serves: each resource type, its UK Core profile, interactions and search parameters.

This is the one list the views, the search parser and the CapabilityStatement read, so the
CapabilityStatement says exactly what works (tests/test_capability.py exercises every entry).
"""

import re
from dataclasses import dataclass

from django.db.models import Q

from joinedup.core.paging import row_id
from joinedup.core.validators import normalise_nhs_number

from .mappers.emdt import SERVICE_REQUEST_STATUSES, TASK_STATUSES
from .mappers.identifiers import (
    NHS_NUMBER_SYSTEM,
    ODS_CODE_SYSTEM,
    UKCORE_APPOINTMENT,
    UKCORE_AUDIT_EVENT,
    UKCORE_CARE_PLAN,
    UKCORE_CARE_TEAM,
    UKCORE_CONDITION,
    UKCORE_CONSENT,
    UKCORE_ENCOUNTER,
    UKCORE_EPISODE_OF_CARE,
    UKCORE_FLAG,
    UKCORE_OBSERVATION,
    UKCORE_ORGANIZATION,
    UKCORE_PATIENT,
    UKCORE_PRACTITIONER,
    UKCORE_PRACTITIONER_ROLE,
    UKCORE_QUESTIONNAIRE_RESPONSE,
    UKCORE_SERVICE_REQUEST,
    UKCORE_TASK,
)
from .search import (
    BadParameter,
    SearchParam,
    code_match,
    date_filter,
    date_match,
    patient_match,
    patient_reference,
    starts_with,
    token,
    value_match,
)

SPEC = "http://hl7.org/fhir/SearchParameter/"
PRACTITIONER_REFERENCE = re.compile(r"^(?:.*/)?(?:Practitioner/)?(?P<id>[0-9]{1,18})$")
CARE_PLAN_STATUSES = ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")


@dataclass(frozen=True)
class ResourceType:
    name: str
    profile: str
    interactions: tuple[str, ...]  # FHIR type-level and instance-level interaction codes
    search_params: tuple[SearchParam, ...]
    includes: tuple[str, ...] = ()  # `_include` values it answers, such as CarePlan:subject


def _id(text: str) -> Q:
    pk = row_id(text)
    return Q(pk=pk) if pk is not None else Q(pk__in=[])


def _nhs_number(text: str) -> Q:
    return Q(nhs_number=normalise_nhs_number(text))


def _ods_code(text: str) -> Q:
    return Q(code__iexact=text.strip(), kind="nhs")


ID = SearchParam("_id", "token", "The resource's logical id", token("", _id), SPEC + "Resource-id")

PATIENT = ResourceType(
    name="Patient",
    profile=UKCORE_PATIENT,
    interactions=("read", "vread", "history-instance", "search-type", "create", "update"),
    search_params=(
        ID,
        SearchParam(
            "identifier",
            "token",
            f"NHS number: {NHS_NUMBER_SYSTEM}|9990000018",
            token(NHS_NUMBER_SYSTEM, _nhs_number),
            SPEC + "Patient-identifier",
        ),
        SearchParam(
            "family", "string", "Start of the family name", starts_with("family_name"), SPEC + "individual-family"
        ),
        SearchParam("given", "string", "Start of the given name", starts_with("given_name"), SPEC + "individual-given"),
        SearchParam(
            "birthdate",
            "date",
            "Date of birth, with a prefix (ge, le...) and a precision of year, month or day",
            date_filter("date_of_birth"),
            SPEC + "individual-birthdate",
        ),
    ),
)

ORGANIZATION = ResourceType(
    name="Organization",
    profile=UKCORE_ORGANIZATION,
    interactions=("read", "search-type"),
    search_params=(
        ID,
        SearchParam(
            "identifier",
            "token",
            f"ODS code: {ODS_CODE_SYSTEM}|A82003",
            token(ODS_CODE_SYSTEM, _ods_code),
            SPEC + "Organization-identifier",
        ),
        SearchParam(
            "name", "string", "Start of the organisation's name", starts_with("name"), SPEC + "Organization-name"
        ),
    ),
)


def _patient(spec_name: str, required: bool = True) -> SearchParam:
    return SearchParam(
        "patient",
        "reference",
        "The patient (Patient/12)" + ("; required" if required else ""),
        patient_reference("person_id"),
        SPEC + spec_name,
        required=required,
    )


def _in_compartment(spec_name: str) -> SearchParam:
    return SearchParam(
        "patient", "reference", "The patient (Patient/12); required", patient_match, SPEC + spec_name, required=True
    )


def _status(spec_name: str, allowed: tuple[str, ...]) -> SearchParam:
    return SearchParam(
        "status",
        "token",
        f"Status: {', '.join(allowed)}",
        value_match(lambda r: r.get("status"), allowed),
        SPEC + spec_name,
    )


def _first_date(*names):
    def value_of(resource):
        for name in names:
            value = resource.get(name)
            if isinstance(value, dict):
                value = value.get("start")
            if value:
                return value
        return None

    return value_of


LAST_UPDATED = SearchParam(
    "_lastUpdated",
    "date",
    "When the resource last changed, with a prefix",
    date_match(lambda r: r.get("meta", {}).get("lastUpdated")),
    SPEC + "Resource-lastUpdated",
)
READ_SEARCH = ("read", "search-type")
OBSERVATION = ResourceType(
    name="Observation",
    profile=UKCORE_OBSERVATION,
    interactions=(*READ_SEARCH, "create"),
    search_params=(
        _in_compartment("clinical-patient"),
        SearchParam(
            "code",
            "token",
            "The code: http://snomed.info/sct|60621009, or the code alone",
            code_match(lambda r: r.get("code", {}).get("coding", [])),
            SPEC + "clinical-code",
        ),
        SearchParam(
            "date",
            "date",
            "When it was measured, with a prefix",
            date_match(_first_date("effectiveDateTime")),
            SPEC + "clinical-date",
        ),
        LAST_UPDATED,
    ),
)

CONDITION = ResourceType(
    name="Condition",
    profile=UKCORE_CONDITION,
    interactions=READ_SEARCH,
    search_params=(_patient("clinical-patient"),),
)

PRACTITIONER = ResourceType(
    name="Practitioner",
    profile=UKCORE_PRACTITIONER,
    interactions=READ_SEARCH,
    search_params=(
        ID,
        SearchParam(
            "name",
            "string",
            "Start of the first or last name",
            lambda text: starts_with("first_name")(text) | starts_with("last_name")(text),
            SPEC + "Practitioner-name",
        ),
    ),
)


def _practitioner(text: str) -> Q:
    match = PRACTITIONER_REFERENCE.match(text)
    if not match:
        raise BadParameter(f"{text[:50]!r} is not a reference to a Practitioner, such as Practitioner/12")
    return Q(user_id=int(match["id"]))


PRACTITIONER_ROLE = ResourceType(
    name="PractitionerRole",
    profile=UKCORE_PRACTITIONER_ROLE,
    interactions=READ_SEARCH,
    search_params=(
        ID,
        SearchParam(
            "practitioner", "reference", "The practitioner", _practitioner, SPEC + "PractitionerRole-practitioner"
        ),
    ),
)

CARE_TEAM = ResourceType("CareTeam", UKCORE_CARE_TEAM, READ_SEARCH, (_in_compartment("clinical-patient"),))
EPISODE_OF_CARE = ResourceType(
    "EpisodeOfCare", UKCORE_EPISODE_OF_CARE, READ_SEARCH, (_in_compartment("clinical-patient"),)
)
SERVICE_REQUEST = ResourceType(
    "ServiceRequest",
    UKCORE_SERVICE_REQUEST,
    READ_SEARCH,
    (_in_compartment("clinical-patient"), _status("ServiceRequest-status", SERVICE_REQUEST_STATUSES)),
)
ENCOUNTER = ResourceType(
    "Encounter",
    UKCORE_ENCOUNTER,
    READ_SEARCH,
    (
        _in_compartment("clinical-patient"),
        SearchParam("date", "date", "When it took place", date_match(_first_date("period")), SPEC + "clinical-date"),
    ),
)
APPOINTMENT = ResourceType(
    "Appointment",
    UKCORE_APPOINTMENT,
    READ_SEARCH,
    (
        _in_compartment("Appointment-patient"),
        SearchParam("date", "date", "When it starts", date_match(_first_date("start")), SPEC + "Appointment-date"),
    ),
)
CARE_PLAN = ResourceType(
    "CarePlan",
    UKCORE_CARE_PLAN,
    ("read", "vread", "history-instance", "search-type"),
    (_in_compartment("clinical-patient"), _status("CarePlan-status", CARE_PLAN_STATUSES)),
    includes=("CarePlan:subject",),
)
GOAL = ResourceType(
    "Goal", "", ("read", "vread", "history-instance", "search-type"), (_in_compartment("Goal-patient"),)
)
TASK = ResourceType(
    "Task",
    UKCORE_TASK,
    READ_SEARCH,
    (_in_compartment("Task-patient"), _status("Task-status", TASK_STATUSES)),
)
QUESTIONNAIRE_RESPONSE = ResourceType(
    "QuestionnaireResponse",
    UKCORE_QUESTIONNAIRE_RESPONSE,
    READ_SEARCH,
    (_in_compartment("QuestionnaireResponse-patient"),),
)
CONSENT = ResourceType("Consent", UKCORE_CONSENT, READ_SEARCH, (_in_compartment("clinical-patient"),))
FLAG = ResourceType("Flag", UKCORE_FLAG, READ_SEARCH, (_in_compartment("clinical-patient"),))
AUDIT_EVENT = ResourceType(
    "AuditEvent",
    UKCORE_AUDIT_EVENT,
    READ_SEARCH,
    (
        _patient("AuditEvent-patient", required=False),
        SearchParam(
            "date", "date", "When it happened, with a prefix", date_filter("at__date"), SPEC + "AuditEvent-date"
        ),
    ),
)

# The Groups that Bulk Data exports (bulk.group_people): read gives their members this client may see. UK Core
# has no Group profile.
GROUP = ResourceType("Group", "", ("read",), ())

SYSTEM_INTERACTIONS = ("transaction",)  # a Bundle of Patients and Observations, posted to the base
SUPPORTED = (
    PATIENT,
    ORGANIZATION,
    PRACTITIONER,
    PRACTITIONER_ROLE,
    OBSERVATION,
    CONDITION,
    CARE_TEAM,
    EPISODE_OF_CARE,
    SERVICE_REQUEST,
    ENCOUNTER,
    APPOINTMENT,
    CARE_PLAN,
    GOAL,
    TASK,
    QUESTIONNAIRE_RESPONSE,
    CONSENT,
    FLAG,
    AUDIT_EVENT,
    GROUP,
)
