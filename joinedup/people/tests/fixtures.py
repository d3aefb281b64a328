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
