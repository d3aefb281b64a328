"""Fixtures this app shares with the whole suite (see joinedup/care/tests/fixtures.py)."""

import pytest


@pytest.fixture
def url_arg_access_id(person, personas):
    """A reviewed-later emergency access that has already expired, so it gives the outsider nothing."""
    from django.utils import timezone

    from joinedup.people.services import emergency_access_grant

    access = emergency_access_grant(
        by=personas.outsider, person=person, reason="Out of hours crisis: person's own team unreachable"
    )
    access.expires_at = timezone.now()
    access.save()
    return access.pk


@pytest.fixture
def sign_in():
    """`sign_in(user)`: a test client that enforces CSRF, signed in through the real sign-in page (the second factor
    is off in tests), as a member of staff reaches the pages. Every persona's password is "correct horse battery"."""
    from django.test import Client

    password = "correct horse battery"  # noqa: S105 (the test personas' password, see the root conftest)

    def signed_in(user):
        client = Client(enforce_csrf_checks=True)
        client.get("/account/sign-in/")
        response = client.post(
            "/account/sign-in/",
            {"username": user.username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        )
        assert response.status_code == 302, f"{user.username} could not sign in"
        return client

    return signed_in


def csrf_post(client, url, data):
    """POST a form as the browser does: with the CSRF token the page's cookie carries."""
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
