"""Systems and profiles named by more than one resource."""

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
UKCORE = "https://fhir.hl7.org.uk/StructureDefinition/"
UKCORE_PATIENT = UKCORE + "UKCore-Patient"
UKCORE_ORGANIZATION = UKCORE + "UKCore-Organization"
NHS_NUMBER_VERIFICATION_EXTENSION = UKCORE + "Extension-UKCore-NHSNumberVerificationStatus"
NHS_NUMBER_VERIFICATION_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
UKCORE_OBSERVATION = UKCORE + "UKCore-Observation"
UKCORE_CONDITION = UKCORE + "UKCore-Condition"
SNOMED_CT = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
UKCORE_PRACTITIONER = UKCORE + "UKCore-Practitioner"
UKCORE_PRACTITIONER_ROLE = UKCORE + "UKCore-PractitionerRole"
UKCORE_CARE_TEAM = UKCORE + "UKCore-CareTeam"
UKCORE_EPISODE_OF_CARE = UKCORE + "UKCore-EpisodeOfCare"
UKCORE_SERVICE_REQUEST = UKCORE + "UKCore-ServiceRequest"
UKCORE_ENCOUNTER = UKCORE + "UKCore-Encounter"
UKCORE_APPOINTMENT = UKCORE + "UKCore-Appointment"
UKCORE_CARE_PLAN = UKCORE + "UKCore-CarePlan"
UKCORE_TASK = UKCORE + "UKCore-Task"
UKCORE_QUESTIONNAIRE_RESPONSE = UKCORE + "UKCore-QuestionnaireResponse"
UKCORE_CONSENT = UKCORE + "UKCore-Consent"
UKCORE_FLAG = UKCORE + "UKCore-Flag"
UKCORE_AUDIT_EVENT = UKCORE + "UKCore-AuditEvent"
# Joined Up's own codes where no national code exists (levels of care, DIALOG and GBO scales...): a placeholder
# base until the Trust publishes its canonical URL.
LOCAL = "https://joinedup.example/fhir/CodeSystem/"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


def instant(value) -> str:
    """A stored time as fhir.resources writes an instant (UTC as Z), for data written without a model."""
    return value.isoformat().replace("+00:00", "Z")


def ref(resource_type: str, pk, display: str = "") -> dict:
    reference = {"reference": f"{resource_type}/{pk}"}
    if display:
        reference["display"] = display
    return reference


def meta(profile: str | None, updated=None, version=None) -> dict:
    data = {}
    if profile:
        data["profile"] = [profile]
    if updated is not None:
        data["lastUpdated"] = updated.isoformat()
    if version is not None:
        data["versionId"] = str(version)
    return data


def local(code_system: str, code: str, display: str = "") -> dict:
    coding = {"system": LOCAL + code_system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def full_name(user) -> str:
    return user.get_full_name() or user.get_username()
