"""The URL walk (joinedup/core/tests/test_url_walk.py) for this capability's pages alone, so they are checked
even while another app's walk fixtures are missing: every role, no sign-in, the outsider and audit."""

import pytest

from joinedup.core.access import forget, may, visible_people
from joinedup.core.models import AuditEvent
from joinedup.core.tests.test_url_walk import all_patterns, declaration, fill

pytestmark = pytest.mark.django_db

MINE = ("referrals:", "meetings:")


@pytest.fixture
def args(person, url_arg_request_id, url_arg_meeting_id, url_arg_item_id, url_arg_discussion_id, url_arg_action_id):
    return {
        "person_id": person.pk,
        "request_id": url_arg_request_id,
        "meeting_id": url_arg_meeting_id,
        "item_id": url_arg_item_id,
        "discussion_id": url_arg_discussion_id,
        "action_id": url_arg_action_id,
    }


def mine():
    return [(n, r, v) for n, r, v in all_patterns() if n.startswith(MINE)]


def test_every_page_is_declared_and_walked_with_every_role(client, personas, person, args):
    pages = mine()
    assert len(pages) == 19
    users = {"anonymous": None, **personas.all()}
    for label, user in users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, route, view in pages:
            kind, perm = declaration(view)
            assert kind in ("person", "perm"), name
            response = client.get(fill(route, args))
            if user is None:
                expected = {302}
            elif kind == "perm":
                expected = {200} if may(user, perm) else {403}
            else:
                forget(user)
                if not visible_people(user).filter(pk=person.pk).exists():
                    expected = {404}
                else:
                    expected = {200} if may(user, perm, person) else {403}
            assert response.status_code in expected, f"{label} {name}: {response.status_code}, expected {expected}"


def test_every_person_page_writes_an_audit_event(client, personas, person, args):
    client.force_login(personas.community_clinician)
    for name, route, view in mine():
        if declaration(view)[0] != "person":
            continue
        before = AuditEvent.objects.filter(person=person).count()
        assert client.get(fill(route, args)).status_code == 200, name
        assert AuditEvent.objects.filter(person=person).count() > before, name


def test_coordinator_pages_about_a_person_write_an_audit_event(client, personas, person, args):
    client.force_login(personas.emdt_coordinator)
    for name in ("referrals:triage", "meetings:move", "meetings:outcome"):
        route = next(r for n, r, _ in mine() if n == name)
        before = AuditEvent.objects.filter(person=person, user=personas.emdt_coordinator).count()
        assert client.get(fill(route, args)).status_code == 200, name
        assert AuditEvent.objects.filter(person=person, user=personas.emdt_coordinator).count() > before, name
