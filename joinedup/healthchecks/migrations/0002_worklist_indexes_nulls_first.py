"""On PostgreSQL, the worklist indexes sort never-checked people first, as the worklist does (SQLite already sorts
NULL first, and refuses NULLS FIRST in an index)."""

from django.db import migrations

INDEXES = {"hc_entry_provider_due": "provider_id", "hc_entry_practice_due": "practice_id", "hc_entry_pcn_due": "pcn_id"}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        schema_editor.execute(
            f'CREATE INDEX "{name}" ON "healthchecks_registerentry" ("{column}", "last_full_check" ASC NULLS FIRST, "id")'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        schema_editor.execute(f'CREATE INDEX "{name}" ON "healthchecks_registerentry" ("{column}", "last_full_check", "id")')


class Migration(migrations.Migration):
    dependencies = [("healthchecks", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
