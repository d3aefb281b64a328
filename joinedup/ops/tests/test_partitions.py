"""Monthly partitions of the audit trail and the timeline (PostgreSQL); SQLite keeps plain tables."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from joinedup.core.audit import audit_record
from joinedup.core.models import AuditAction, AuditEvent
from joinedup.core.schedule import run_due
from joinedup.ops import partitions

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's")


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM core_auditevent WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@postgres_only
def test_both_tables_are_partitioned_by_month_with_the_key_including_the_month():
    for table in partitions.TABLES:
        assert partitions.is_partitioned(table)
        names = [name for name, _, _ in partitions.partitions(table)]
        this_month = partitions.month_start(timezone.now().date())
        assert partitions.partition_name(table, this_month) in names
        assert names[-1] == f"{table}_default"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
                [table],
            )
            assert cursor.fetchone()[0] == "PRIMARY KEY (id, at)"


@postgres_only
def test_an_event_lands_in_its_month_and_one_without_a_partition_in_the_default(personas, person):
    user = personas.community_clinician
    now_event = audit_record(by=user, action=AuditAction.VIEW, what="record", person=person, reason="now")
    assert _where(now_event.pk) == partitions.partition_name("core_auditevent", timezone.now().date().replace(day=1))
    far = AuditEvent.objects.create(
        at=dt.datetime(2039, 5, 1, tzinfo=dt.UTC), username="x", action=AuditAction.VIEW, what="record"
    )
    assert _where(far.pk) == "core_auditevent_default"
    assert AuditEvent.objects.get(pk=far.pk).at.year == 2039


@postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET reason = 'changed'",
        "DELETE FROM core_auditevent",
        "UPDATE {partition} SET reason = 'changed'",
        "DELETE FROM {partition}",
    ],
)
def test_the_audit_trail_stays_append_only_in_every_partition(  # TRUNCATE: core/tests/test_audit_trail.py
    personas, person, statement
):
    audit_record(by=personas.community_clinician, action=AuditAction.VIEW, what="record", person=person, reason="r")
    partition = partitions.partition_name("core_auditevent", timezone.now().date().replace(day=1))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(partition=partition))


@postgres_only
def test_the_daily_job_makes_partitions_ahead_and_an_old_month_can_be_detached(settings):
    settings.PARTITION_MONTHS_AHEAD = 2
    run_due(dt.datetime(2041, 1, 15, tzinfo=dt.UTC), only="ops.partitions_ahead")
    names = {name for name, _, _ in partitions.partitions("core_auditevent")}
    assert {"core_auditevent_p2041_01", "core_auditevent_p2041_02", "core_auditevent_p2041_03"} <= names
    assert "core_timelineentry_p2041_03" in {name for name, _, _ in partitions.partitions("core_timelineentry")}
    assert partitions.ensure_ahead(dt.date(2041, 1, 15), 2) == []  # safe to run again

    event = AuditEvent.objects.create(
        at=dt.datetime(2041, 1, 20, tzinfo=dt.UTC), username="x", action=AuditAction.VIEW, what="record"
    )
    call_command("partitions", "--detach", "2041-01", "--table", "core_auditevent")
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditevent_p2041_01 WHERE id = %s", [event.pk])
        assert cursor.fetchone()[0] == 1  # archived, not deleted


@postgres_only
def test_the_command_refuses_a_month_it_cannot_read_or_does_not_have():
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("partitions", "--detach", "2041-13")
    with pytest.raises(CommandError, match="no partition for 1990-01"):
        call_command("partitions", "--detach", "1990-01")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's behaviour")
def test_sqlite_keeps_plain_tables_and_the_job_does_nothing():
    assert not partitions.is_partitioned("core_auditevent")
    assert partitions.ensure_ahead(dt.date(2041, 1, 1), 3) == []
    assert run_due(dt.datetime(2041, 1, 15, tzinfo=dt.UTC), only="ops.partitions_ahead") == {
        "ops.partitions_ahead": "ran"
    }
