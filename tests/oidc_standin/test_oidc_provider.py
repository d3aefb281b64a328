"""The stand-in OpenID Connect provider behaves like NHS login / CIS2 on each point relying parties depend on.

Driven over HTTP as a relying party would, with Authlib's own client (private_key_jwt, PKCE S256)."""

import json
import secrets
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives import serialization

from standins.oidc.server import ProviderConfig, private_pem, serve
from standins.oidc.testing import client_keys, running_provider

REDIRECT = "http://127.0.0.1:1/callback"
EVERYWHERE = "0.0.0.0"  # noqa: S104 (refused: the point of the test)
P9 = {"nhs_number": "9990000018", "birthdate": "1980-02-29", "identity_proofing_level": "P9", "family_name": "Test"}


@pytest.fixture(scope="module")
def keys():
    return client_keys()


@pytest.fixture
def provider(keys):
    _, jwks = keys
    clients = [
        {"client_id": "portal", "redirect_uris": [REDIRECT], "jwks": jwks},
        {"client_id": "staff", "redirect_uris": [REDIRECT], "jwks": jwks, "profile": "cis2"},
    ]
    identities = [
        {"id": "p9", "claims": P9, "label": "Test person (P9)"},
        {"id": "p5", "claims": {**P9, "identity_proofing_level": "P5"}},
        {"id": "nurse", "profile": "cis2", "claims": {"uid": "555000000001", "name": "A Nurse"}},
    ]
    with running_provider(clients=clients, identities=identities) as provider:
        yield provider


def session_for(provider, keys, client_id="portal"):
    key, _ = keys
    pem = private_pem(key).decode()
    return OAuth2Session(
        client_id,
        pem,
        token_endpoint_auth_method=PrivateKeyJWT(f"{provider.issuer}/token", alg="RS512"),
        redirect_uri=REDIRECT,
        scope="openid profile",
        code_challenge_method="S256",
    )


def authorize(provider, client_id="portal", verifier=None, **extra):
    verifier = verifier or generate_token(64)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "st",
        "nonce": "nn",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    params = {k: v for k, v in params.items() if v is not None}
    response = requests.get(f"{provider.issuer}/authorize", params=params, allow_redirects=False, timeout=5)
    return response, verifier


def redirected(response):
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def exchange(provider, keys, code, verifier, client_id="portal"):
    client = session_for(provider, keys, client_id)
    return client.fetch_token(
        f"{provider.issuer}/token", grant_type="authorization_code", code=code, code_verifier=verifier
    )


def check_id_token(provider, token, audience="portal"):
    jwks = requests.get(f"{provider.issuer}/jwks", timeout=5).json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    return jwt.decode(token, key, algorithms=["RS512"], audience=audience, issuer=provider.issuer)


def test_discovery_names_the_endpoints_and_methods(provider):
    doc = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert doc["issuer"] == provider.issuer
    assert doc["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS512"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert provider.issuer.startswith("http://127.0.0.1:")


def test_nhs_login_code_flow_gives_an_rs512_id_token_with_the_profile_claims(provider, keys):
    response, verifier = authorize(provider, login_hint="p9", vtr='["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]')
    params = redirected(response)
    assert params["state"] == "st"
    token = exchange(provider, keys, params["code"], verifier)
    assert jwt.get_unverified_header(token["id_token"])["alg"] == "RS512"
    claims = check_id_token(provider, token["id_token"])
    assert claims["nonce"] == "nn" and claims["sub"] == "p9"
    assert claims["nhs_number"] == "9990000018" and claims["birthdate"] == "1980-02-29"
    assert claims["identity_proofing_level"] == "P9" and claims["vot"] == "P9.Cp.Cd"
    assert {"iss", "aud", "exp", "iat"} <= claims.keys()
    info = requests.get(
        f"{provider.issuer}/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=5
    )
    assert info.json()["nhs_number"] == "9990000018"


def test_an_identity_below_the_requested_vtr_is_sent_back_with_access_denied(provider):
    response, _ = authorize(provider, login_hint="p5", vtr='["P9.Cp.Cd"]')
    assert redirected(response)["error"] == "access_denied"
    response, _ = authorize(provider, login_hint="p5", vtr='["P9.Cp.Cd","P5.Cp.Cd"]')
    assert "code" in redirected(response)


def test_cis2_profile_has_user_id_and_assurance_level(provider, keys):
    response, verifier = authorize(provider, client_id="staff", login_hint="nurse", acr_values="AAL3_ANY")
    token = exchange(provider, keys, redirected(response)["code"], verifier, client_id="staff")
    claims = check_id_token(provider, token["id_token"], audience="staff")
    assert claims["uid"] == "555000000001" and claims["authentication_assurance_level"] == "3"
    assert "nhs_number" not in claims


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"vtr": "P9"}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
    ],
)
def test_bad_authorization_requests_are_sent_back_with_an_error(provider, change, error):
    response, _ = authorize(provider, login_hint="p9", **change)
    assert redirected(response)["error"] == error


def test_unknown_client_or_redirect_uri_is_never_redirected(provider):
    response, _ = authorize(provider, client_id="nobody", login_hint="p9")
    assert response.status_code == 400
    response = requests.get(
        f"{provider.issuer}/authorize",
        params={"client_id": "portal", "redirect_uri": "http://127.0.0.1:2/elsewhere", "response_type": "code"},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400 and "Location" not in response.headers


def test_the_choice_page_lists_identities_of_the_clients_kind_and_signs_in_the_one_chosen(provider):
    response, verifier = authorize(provider)
    assert response.status_code == 200 and "Test person (P9)" in response.text and "A Nurse" not in response.text
    form = {k: v for k, v in parse_qs(urlsplit(response.url).query).items()}
    form = {k: v[0] for k, v in form.items()} | {"identity": "p9"}
    chosen = requests.post(f"{provider.issuer}/authorize", data=form, allow_redirects=False, timeout=5)
    assert "code" in redirected(chosen)


def token_request(provider, code, verifier, assertion):
    return requests.post(
        f"{provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        timeout=5,
    )


def assertion(provider, key, **change):
    now = int(time.time())
    claims = {
        "iss": "portal",
        "sub": "portal",
        "aud": f"{provider.issuer}/token",
        "exp": now + 60,
        "jti": secrets.token_hex(8),
    }
    claims.update(change)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS512")


@pytest.mark.parametrize(
    "bad",
    [
        {"key": "foreign"},
        {"aud": "http://elsewhere/token"},
        {"exp": 1},
        {"iss": "nobody", "sub": "nobody"},
        {"sub": "other"},
        {"jti": None},
    ],
)
def test_the_token_endpoint_requires_a_good_client_assertion(provider, keys, bad):
    key, _ = keys
    response, verifier = authorize(provider, login_hint="p9")
    code = redirected(response)["code"]
    signing = client_keys()[0] if bad.pop("key", None) else key
    answer = token_request(provider, code, verifier, assertion(provider, signing, **bad))
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    no_assertion = requests.post(
        f"{provider.issuer}/token", data={"grant_type": "authorization_code", "code": code}, timeout=5
    )
    assert no_assertion.status_code == 401


def test_an_assertion_and_a_code_are_each_used_once_and_pkce_must_match(provider, keys):
    key, _ = keys
    response, verifier = authorize(provider, login_hint="p9")
    code = redirected(response)["code"]
    wrong = token_request(provider, code, "x" * 50, assertion(provider, key))
    assert wrong.json()["error"] == "invalid_grant"
    # The failed attempt used the code up: a stolen code cannot be retried with guesses.
    assert token_request(provider, code, verifier, assertion(provider, key)).json()["error"] == "invalid_grant"
    response, verifier = authorize(provider, login_hint="p9")
    code = redirected(response)["code"]
    once = assertion(provider, key)
    assert token_request(provider, code, verifier, once).status_code == 200
    response, verifier = authorize(provider, login_hint="p9")
    again = token_request(provider, redirected(response)["code"], verifier, once)
    assert again.status_code == 401 and "used before" in again.json()["error_description"]


def test_tamper_hooks_let_relying_party_tests_receive_bad_tokens(provider, keys):
    provider.tamper_next(claims={"aud": "someone-else"})
    response, verifier = authorize(provider, login_hint="p9")
    token = exchange(provider, keys, redirected(response)["code"], verifier)
    with pytest.raises(jwt.InvalidAudienceError):
        check_id_token(provider, token["id_token"])


def test_identities_and_clients_come_from_json_files_re_read_when_they_change(tmp_path, keys):
    _, jwks = keys
    (tmp_path / "client.jwks.json").write_text(json.dumps(jwks))
    config_file = tmp_path / "oidc.json"
    config_file.write_text(
        json.dumps({"clients": [{"client_id": "portal", "redirect_uris": [REDIRECT], "jwks_file": "client.jwks.json"}]})
    )
    server = serve(ProviderConfig(files=[config_file]))
    try:
        response, _ = authorize(server.provider, login_hint="later")
        assert response.status_code == 200  # unknown identity: the choice page
        time.sleep(0.01)
        config_file.write_text(
            json.dumps(
                {
                    "clients": [{"client_id": "portal", "redirect_uris": [REDIRECT], "jwks_file": "client.jwks.json"}],
                    "identities": [{"id": "later", "claims": P9}],
                }
            )
        )
        import os

        os.utime(config_file, (time.time() + 5, time.time() + 5))
        response, verifier = authorize(server.provider, login_hint="later")
        assert "code" in redirected(response)
    finally:
        server.shutdown()
        server.server_close()


def test_runs_as_a_module_on_the_port_given_and_refuses_a_non_loopback_address(tmp_path):
    refused = subprocess.run(
        [sys.executable, "-m", "standins.oidc", "--host", EVERYWHERE, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode == 2 and "loopback" in refused.stderr
    key_file = tmp_path / "key.pem"
    process = subprocess.Popen(
        [sys.executable, "-m", "standins.oidc", "--port", "0", "--key-file", str(key_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        issuer = line.strip().rsplit(" ", 1)[-1]
        assert issuer.startswith("http://127.0.0.1:")
        assert requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()["issuer"] == issuer
        assert serialization.load_pem_private_key(key_file.read_bytes(), None)
        assert oct(key_file.stat().st_mode)[-3:] == "600"
    finally:
        process.terminate()
        process.wait(timeout=10)
