"""The stand-in NHS login for portal tests, the people who sign in, and the URL walk's portal arguments.

`oidc_provider` runs standins/oidc in a thread on a free port (one per test session) with the portal registered as a
client (its key made here, never committed); `portal` points the settings at it for one test. Identities:
"person" (the `person` fixture: NHS number 9990000018, born 15 March 1984), "other" (another person with a record),
"carer" (no record of their own) and "p5" (the person, proven only to P5).
"""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from standins.oidc.server import private_pem
from standins.oidc.testing import client_keys, running_provider

CLIENT_ID = "joinedup-portal-test"
CALLBACK = "/my/sign-in/callback/"
PERSON_CLAIMS = {"nhs_number": "9990000018", "birthdate": "1984-03-15", "given_name": "Zoë", "family_name": "Ashworth"}
OTHER_CLAIMS = {"nhs_number": "9990000026", "birthdate": "1990-01-01", "given_name": "Omar", "family_name": "Other"}
CARER_CLAIMS = {"nhs_number": "9990000034", "birthdate": "1970-06-30", "given_name": "Cara", "family_name": "Carer"}


@pytest.fixture(scope="session")
def oidc_provider():
    key, jwks = client_keys("portal-test")
    identities = [
        {"id": "person", "claims": PERSON_CLAIMS, "label": "Zoë Ashworth (P9)"},
        {"id": "other", "claims": OTHER_CLAIMS, "label": "Omar Other (P9)"},
        {"id": "carer", "claims": CARER_CLAIMS, "label": "Cara Carer (P9)"},
        {"id": "p5", "claims": {**PERSON_CLAIMS, "identity_proofing_level": "P5"}, "label": "Zoë Ashworth (P5)"},
        {"id": "wrong_dob", "claims": {**PERSON_CLAIMS, "birthdate": "1984-03-16"}, "label": "Wrong date of birth"},
        {"id": "stranger", "claims": {**OTHER_CLAIMS, "nhs_number": "9990000042"}, "label": "No record"},
    ]
    clients = [{"client_id": CLIENT_ID, "redirect_uris": [f"http://testserver{CALLBACK}"], "jwks": jwks}]
    with running_provider(clients=clients, identities=identities) as provider:
        provider.client_pem = private_pem(key).decode()
        yield provider


@pytest.fixture
def portal(settings, oidc_provider):
    """Settings pointing at the stand-in for this test; the provider's cached documents forgotten after it."""
    from joinedup.portal import oidc

    settings.PORTAL_OIDC_ISSUER = oidc_provider.issuer
    settings.PORTAL_OIDC_CLIENT_ID = CLIENT_ID
    settings.PORTAL_OIDC_PRIVATE_KEY = oidc_provider.client_pem
    settings.PORTAL_OIDC_REDIRECT_URI = ""
    oidc.provider.reset()
    yield oidc_provider
    oidc.provider.reset()


def csrf_token(client, url="/my/sign-in/"):
    page = client.get(url).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


def start_sign_in(client, login_hint):
    """Press "Continue to NHS login"; answer the provider non-interactively for `login_hint`. Returns the callback
    URL the provider redirected to (not yet opened)."""
    import requests

    response = client.post("/my/sign-in/nhs-login/", {"csrfmiddlewaretoken": csrf_token(client)})
    assert response.status_code == 302, response.content.decode()[:300]
    authorize = response["Location"] + f"&login_hint={login_hint}"
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    location = answer.headers["Location"]
    return location[len("http://testserver") :] if location.startswith("http://testserver") else location


def portal_sign_in(login_hint, client=None, *, follow_choice=None):
    """A browser-like client (CSRF enforced) signed in to the portal through the stand-in NHS login."""
    client = client or Client(enforce_csrf_checks=True)
    response = client.get(start_sign_in(client, login_hint))
    if follow_choice is not None and response.status_code == 302 and response["Location"].endswith("/choose/"):
        token = csrf_token(client, "/my/sign-in/choose/")
        response = client.post("/my/sign-in/choose/", {"csrfmiddlewaretoken": token, "choice": str(follow_choice)})
    client.last_response = response
    return client


@pytest.fixture
def other_person(personas, practice):
    from joinedup.people.services import person_register

    return person_register(
        by=personas.gp_practice_staff,
        nhs_number=OTHER_CLAIMS["nhs_number"],
        given_name="Omar",
        family_name="Other",
        date_of_birth=dt.date(1990, 1, 1),
        practice=practice,
        consents={"nhs": True},
    )


class PortalVisitorStub:
    is_authenticated = False
    done_by = "by the person themself"
    audit_username = "the person themself (test)"


@pytest.fixture
def carer_grant(person):
    from joinedup.portal.services import helper_grant

    return helper_grant(
        by=PortalVisitorStub(),
        person=person,
        kind="carer",
        name="Cara Carer",
        nhs_number=CARER_CLAIMS["nhs_number"],
        birthdate=dt.date(1970, 6, 30),
        may_act=False,
        until=dt.date.today() + dt.timedelta(days=30),
    )


@pytest.fixture
def url_arg_helper_id(carer_grant):
    return carer_grant.pk


def issuer_host(provider):
    return urlsplit(provider.issuer).netloc
