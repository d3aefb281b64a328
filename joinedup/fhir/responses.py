"""FHIR answers: resources as application/fhir+json, and every failure as an OperationOutcome."""

import json

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from fhir.resources.R4B.operationoutcome import OperationOutcome

FHIR_JSON = "application/fhir+json"
JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/json+fhir"}


class FhirError(Exception):
    """A refusal the client can act on: the HTTP status, the FHIR issue type and what was wrong."""

    def __init__(self, status: int, code: str, diagnostics: str, *, expression: str | None = None, headers=None):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression
        self.headers = headers or {}

    def response(self) -> HttpResponse:
        return outcome_response(
            self.status, self.code, self.diagnostics, expression=self.expression, headers=self.headers
        )


def operation_outcome(code: str, diagnostics: str, *, severity="error", expression: str | None = None):
    issue = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return OperationOutcome(issue=[issue])


def outcome_response(status: int, code: str, diagnostics: str, *, expression=None, headers=None) -> HttpResponse:
    response = resource_response(operation_outcome(code, diagnostics, expression=expression), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def resource_response(resource, *, status: int = 200) -> HttpResponse:
    """`resource` is a fhir.resources model or, for non-FHIR JSON such as the SMART configuration, a dict."""
    if isinstance(resource, dict):
        return HttpResponse(json.dumps(resource), status=status, content_type="application/json")
    response = HttpResponse(resource.model_dump_json(), status=status, content_type=FHIR_JSON)
    meta = getattr(resource, "meta", None)
    if meta is not None and meta.versionId:
        response["ETag"] = f'W/"{meta.versionId}"'
    return response


def data_response(data: dict, *, status: int = 200) -> HttpResponse:
    """A resource already mapped to plain FHIR JSON (`mappers.patient.patient_data`), answered as it is: the
    busiest reads skip building a fhir.resources model of each answer (P7); the tests parse and validate every
    answer against the models and the UK Core profiles, and `test_bulk.py` proves the data is what a model writes."""
    response = HttpResponse(json.dumps(data, separators=(",", ":")), status=status, content_type=FHIR_JSON)
    version = data.get("meta", {}).get("versionId")
    if version:
        response["ETag"] = f'W/"{version}"'
    return response


def fhir_base(request) -> str:
    """The service base URL, ending in a slash: from settings when behind a proxy, else from the request."""
    if settings.FHIR_BASE_URL:
        return settings.FHIR_BASE_URL.rstrip("/") + "/"
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")
