"""Two coordinators pressing "Save decision" at the same moment, on a real database that locks rows.

SQLite has no row locks (it serialises whole transactions), so this runs on PostgreSQL only; the same rule is
tested on every backend in test_triage.py with a copy of the request read before the first decision.
"""

import threading

import pytest
from django.db import connection, connections

from joinedup.referrals.models import EmdtRequest
from joinedup.referrals.services import TriageConflict, emdt_request_accept, emdt_request_decline

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)"),
]


def test_two_coordinators_at_once_make_one_decision(personas, emdt_request, meeting_later, emdt_team):
    from joinedup.accounts.roles import Role
    from joinedup.accounts.services import staff_create

    second = staff_create(
        username="test.chair2", first_name="Chris", last_name="Chair", memberships=[(emdt_team, Role.EMDT_COORDINATOR)]
    )
    start = threading.Barrier(2)
    outcomes = []

    def triage(decide):
        try:
            start.wait()
            decide()
            outcomes.append("done")
        except TriageConflict as e:
            outcomes.append(str(e.messages[0]))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=triage,
            args=(
                lambda: emdt_request_accept(
                    by=personas.emdt_coordinator,
                    request=EmdtRequest.objects.get(pk=emdt_request.pk),
                    meeting=meeting_later,
                ),
            ),
        ),
        threading.Thread(
            target=triage,
            args=(
                lambda: emdt_request_decline(
                    by=second, request=EmdtRequest.objects.get(pk=emdt_request.pk), reason="x", recommendation="y"
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o == "done" for o in outcomes) == [False, True], outcomes
    assert any("Someone else has already dealt with this request" in o for o in outcomes)
    assert EmdtRequest.objects.get(pk=emdt_request.pk).transitions.count() == 2
