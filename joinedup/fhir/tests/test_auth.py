"""SMART Backend Services: only a registered client's signed, fresh, unused assertion gets a token, and only for
scopes it was granted; the API takes nothing but a valid bearer token."""

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.fhir.models import AccessToken, SystemClient

from .helpers import TOKEN_URL, assertion, bearer, fhir_get, issue_codes, token_request

pytestmark = pytest.mark.django_db


def test_a_signed_rs384_assertion_gets_a_short_lived_token_that_reads(http, practice_client, rsa_key, person):
    response = token_request(http, assertion(practice_client, rsa_key))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["scope"] == "system/Patient.read"
    assert 0 < body["expires_in"] <= 300
    assert response["Cache-Control"] == "no-store"
    read = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", body["access_token"])
    assert read.status_code == 200


def test_an_es384_assertion_is_accepted_too(http, practice_client, ec_key):
    response = token_request(http, assertion(practice_client, ec_key, alg="ES384", kid="ec-1"))
    assert response.status_code == 200, response.content


def test_the_token_itself_is_never_stored(http, practice_client, rsa_key):
    token = token_request(http, assertion(practice_client, rsa_key)).json()["access_token"]
    assert not AccessToken.objects.filter(token_hash=token).exists()


def refused(response, error="invalid_client"):
    assert response.status_code in (400, 401), response.content
    assert response.json()["error"] == error
    assert "access_token" not in response.json()
    return response.json()["error_description"]


def test_an_assertion_signed_by_another_key_is_refused(http, practice_client):
    from cryptography.hazmat.primitives.asymmetric import rsa

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert "signature" in refused(token_request(http, assertion(practice_client, forger)))


def test_an_expired_assertion_is_refused(http, practice_client, rsa_key):
    assert "expired" in refused(token_request(http, assertion(practice_client, rsa_key, expires_in=-120)))


def test_an_assertion_living_longer_than_five_minutes_is_refused(http, practice_client, rsa_key):
    assert "five minutes" in refused(token_request(http, assertion(practice_client, rsa_key, expires_in=3600)))


def test_an_assertion_for_another_audience_is_refused(http, practice_client, rsa_key):
    signed = assertion(practice_client, rsa_key, aud="https://elsewhere.example/token")
    assert "aud" in refused(token_request(http, signed))


def test_a_replayed_assertion_is_refused(http, practice_client, rsa_key):
    signed = assertion(practice_client, rsa_key, jti="only-once")
    assert token_request(http, signed).status_code == 200
    assert "used already" in refused(token_request(http, signed))


def test_an_unknown_client_is_refused(http, practice_client, rsa_key):
    signed = assertion(practice_client, rsa_key, iss="jc-nobody", sub="jc-nobody")
    assert "not a registered client" in refused(token_request(http, signed))


def test_a_deactivated_client_is_refused(http, practice_client, rsa_key):
    SystemClient.objects.filter(pk=practice_client.pk).update(active=False)
    refused(token_request(http, assertion(practice_client, rsa_key)))


def test_a_scope_not_granted_is_refused(http, practice_client, rsa_key):
    response = token_request(http, assertion(practice_client, rsa_key), scope="system/Observation.write")
    assert "not been granted" in refused(response, "invalid_scope")


def test_a_wildcard_scope_beyond_the_grant_is_refused(http, practice_client, rsa_key):
    refused(token_request(http, assertion(practice_client, rsa_key), scope="system/*.read"), "invalid_scope")


def test_a_user_scope_is_refused(http, practice_client, rsa_key):
    refused(token_request(http, assertion(practice_client, rsa_key), scope="user/Patient.read"), "invalid_scope")


def test_an_unsigned_or_hmac_assertion_is_refused(http, practice_client):
    import jwt

    claims = {"iss": practice_client.client_id, "sub": practice_client.client_id, "aud": TOKEN_URL, "jti": "x"}
    assert "RS384 or ES384" in refused(token_request(http, jwt.encode(claims, "secret" * 10, algorithm="HS384")))
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert "RS384 or ES384" in refused(token_request(http, unsigned))


def test_rubbish_for_an_assertion_is_refused(http, practice_client):
    refused(token_request(http, "not.a.jwt"))
    refused(token_request(http, ""))


def test_another_grant_type_is_refused(http, practice_client, rsa_key):
    signed = assertion(practice_client, rsa_key)
    refused(token_request(http, signed, grant_type="password"), "unsupported_grant_type")


def test_the_token_endpoint_only_takes_post(http):
    response = fhir_get(http, "/fhir/R4/auth/token")
    assert response.status_code == 405
    assert issue_codes(response) == ["not-supported"]


def test_the_api_without_a_token_answers_401_with_an_outcome(http, person):
    response = fhir_get(http, f"/fhir/R4/Patient/{person.pk}")
    assert response.status_code == 401
    assert issue_codes(response) == ["login"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_session_opens_nothing_in_the_api(http, personas, person):
    http.force_login(personas.gp_practice_staff)
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}").status_code == 401


def test_a_made_up_token_is_refused(http, person):
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", "made-up").status_code == 401


def test_an_expired_token_is_refused(http, practice_client, person):
    token = bearer(practice_client)
    AccessToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_token_without_the_scope_is_forbidden(http, practice_client, person):
    token = bearer(practice_client, scope="system/Organization.read")
    response = fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token)
    assert response.status_code == 403
    assert issue_codes(response) == ["forbidden"]


def test_a_smart_v2_scope_allows_read_but_not_search_when_it_says_r(http, practice_client, person):
    token = bearer(practice_client, scope="system/Patient.r")
    assert fhir_get(http, f"/fhir/R4/Patient/{person.pk}", token).status_code == 200
    assert fhir_get(http, "/fhir/R4/Patient?family=Ashworth", token).status_code == 403


def test_the_smart_configuration_names_the_token_endpoint(http):
    response = http.get("/fhir/R4/.well-known/smart-configuration")
    assert response.status_code == 200
    config = response.json()
    assert config["token_endpoint"] == TOKEN_URL
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert config["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]
    assert "client-confidential-asymmetric" in config["capabilities"]
    assert "system/Patient.read" in config["scopes_supported"]
