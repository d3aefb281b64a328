import pytest
from django.test import Client

from .helpers import bearer


@pytest.fixture
def http():
    """A client that enforces CSRF, as a real caller meets it: the API must not lean on a cookie or a form token."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def token(practice_client):
    """A token of the Blackpool practice's system for every read it was granted."""
    return bearer(practice_client)
