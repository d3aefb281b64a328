"""The CapabilityStatement and the SMART configuration, built from resources.SUPPORTED and the auth settings."""

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from ..auth import ALGORITHMS
from ..resources import SUPPORTED, SYSTEM_INTERACTIONS

SOFTWARE_VERSION = "0.1.0"
BULK = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"
SYSTEM_EXPORT = {"name": "export", "definition": BULK + "export"}
PATIENT_EXPORT = {"name": "export", "definition": BULK + "patient-export"}
GROUP_EXPORT = {"name": "export", "definition": BULK + "group-export"}
OPERATIONS = {"Patient": PATIENT_EXPORT, "Group": GROUP_EXPORT}
PUBLISHED = "2026-12-07"


def scopes_supported() -> list[str]:
    reads = [f"system/{r.name}.{what}" for r in SUPPORTED for what in ("read", "rs")]
    writes = [f"system/{r.name}.{what}" for r in SUPPORTED if "create" in r.interactions for what in ("write", "c")]
    return reads + writes


def capability_statement(*, base: str, token_url: str) -> CapabilityStatement:
    return CapabilityStatement.model_validate(
        {
            "status": "active",
            "date": PUBLISHED,
            "publisher": "Joined Up",
            "kind": "instance",
            "software": {"name": "Joined Up", "version": SOFTWARE_VERSION},
            "implementation": {"description": "Joined Up FHIR R4 UK Core API", "url": base.rstrip("/")},
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "extension": [
                            {
                                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                                "extension": [{"url": "token", "valueUri": token_url}],
                            }
                        ],
                        "service": [
                            {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                        "code": "SMART-on-FHIR",
                                    }
                                ]
                            }
                        ],
                        "description": "SMART Backend Services: a signed JWT assertion (private_key_jwt, "
                        + " or ".join(ALGORITHMS)
                        + ") for a short-lived bearer token with system scopes",
                    },
                    "resource": [
                        {
                            "type": r.name,
                            **({"profile": r.profile} if r.profile else {}),
                            "interaction": [{"code": code} for code in r.interactions],
                            **({"conditionalCreate": True} if r.name == "Patient" else {}),
                            **({"operation": [OPERATIONS[r.name]]} if r.name in OPERATIONS else {}),
                            "searchParam": [
                                {"name": p.name, "type": p.type, "documentation": p.documentation}
                                | ({"definition": p.definition} if p.definition else {})
                                for p in r.search_params
                            ],
                        }
                        for r in SUPPORTED
                    ],
                    "interaction": [{"code": code} for code in SYSTEM_INTERACTIONS],
                    "operation": [SYSTEM_EXPORT],
                }
            ],
        }
    )


def smart_configuration(*, token_url: str) -> dict:
    return {
        "token_endpoint": token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ALGORITHMS),
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": scopes_supported(),
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    }
