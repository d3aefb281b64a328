"""Calling the API as a client would, and checking that everything it answers is valid FHIR."""

import json
import time
import uuid

import jwt
from fhir.resources.R4B import get_fhir_model_class
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

TOKEN_URL = "http://testserver/fhir/R4/auth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def jwks_of(*, rsa=None, ec=None) -> dict:
    keys = []
    if rsa is not None:
        keys.append({**json.loads(RSAAlgorithm.to_jwk(rsa.public_key())), "kid": "rsa-1", "alg": "RS384"})
    if ec is not None:
        keys.append({**json.loads(ECAlgorithm.to_jwk(ec.public_key())), "kid": "ec-1", "alg": "ES384"})
    return {"keys": keys}


def assertion(client, key, *, alg="RS384", kid="rsa-1", aud=TOKEN_URL, expires_in=240, jti=None, **claims) -> str:
    now = int(time.time())
    payload = {
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": aud,
        "exp": now + expires_in,
        "iat": now,
        "jti": jti or str(uuid.uuid4()),
        **claims,
    }
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid, "typ": "JWT"})


def token_request(http, signed: str, scope="system/Patient.read", **overrides):
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
        "scope": scope,
        **overrides,
    }
    return http.post("/fhir/R4/auth/token", form)


def _all_reads() -> str:
    from joinedup.fhir.resources import SUPPORTED

    return " ".join(f"system/{r.name}.read" for r in SUPPORTED if r.name != "AuditEvent")


ALL_READS = _all_reads()  # every type a practice may read; the audit trail is information governance's


def bearer(client, scope=ALL_READS) -> str:
    from joinedup.fhir.services import access_token_issue

    token, _ = access_token_issue(client=client, scope=scope)
    return token


def fhir_get(http, url, token=None, **headers):
    """GET as a FHIR client. Every answer must be application/fhir+json and parse as the resource it names
    (fhir.resources R4B, which refuses unknown elements and wrong types): the API's conformance check."""
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = http.get(url, **headers)
    assert response["Content-Type"].startswith("application/fhir+json"), response["Content-Type"]
    body = response.json()
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    response.resource = body
    return response


def issue_codes(response) -> list[str]:
    assert response.resource["resourceType"] == "OperationOutcome"
    return [i["code"] for i in response.resource["issue"]]


def fhir_send(http, method, url, token, body, **headers):
    """POST or PUT a resource as a FHIR client; the answer is checked as fhir_get checks it."""
    import json as _json

    send = getattr(http, method.lower())
    response = send(
        url, _json.dumps(body), content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers
    )
    assert response["Content-Type"].startswith("application/fhir+json"), response["Content-Type"]
    payload = response.json()
    get_fhir_model_class(payload["resourceType"]).model_validate(payload)
    response.resource = payload
    return response


def new_patient(nhs_number="9990000026", family="Brennan", given="Aoife", **extra) -> dict:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}],
        "name": [{"use": "official", "family": family, "given": [given]}],
        "gender": "female",
        "birthDate": "1990-05-01",
        "address": [{"postalCode": "FY1 4AB"}],
        **extra,
    }


def blood_pressure(subject: str, day: str, systolic=128, diastolic=82) -> dict:
    sct = "http://snomed.info/sct"

    def part(code, value):
        return {
            "code": {"coding": [{"system": sct, "code": code}]},
            "valueQuantity": {"value": value, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"},
        }

    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": sct, "code": "75367002", "display": "Blood pressure"}]},
        "subject": {"reference": subject},
        "effectiveDateTime": day,
        "component": [part("163030003", systolic), part("163031004", diastolic)],
    }


def coded_value(subject: str, day: str, code: str, value, unit: str) -> dict:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": code}]},
        "subject": {"reference": subject},
        "effectiveDateTime": day,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }
