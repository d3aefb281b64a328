"""Systems and profiles named by more than one resource."""

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
UKCORE = "https://fhir.hl7.org.uk/StructureDefinition/"
UKCORE_PATIENT = UKCORE + "UKCore-Patient"
UKCORE_ORGANIZATION = UKCORE + "UKCore-Organization"
NHS_NUMBER_VERIFICATION_EXTENSION = UKCORE + "Extension-UKCore-NHSNumberVerificationStatus"
NHS_NUMBER_VERIFICATION_SYSTEM = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
