"""NHS staff sign in with CIS2 through the stand-in provider (standins/oidc), end to end over HTTP: PKCE,
private_key_jwt, RS512 ID tokens; and each way a CIS2 sign-in must be refused."""

import json
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from joinedup.accounts import cis2
from joinedup.accounts.models import User
from joinedup.core.models import AuditAction, AuditEvent
from standins.oidc.server import generate_key
from standins.oidc.testing import running_provider

pytestmark = pytest.mark.django_db

CLIENT_ID = "joinedup-cis2-test"
CALLBACK = "http://testserver/account/cis2/callback/"
NURSE_UID = "555011112222"


@pytest.fixture
def cis2_provider(settings, tmp_path):
    settings.CIS2_OIDC_CLIENT_ID = CLIENT_ID
    settings.CIS2_OIDC_PRIVATE_KEY = ""
    settings.CIS2_OIDC_PRIVATE_KEY_FILE = str(tmp_path / "cis2-client.pem")
    jwks = json.loads(cis2.write_demo_client_key(tmp_path / "cis2-client.pem").read_text())
    identities = [
        {"id": "nurse", "profile": "cis2", "sub": "cis2-sub-nurse", "claims": {"uid": NURSE_UID}},
        {"id": "stranger", "profile": "cis2", "claims": {"uid": "555099998888"}},
        {"id": "weak", "profile": "cis2", "claims": {"uid": NURSE_UID, "authentication_assurance_level": "1"}},
    ]
    client = {"client_id": CLIENT_ID, "redirect_uris": [CALLBACK], "jwks": jwks, "profile": "cis2"}
    with running_provider(clients=[client], identities=identities) as provider:
        settings.CIS2_OIDC_ISSUER = provider.issuer
        cis2.provider.reset()
        yield provider
    cis2.provider.reset()


@pytest.fixture
def nurse(personas):
    user = personas.community_clinician
    User.objects.filter(pk=user.pk).update(cis2_uid=NURSE_UID)
    return user


def _sign_in(client, who, *, before_callback=None):
    """Press "Sign in with NHS CIS2", choose `who` at the provider, come back: the callback's response."""
    start = client.get(f"/account/cis2/?login_hint={who}&next=/people/")
    assert start.status_code == 302, start.content[:500]
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert authorize.status_code in (302, 303), authorize.text[:500]
    back = urlsplit(authorize.headers["Location"])
    if before_callback:
        before_callback()
    return client.get(f"{back.path}?{back.query}")


def test_an_nhs_member_of_staff_signs_in_with_cis2_and_reaches_their_pages(cis2_provider, nurse):
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "nurse")
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get("/people/").status_code == 200  # no password, no second factor page: CIS2 was AAL3
    page = client.get("/").content.decode()
    assert "Sign out" in page
    assert AuditEvent.objects.filter(user=nurse, what="CIS2 sign-in", action=AuditAction.VIEW).exists()
    assert User.objects.get(pk=nurse.pk).last_login is not None


def test_the_authorize_request_uses_pkce_s256_and_the_token_request_a_signed_client_assertion(cis2_provider, nurse):
    client = Client()
    start = client.get("/account/cis2/?login_hint=nurse")
    query = start["Location"]
    assert "code_challenge_method=S256" in query and "code_challenge=" in query and "nonce=" in query
    assert "acr_values=AAL3_ANY" in query


def test_a_cis2_identity_with_no_joined_up_account_gets_a_clear_page_and_no_account_is_made(cis2_provider, personas):
    before = User.objects.count()
    response = _sign_in(Client(), "stranger")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have a Joined Up account" in page and "555099998888" in page
    assert User.objects.count() == before
    assert AuditEvent.objects.filter(what="CIS2 sign-in", action=AuditAction.REFUSED, reason__contains="555099998888")


def test_an_ended_account_cannot_sign_in_with_cis2(cis2_provider, nurse, personas):
    from joinedup.staff.services import account_end

    account_end(by=personas.administrator, user=nurse, version=nurse.version, reason="Left")
    response = _sign_in(Client(), "nurse")
    assert response.status_code == 403 and "You do not have a Joined Up account" in response.content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        {"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}},  # expired
        {"claims": {"aud": "someone-else"}},  # for another client
        {"claims": {"nonce": "not-ours"}},
        {"claims": {"iss": "http://127.0.0.1:1"}},
        {"key": generate_key()},  # signed by a key that is not the provider's
        {"alg": "RS256"},
        {"claims": {"authentication_assurance_level": "1"}},  # too weak an authenticator
    ],
    ids=["expired", "audience", "nonce", "issuer", "forged_signature", "algorithm", "low_assurance"],
)
def test_a_tampered_expired_or_weak_cis2_token_is_refused_and_recorded(cis2_provider, nurse, tamper):
    cis2_provider.tamper_next(**tamper)
    client = Client()
    response = _sign_in(client, "nurse")
    assert response.status_code == 403
    assert "Your NHS CIS2 sign-in did not work" in response.content.decode()
    assert client.get("/people/").status_code == 302  # not signed in
    assert AuditEvent.objects.filter(what="CIS2 sign-in", action=AuditAction.REFUSED).exists()


def test_a_callback_with_a_wrong_state_or_used_twice_is_refused(cis2_provider, nurse):
    client = Client()
    start = client.get("/account/cis2/?login_hint=nurse")
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(authorize.headers["Location"])
    forged = back.query.replace("state=", "state=x")
    assert client.get(f"{back.path}?{forged}").status_code == 403
    # The first try used up what the session kept: the real callback now finds nothing to finish.
    assert client.get(f"{back.path}?{back.query}").status_code == 403


def test_password_and_second_factor_stay_for_staff_not_on_cis2(cis2_provider, personas):
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    client = sign_in_with_csrf("test.partner_professional")
    assert client.get("/people/").status_code == 200
    assert "Sign in with NHS CIS2" in Client().get("/account/sign-in/").content.decode()


def test_when_cis2_cannot_be_reached_the_sign_in_page_says_so(settings, personas):
    settings.CIS2_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    cis2.provider.reset()
    client = Client()
    response = client.get("/account/cis2/", follow=True)
    assert response.status_code == 200
    assert "NHS CIS2 cannot be reached just now" in response.content.decode()
