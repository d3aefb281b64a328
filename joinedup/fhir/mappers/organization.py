"""An organisation in the region's directory as a UK Core Organization."""

from fhir.resources.R4B.organization import Organization

from joinedup.directory.models import OrganisationKind

from .identifiers import ODS_CODE_SYSTEM, UKCORE_ORGANIZATION


def organization_resource(organisation) -> Organization:
    data = {
        "id": str(organisation.pk),
        "meta": {"profile": [UKCORE_ORGANIZATION]},
        "active": True,
        "name": organisation.name,
    }
    # NHS organisations and GP practices are known by their ODS code; partners' codes are the region pack's own.
    if organisation.kind == OrganisationKind.NHS:
        data["identifier"] = [{"system": ODS_CODE_SYSTEM, "value": organisation.code}]
    return Organization.model_validate(data)
