"""On PostgreSQL the audit table refuses TRUNCATE too, not only row UPDATE and DELETE (migration 0002).

TRUNCATE fires no row triggers, so 0002 let `TRUNCATE core_auditevent` (or Django's `flush`) empty the trail.
A statement-level BEFORE TRUNCATE trigger refuses it. The test suite's teardown, which must empty every
table between browser journeys, switches this one trigger off inside its own flush transaction
(joinedup/core/testing.py); that needs the table owner's ALTER TABLE right, the same right that could drop the
trigger, so it opens no new way in.
"""

from django.db import migrations

TRIGGER = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_listed_and_refused_actions")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
