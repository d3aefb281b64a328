"""Fixtures this app shares with the whole suite (the URL walk's `<staff_id>`)."""

import pytest


@pytest.fixture
def url_arg_staff_id(personas):
    """A member of staff the administrator persona runs (same organisation)."""
    return personas.key_worker.pk
