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


ALL_READS = "system/Patient.read system/Organization.read system/Observation.read system/Condition.read"


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
