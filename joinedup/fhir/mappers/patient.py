"""A person's record as a UK Core Patient."""

from fhir.resources.R4B.patient import Patient

from joinedup.people.models import Sex

from .identifiers import (
    NHS_NUMBER_SYSTEM,
    NHS_NUMBER_VERIFICATION_EXTENSION,
    NHS_NUMBER_VERIFICATION_SYSTEM,
    ODS_CODE_SYSTEM,
    UKCORE_PATIENT,
    instant,
)

GENDER = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.NOT_KNOWN: "unknown", Sex.NOT_SPECIFIED: "unknown"}
# Joined Up takes NHS numbers from staff and practice files; it does not trace them on the Personal
# Demographics Service, so every number is "present but not traced" (England code 02).
NOT_TRACED = {"system": NHS_NUMBER_VERIFICATION_SYSTEM, "code": "02", "display": "Number present but not traced"}


def patient_resource(person) -> Patient:
    return Patient.model_validate(patient_data(person))


def patient_data(person) -> dict:
    """The Patient as plain JSON-ready data: what `patient_resource` validates, and what a bulk export writes as it
    is (a million models cost more than the export's target allows; the tests validate what the mapping makes)."""
    data = {
        "resourceType": "Patient",
        "id": str(person.pk),
        "meta": {
            "versionId": str(person.version),
            "lastUpdated": instant(person.updated_at),
            "profile": [UKCORE_PATIENT],
        },
        "name": [{"use": "official", "family": person.family_name, "given": [person.given_name]}],
        "gender": GENDER.get(person.sex, "unknown"),
        "birthDate": person.date_of_birth.isoformat(),
    }
    if person.nhs_number:
        data["identifier"] = [
            {
                "extension": [
                    {"url": NHS_NUMBER_VERIFICATION_EXTENSION, "valueCodeableConcept": {"coding": [NOT_TRACED]}}
                ],
                "system": NHS_NUMBER_SYSTEM,
                "value": person.nhs_number,
            }
        ]
    if person.preferred_name:
        data["name"].append({"use": "usual", "family": person.family_name, "given": [person.preferred_name]})
    telecom = []
    if person.phone:
        telecom.append({"system": "phone", "value": person.phone})
    if person.email:
        telecom.append({"system": "email", "value": person.email})
    if telecom:
        data["telecom"] = telecom
    if person.address or person.postcode:
        address = {"use": "home"}
        lines = [part.strip() for part in person.address.replace("\n", ",").split(",") if part.strip()]
        if lines:
            address["line"] = lines
        if person.postcode:
            address["postalCode"] = person.postcode
        data["address"] = [address]
    if person.practice_id:
        data["generalPractitioner"] = [
            {
                "identifier": {"system": ODS_CODE_SYSTEM, "value": person.practice.ods_code},
                "display": person.practice.name,
            }
        ]
    return data
