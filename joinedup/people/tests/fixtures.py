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
    from joinedup.accounts.tests.helpers import sign_in_with_csrf

    return lambda user: sign_in_with_csrf(user.username)


def csrf_post(client, url, data):
    """POST a form as the browser does: with the CSRF token the page's cookie carries."""
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
