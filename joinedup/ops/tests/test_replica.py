"""The read replica: a real streaming replica of the test run's PostgreSQL on another loopback port
(pgcluster.py), added as the "replica" database. Reads inside `use_replica()` and the search page's reads go to
it; writes, reads inside a transaction that has written, and sessions go to the primary; nothing is written to it.
On SQLite (no replica): `use_replica()` changes nothing."""

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from joinedup.core.models import AuditEvent, ScheduledJob
from joinedup.ops import replica as replica_module
from joinedup.ops.replica import use_replica
from joinedup.people.models import Person

from .pgcluster import server_copy, wait_until_replayed, wal_lsn_on_primary

WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "ALTER", "DROP")


@pytest.fixture
def replica(transactional_db):
    with server_copy(standby=True) as (port, _):
        connections.settings["replica"] = {**connection.settings_dict, "PORT": str(port), "CONN_MAX_AGE": None}
        # Connected here: the test case allows only the databases it knew of when it started.
        connections["replica"].connect()
        replica_module._health["checked_at"] = 0.0
        try:
            yield port
        finally:
            connections["replica"].close()
            del connections.settings["replica"]
            if hasattr(connections._connections, "replica"):
                delattr(connections._connections, "replica")
            replica_module._health["checked_at"] = 0.0


def _written(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.mark.slow
def test_reads_go_to_the_replica_and_writes_and_read_after_write_to_the_primary(replica, client, personas, person):
    wait_until_replayed(replica, connection.settings_dict["NAME"], wal_lsn_on_primary())
    on_replica = connections["replica"]
    with on_replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a standby: it could not take a write even if one were sent

    # A read inside use_replica(): the replica answers, the primary is not asked.
    with use_replica(), CaptureQueriesContext(on_replica) as there, CaptureQueriesContext(connection) as here:
        assert Person.objects.filter(pk=person.pk).exists()
    assert there.captured_queries and not here.captured_queries

    # A write inside use_replica() goes to the primary; in a transaction that has written, reads do too.
    with use_replica(), CaptureQueriesContext(on_replica) as there:
        ScheduledJob.objects.create(name="ops.replica_test_write")
        with transaction.atomic():
            ScheduledJob.objects.create(name="ops.replica_test_read_after_write")
            assert ScheduledJob.objects.filter(name="ops.replica_test_read_after_write").exists()
    assert not there.captured_queries

    # The search page reads from the replica (it is in REPLICA_READ_VIEWS); its audit event and the session are
    # written to the primary, and reach the replica by replication only.
    user = personas.community_clinician
    client.force_login(user)
    with CaptureQueriesContext(on_replica) as there, CaptureQueriesContext(connection) as here:
        response = client.get("/people/", {"nhs_number": person.nhs_number})
    assert response.status_code == 200
    assert any("people_person" in q["sql"] for q in there.captured_queries), "the search did not read the replica"
    assert not _written(there.captured_queries)
    assert any("core_auditevent" in q for q in _written(here.captured_queries))
    assert not any("django_session" in q["sql"] for q in there.captured_queries)

    searched = AuditEvent.objects.filter(user=user, what="person search").latest("at")
    wait_until_replayed(replica, connection.settings_dict["NAME"], wal_lsn_on_primary())
    assert AuditEvent.objects.using("replica").filter(pk=searched.pk).exists()

    # A page not named in REPLICA_READ_VIEWS reads from the primary.
    with CaptureQueriesContext(on_replica) as there:
        assert client.get("/tasks/").status_code == 200
    assert not there.captured_queries

    # When the replica stops answering, reads go to the primary.
    replica_module._health["checked_at"] = 0.0
    on_replica.settings_dict["PORT"] = "1"  # nothing listens there
    on_replica.close()
    with use_replica(), CaptureQueriesContext(connection) as here:
        assert Person.objects.filter(pk=person.pk).exists()
    assert here.captured_queries


def test_without_a_replica_use_replica_changes_nothing(db, person):
    assert "replica" not in connections.settings
    with use_replica(), CaptureQueriesContext(connection) as here:
        assert Person.objects.filter(pk=person.pk).exists()
    assert here.captured_queries
