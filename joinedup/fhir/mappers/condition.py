"""An entry on a practice's SMI register as a UK Core Condition: the SNOMED CT code the practice recorded."""

from fhir.resources.R4B.condition import Condition

from joinedup.healthchecks.valuesets import smi_register_codes

from .identifiers import SNOMED_CT, UKCORE_CONDITION

CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"


def condition_resource(entry) -> Condition:
    coding = {"system": SNOMED_CT, "code": entry.smi_code}
    if entry.smi_code in smi_register_codes():
        coding["display"] = smi_register_codes()[entry.smi_code]
    status = "remission" if entry.remission_code else "active"
    data = {
        "id": str(entry.pk),
        "meta": {"lastUpdated": entry.updated_at.isoformat(), "profile": [UKCORE_CONDITION]},
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": status}]},
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "category": [{"coding": [{"system": CATEGORY, "code": "problem-list-item", "display": "Problem List Item"}]}],
        "code": {"coding": [coding]},
        "subject": {"reference": f"Patient/{entry.person_id}"},
    }
    if entry.smi_date:
        data["recordedDate"] = entry.smi_date.isoformat()
    return Condition.model_validate(data)
