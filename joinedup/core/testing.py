"""Test-suite support that must live beside the code it works around (loaded by the root conftest)."""

ENABLE_TRUNCATE = """
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'core_auditevent_no_truncate') THEN
        ALTER TABLE core_auditevent {} TRIGGER core_auditevent_no_truncate;
    END IF;
END $$;
"""


def let_test_teardown_empty_the_audit_table() -> None:
    """Between browser journeys pytest-django empties every table with Django's flush (one TRUNCATE). On
    PostgreSQL the audit table refuses TRUNCATE (core migration 0006), so the flush switches that trigger off
    and on again inside its own transaction: the table owner's right, used by the test suite alone."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "lets_audit_table_be_emptied", False):
        return

    def execute_sql_flush(self, sql_list):
        if any("core_auditevent" in sql for sql in sql_list):
            sql_list = [ENABLE_TRUNCATE.format("DISABLE"), *sql_list, ENABLE_TRUNCATE.format("ENABLE")]
        return original(self, sql_list)

    execute_sql_flush.lets_audit_table_be_emptied = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush
