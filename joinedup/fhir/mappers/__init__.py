"""Turn the record into FHIR resources (fhir.resources R4B models), one module per resource type.

UK Core is built on FHIR R4 (4.0.1); fhir.resources 8 ships R4B models, which for every resource mapped here
have the same elements as R4, so they are used to build and check what the API sends.
"""
