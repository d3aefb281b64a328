"""Writes from GP systems: a Patient created (conditionally, on NHS number) or updated, an Observation of a
health check element, and transaction Bundles of both. Each reads the FHIR resource into the arguments of the
owning app's service (people.services.person_register / person_update, healthchecks.services.check_record) and
calls it as the client's service account, so the rules, the audit and the timeline are the ones the pages use.

A resource that cannot be used is a FhirError(422) whose `expression` points at the element at fault, in FHIRPath
(`Patient.birthDate`, `Bundle.entry[3].resource.identifier`).
"""

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from pydantic import ValidationError as ModelError

from joinedup.core.access import visible_people
from joinedup.core.validators import normalise_nhs_number
from joinedup.directory.models import Practice
from joinedup.healthchecks.models import GlucoseKind, SmokingStatus
from joinedup.healthchecks.valuesets import check_elements
from joinedup.people.models import Person, Sex

from .mappers.identifiers import NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM
from .responses import FhirError

SEX = {"male": Sex.MALE, "female": Sex.FEMALE, "unknown": Sex.NOT_KNOWN, "other": Sex.NOT_SPECIFIED}
PATIENT_FIELD_PATH = {
    "nhs_number": "identifier",
    "given_name": "name.given",
    "family_name": "name.family",
    "date_of_birth": "birthDate",
    "sex": "gender",
    "postcode": "address.postalCode",
    "address": "address.line",
    "phone": "telecom",
    "email": "telecom",
    "practice": "generalPractitioner",
}
# Health check elements a practice may send: SNOMED CT code (from the health checks' value set) -> check_record
# argument. BMI is worked out from height and weight by the health checks app, so it is taken from those.
NUMERIC = {
    "height": "height_cm",
    "weight": "weight_kg",
    "systolic": "systolic",
    "diastolic": "diastolic",
    "hba1c": "hba1c",
    "total_cholesterol": "total_cholesterol",
    "hdl_cholesterol": "hdl_cholesterol",
    "alcohol_units": "alcohol_units",
    "fasting_glucose": "glucose",
    "random_glucose": "glucose",
}
SMOKING = {
    "smoking_current": SmokingStatus.CURRENT,
    "smoking_ex": SmokingStatus.EX,
    "smoking_never": SmokingStatus.NEVER,
}
BLOOD_PRESSURE_PANEL = "75367002"
MAX_TRANSACTION_ENTRIES = 5000
# The element a created Observation is read back as (Observation/<check>-<element>); height and weight come back
# as the BMI worked out from them (once both are in); glucose is kept but not served yet.
SERVED_AS = {
    "height_cm": "bmi",
    "weight_kg": "bmi",
    "systolic": "systolic",
    "diastolic": "diastolic",
    "hba1c": "hba1c",
    "total_cholesterol": "total-cholesterol",
    "hdl_cholesterol": "hdl-cholesterol",
    "alcohol_units": "alcohol-units",
}
INTEGER_FIELDS = {"systolic", "diastolic", "hba1c", "alcohol_units"}


def unprocessable(diagnostics: str, expression: str) -> FhirError:
    return FhirError(422, "invalid", diagnostics, expression=expression)


def parsed(body, resource_type: str, at: str) -> dict:
    """The body checked as a fhir.resources model of `resource_type` and given back as that model writes it (nulls
    and empty elements gone, every element of its FHIR type); 422 naming the first element at fault."""
    from fhir.resources.R4B import get_fhir_model_class

    if not isinstance(body, dict) or body.get("resourceType") != resource_type:
        raise unprocessable(f"Send a {resource_type} resource", f"{at}.resourceType" if at else "resourceType")
    try:
        return json.loads(get_fhir_model_class(resource_type).model_validate(body).model_dump_json())
    except (ModelError, ValueError, TypeError) as e:
        if not isinstance(e, ModelError):
            raise unprocessable(f"Not a valid {resource_type}", at or resource_type) from None
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function"))
        raise unprocessable(f"{first['msg']}", f"{at or resource_type}.{where}".rstrip(".")) from None


def nhs_number_of(patient: dict) -> str:
    numbers = [i.get("value", "") for i in patient.get("identifier", []) if i.get("system") == NHS_NUMBER_SYSTEM]
    return normalise_nhs_number(numbers[0]) if numbers else ""


def patient_fields(body: dict, *, by, at: str = "Patient", practices: dict | None = None) -> dict:
    """person_register's arguments from a Patient. The practice is the client's own unless it names another."""
    body = parsed(body, "Patient", at)
    names = body.get("name") or []
    official = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    fields = {
        "nhs_number": nhs_number_of(body),
        "family_name": official.get("family", ""),
        "given_name": " ".join(official.get("given", [])[:1]),
        "sex": SEX.get(body.get("gender", "unknown"), Sex.NOT_KNOWN),
    }
    usual = next((n for n in names if n.get("use") == "usual"), None)
    if usual and usual.get("given"):
        fields["preferred_name"] = usual["given"][0]
    if not body.get("birthDate") or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["birthDate"]):
        raise unprocessable("A Patient needs a full date of birth (YYYY-MM-DD)", f"{at}.birthDate")
    fields["date_of_birth"] = dt.date.fromisoformat(body["birthDate"])
    address = (body.get("address") or [{}])[0]
    if address.get("postalCode"):
        fields["postcode"] = address["postalCode"]
    if address.get("line"):
        fields["address"] = ", ".join(address["line"])
    for telecom in body.get("telecom") or []:
        if telecom.get("system") in ("phone", "email") and telecom.get("value"):
            fields.setdefault(telecom["system"], telecom["value"])
    fields["practice"] = _practice(body, by=by, at=at, known={} if practices is None else practices)
    return fields


def _practice(body: dict, *, by, at: str, known: dict):
    """The Patient's practice (the client's own unless it names another); `known` keeps those found for a Bundle."""
    codes = [
        gp.get("identifier", {}).get("value", "")
        for gp in body.get("generalPractitioner") or []
        if gp.get("identifier", {}).get("system") == ODS_CODE_SYSTEM
    ]
    code = codes[0].strip()[:20].upper() if codes else by.fhir_client.organisation.code.upper()
    if code not in known:
        known[code] = Practice.objects.filter(ods_code__iexact=code).first()
    practice = known[code]
    if codes and practice is None:
        raise unprocessable(f"{codes[0][:20]!r} is not a GP practice we know", f"{at}.generalPractitioner")
    return practice


def refused(error: ValidationError, paths: dict, at: str) -> FhirError:
    """A service's ValidationError as a 422 pointing at the element behind the first field it names."""
    if hasattr(error, "message_dict"):
        field, messages = next(iter(error.message_dict.items()))
        path = paths.get(field, "")
        return unprocessable(messages[0], f"{at}.{path}" if path else at)
    return unprocessable(error.messages[0], at)


def existing_patient(*, by, nhs_number: str, at: str):
    """Conditional create: the one visible person with this NHS number, None if there is none, 412 if several."""
    matches = list(visible_people(by).filter(nhs_number=nhs_number)[:2]) if nhs_number else []
    if len(matches) > 1:
        raise FhirError(412, "multiple-matches", "More than one Patient has this NHS number", expression=at)
    return matches[0] if matches else None


def existing_patients(*, by, nhs_numbers: list[str]) -> dict:
    """Conditional create for a Bundle: the visible person holding each of these NHS numbers, in one query."""
    if not nhs_numbers:
        return {}
    return {p.nhs_number: p for p in visible_people(by).filter(nhs_number__in=set(nhs_numbers))}


def if_none_exist_number(text: str, at: str) -> str:
    """The NHS number of `identifier=https://fhir.nhs.uk/Id/nhs-number|N`, the only condition taken."""
    name, _, value = (text or "").partition("=")
    system, bar, number = value.partition("|")
    if name != "identifier" or not bar or system != NHS_NUMBER_SYSTEM or not number:
        raise FhirError(
            400,
            "invalid",
            f"If-None-Exist takes identifier={NHS_NUMBER_SYSTEM}|<NHS number> only",
            expression=at,
        )
    return normalise_nhs_number(number)


# --- Observations ----------------------------------------------------------------------------------------------


def _element_by_code() -> dict[str, str]:
    return {row["snomed_code"]: element for element, row in check_elements().items() if row["snomed_code"]}


def _coded_element(concept: dict | None, at: str) -> str:
    codes = [c.get("code") for c in (concept or {}).get("coding", []) if c.get("system") == "http://snomed.info/sct"]
    by_code = _element_by_code()
    for code in codes:
        if code == BLOOD_PRESSURE_PANEL:
            return "blood_pressure"
        if code in by_code:
            return by_code[code]
    raise unprocessable(
        "The code is not a health check element this service takes (SNOMED CT, from its check elements value set)",
        f"{at}.code",
    )


def _number(quantity: dict | None, field: str, at: str):
    value = (quantity or {}).get("value")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise unprocessable("A health check result needs a numeric valueQuantity", f"{at}.valueQuantity") from None
    if field in INTEGER_FIELDS:
        if number != number.to_integral_value():
            raise unprocessable("This result is a whole number", f"{at}.valueQuantity.value")
        return int(number)
    return number


def check_values(body: dict, *, at: str = "Observation") -> tuple[int, dt.date, dict]:
    """(patient id, date, check_record's values) from an Observation of one health check element (or a blood
    pressure panel with systolic and diastolic components)."""
    body = parsed(body, "Observation", at)
    reference = (body.get("subject") or {}).get("reference", "")
    match = re.fullmatch(r"(?:.*/)?Patient/([0-9]{1,18})", reference)
    if not match:
        raise unprocessable("The subject must be a Patient, such as Patient/12", f"{at}.subject")
    when = body.get("effectiveDateTime") or ""
    if not re.match(r"^\d{4}-\d{2}-\d{2}", when):
        raise unprocessable("Say when it was measured (effectiveDateTime, to the day)", f"{at}.effectiveDateTime")
    done_on = dt.date.fromisoformat(when[:10])
    element = _coded_element(body.get("code"), at)
    values = {}
    if element == "blood_pressure":
        for index, component in enumerate(body.get("component") or []):
            part = _coded_element(component.get("code"), f"{at}.component[{index}]")
            if part in ("systolic", "diastolic"):
                values[part] = _number(component.get("valueQuantity"), part, f"{at}.component[{index}]")
    elif element in SMOKING:
        values["smoking"] = SMOKING[element]
    elif element in NUMERIC:
        field = NUMERIC[element]
        values[field] = _number(body.get("valueQuantity"), field, at)
        if field == "glucose":
            values["glucose_kind"] = GlucoseKind.FASTING if element.startswith("fasting") else GlucoseKind.RANDOM
    else:
        raise unprocessable(
            "BMI is worked out from height and weight: send those (codes 50373000 and 27113001)", f"{at}.code"
        )
    return int(match[1]), done_on, values


CHECK_FIELD_PATH = {
    "done_on": "effectiveDateTime",
    "systolic": "component",
    "diastolic": "component",
    "smoking": "code",
    "glucose_kind": "code",
}


def person_for_write(*, by, pk: int, at: str) -> Person:
    person = visible_people(by).filter(pk=pk).first()
    if person is None:
        raise unprocessable("No such Patient, or none this client may see", f"{at}.subject")
    return person


def served_element(values: dict) -> str:
    if "smoking" in values:
        return {SmokingStatus.CURRENT: "smoking-current", SmokingStatus.EX: "smoking-ex"}.get(values["smoking"], "")
    return next((SERVED_AS[k] for k in values if k in SERVED_AS), "")
