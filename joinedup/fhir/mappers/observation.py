"""Each element of an SMI physical health check as a UK Core Observation, SNOMED CT coded, in UCUM units.

The elements and their codes come from the health checks' own value set (joinedup/healthchecks/data/
check_elements.csv); an element without a code there (height, waist, pulse, "never smoked"...) is not sent
yet. An Observation's id is `<check id>-<element>`, so it is stable and points back at the check.
"""

from dataclasses import dataclass

from fhir.resources.R4B.observation import Observation

from joinedup.healthchecks.models import SmokingStatus
from joinedup.healthchecks.valuesets import check_elements

from .identifiers import SNOMED_CT, UCUM, UKCORE_OBSERVATION, instant

CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
# The value set writes units as a reader would; UCUM's code for millimetres of mercury differs.
UCUM_CODE = {"mmHg": "mm[Hg]"}
CATEGORY = {
    "bmi": "vital-signs",
    "systolic": "vital-signs",
    "diastolic": "vital-signs",
    "hba1c": "laboratory",
    "total_cholesterol": "laboratory",
}
SMOKING_ELEMENT = {SmokingStatus.CURRENT: "smoking_current", SmokingStatus.EX: "smoking_ex"}


@dataclass(frozen=True)
class CheckElement:
    check: object  # healthchecks.HealthCheck
    element: str  # a row name in check_elements.csv

    @property
    def resource_id(self) -> str:
        return f"{self.check.pk}-{self.element.replace('_', '-')}"


def elements_of(check) -> list[CheckElement]:
    """The coded elements this check recorded, in the value set's order."""
    found = []
    for element in check_elements():
        if element.startswith("smoking_"):
            if SMOKING_ELEMENT.get(check.smoking) == element:
                found.append(CheckElement(check, element))
        elif getattr(check, element, None) is not None:
            found.append(CheckElement(check, element))
    return found


def element_named(check, slug: str) -> CheckElement | None:
    return next((e for e in elements_of(check) if e.resource_id == f"{check.pk}-{slug}"), None)


def observation_resource(item: CheckElement) -> Observation:
    return Observation.model_validate(observation_data(item))


def observation_data(item: CheckElement) -> dict:
    """The Observation as plain data (numbers as recorded, Decimal included): what `observation_resource`
    validates, and what search and bulk export use as they are."""
    check, row = item.check, check_elements()[item.element]
    recorded = instant(check.recorded_at)
    data = {
        "resourceType": "Observation",
        "id": item.resource_id,
        "meta": {"lastUpdated": recorded, "profile": [UKCORE_OBSERVATION]},
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": CATEGORY.get(item.element, "social-history")}]}],
        "code": {"coding": [{"system": SNOMED_CT, "code": row["snomed_code"], "display": row["description"]}]},
        "subject": {"reference": f"Patient/{check.person_id}"},
        "effectiveDateTime": check.done_on.isoformat(),
        "issued": recorded,
    }
    if row["unit"]:
        data["valueQuantity"] = {
            "value": getattr(check, item.element),
            "unit": row["unit"],
            "system": UCUM,
            "code": UCUM_CODE.get(row["unit"], row["unit"]),
        }
    return data
