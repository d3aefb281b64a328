"""The person's home and "who has looked" run the same number of queries however long the trail."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from joinedup.core.audit import AuditAction, audit_record
from joinedup.portal.tests.fixtures import portal_sign_in

pytestmark = pytest.mark.django_db


def queries(client, url):
    client.get(url)  # the first view of a page also puts it on the timeline
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_home_and_who_has_looked_do_not_grow_with_the_audit_trail(portal, person, personas):
    client = portal_sign_in("person")
    staff = list(personas.all().values())[:6]
    before = {url: queries(client, url) for url in ("/my/", "/my/who-has-looked/")}
    for i in range(120):
        audit_record(by=staff[i % len(staff)], action=AuditAction.VIEW, what="record", person=person, reason="Read")
    after = {url: queries(client, url) for url in ("/my/", "/my/who-has-looked/")}
    assert after == before, (before, after)
    assert after["/my/who-has-looked/"] <= 15, after
