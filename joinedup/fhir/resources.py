"""What the API serves: each resource type, its UK Core profile, interactions and search parameters.

This is the one list the views, the search parser and the CapabilityStatement read, so the
CapabilityStatement says exactly what works (tests/test_capability.py exercises every entry).
"""

from dataclasses import dataclass

from django.db.models import Q

from joinedup.core.paging import row_id
from joinedup.core.validators import normalise_nhs_number

from .mappers.identifiers import (
    NHS_NUMBER_SYSTEM,
    ODS_CODE_SYSTEM,
    UKCORE_CONDITION,
    UKCORE_OBSERVATION,
    UKCORE_ORGANIZATION,
    UKCORE_PATIENT,
)
from .search import SearchParam, date_filter, patient_reference, starts_with, token

SPEC = "http://hl7.org/fhir/SearchParameter/"


@dataclass(frozen=True)
class ResourceType:
    name: str
    profile: str
    interactions: tuple[str, ...]  # FHIR type-level and instance-level interaction codes
    search_params: tuple[SearchParam, ...]


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
    interactions=("read", "search-type"),
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


def _patient(spec_name: str) -> SearchParam:
    return SearchParam(
        "patient",
        "reference",
        "The patient (Patient/12); required",
        patient_reference("person_id"),
        SPEC + spec_name,
        required=True,
    )


OBSERVATION = ResourceType(
    name="Observation",
    profile=UKCORE_OBSERVATION,
    interactions=("read", "search-type"),
    search_params=(_patient("clinical-patient"),),
)

CONDITION = ResourceType(
    name="Condition",
    profile=UKCORE_CONDITION,
    interactions=("read", "search-type"),
    search_params=(_patient("clinical-patient"),),
)

SUPPORTED = (PATIENT, ORGANIZATION, OBSERVATION, CONDITION)
