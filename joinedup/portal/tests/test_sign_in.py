"""NHS login through the stand-in: the good path, and every attack refused, nothing shown, audited."""

import time

import pytest
from django.test import Client

from joinedup.core.models import AuditAction, AuditEvent
from joinedup.portal.models import PortalAccount
from joinedup.portal.tests.fixtures import csrf_token, portal_sign_in, start_sign_in
from standins.oidc.testing import client_keys

pytestmark = pytest.mark.django_db


def refusals(reason_part=""):
    return AuditEvent.objects.filter(
        action=AuditAction.REFUSED, what__startswith="portal", reason__contains=reason_part
    )


def test_the_person_signs_in_with_nhs_login_and_sees_their_own_home(portal, person):
    client = portal_sign_in("person")
    assert client.last_response.status_code == 302 and client.last_response["Location"] == "/my/"
    home = client.get("/my/")
    assert home.status_code == 200
    assert "Hello Zoë" in home.content.decode()
    account = PortalAccount.objects.get()
    assert account.person == person and account.nhs_number == "9990000018"
    signed_in = AuditEvent.objects.filter(person=person, what="portal: signed in with NHS login").get()
    assert signed_in.user is None and signed_in.username.startswith("the person themself")
    assert person.timeline.filter(kind="portal_sign_in").exists()


def test_the_authorization_request_uses_pkce_s256_vtr_p9_state_and_nonce(portal, person):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/my/sign-in/nhs-login/", {"csrfmiddlewaretoken": csrf_token(client)})
    location = response["Location"]
    assert location.startswith(portal.issuer + "/authorize?")
    for part in ("code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "vtr=", "P9.Cp.Cd"):
        assert part in location, part


def test_the_sign_in_button_needs_a_post_with_csrf(portal):
    client = Client(enforce_csrf_checks=True)
    assert client.get("/my/sign-in/nhs-login/").status_code == 405
    assert client.post("/my/sign-in/nhs-login/").status_code == 403


def test_a_person_proven_only_to_p5_gets_a_clear_page_and_no_record(portal, person):
    client = Client(enforce_csrf_checks=True)
    response = client.get(start_sign_in(client, "p5"))
    assert "Prove who you are first" in response.content.decode()
    assert client.get("/my/").status_code == 302
    assert refusals("access_denied").exists()


def test_a_p5_token_is_refused_even_if_the_provider_sends_one(portal, person):
    portal.tamper_next(claims={"identity_proofing_level": "P5", "vot": "P5.Cp.Cd"})
    client = portal_sign_in("person")
    assert "Prove who you are first" in client.last_response.content.decode()
    assert client.get("/my/").status_code == 302
    assert refusals("not P9").exists()


def test_no_record_for_the_nhs_number_gets_a_clear_page(portal, person):
    client = portal_sign_in("stranger")
    assert "We could not find your record" in client.last_response.content.decode()
    assert client.get("/my/").status_code == 302


def test_matching_nhs_number_with_another_date_of_birth_never_opens_the_record(portal, person):
    client = portal_sign_in("wrong_dob")
    page = client.last_response.content.decode()
    assert "We could not find your record" in page and "Zoë" not in page
    assert client.get("/my/").status_code == 302
    assert refusals("the date of birth does not").exists()
    assert PortalAccount.objects.get().person is None


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"claims": {"aud": "someone-else"}}, "aud"),
        ({"claims": {"iss": "http://127.0.0.1:1"}}, "iss"),
        ({"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}}, "exp"),
        ({"claims": {"nonce": "not-the-one-sent"}}, "nonce"),
        ({"drop": ("nonce",)}, "nonce"),
        ({"key": "foreign"}, "signature"),
        ({"alg": "RS256"}, "RS256"),
        ({"claims": {"iat": int(time.time()) + 3600}}, "issued in the future"),
    ],
)
def test_a_bad_id_token_is_refused_nothing_shown_and_audited(portal, person, tamper, reason):
    if tamper.get("key") == "foreign":
        tamper["key"] = client_keys()[0]
    portal.tamper_next(**tamper)
    client = portal_sign_in("person")
    response = client.last_response
    assert response.status_code == 400
    assert "We could not sign you in" in response.content.decode() and "Zoë" not in response.content.decode()
    assert client.get("/my/").status_code == 302
    assert refusals(reason).exists(), [e.reason for e in refusals()]


def test_a_replayed_id_token_is_refused(portal, person):
    portal_sign_in("person")  # the first sign-in: its ID token is remembered by the provider
    portal.tamper_next(replay=True)  # the provider (or an attacker in the middle) sends the same ID token again
    client = portal_sign_in("person")
    assert client.last_response.status_code == 400
    assert client.get("/my/").status_code == 302
    assert refusals("nonce").exists() or refusals("replayed").exists()


def test_state_mismatch_and_a_callback_used_twice_are_refused(portal, person):
    client = Client(enforce_csrf_checks=True)
    callback = start_sign_in(client, "person")
    forged = callback.replace("state=", "state=x")
    assert client.get(forged).status_code == 400
    assert refusals("state").exists()
    # The state is used once: the genuine callback afterwards finds no sign-in waiting.
    again = client.get(callback)
    assert "Start again" in again.content.decode()
    assert client.get("/my/").status_code == 302


def test_a_callback_from_another_browser_is_refused(portal, person):
    victim = Client(enforce_csrf_checks=True)
    callback = start_sign_in(victim, "person")
    attacker = Client(enforce_csrf_checks=True)
    response = attacker.get(callback)
    assert "Start again" in response.content.decode()
    assert attacker.get("/my/").status_code == 302


def test_a_token_whose_id_token_was_signed_by_the_right_key_for_another_client_is_refused(portal, person):
    portal.tamper_next(claims={"aud": ["someone-else"]})
    client = portal_sign_in("person")
    assert client.last_response.status_code == 400
