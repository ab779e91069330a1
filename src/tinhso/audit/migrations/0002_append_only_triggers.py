"""Append-only guard on audit_auditevent, in the database itself."""

from django.db import migrations

# Database-level append-only guard. The only UPDATE allowed is nulling actor_id (the user was
# deleted: on_delete=SET_NULL); actor_id is not covered by the hash, actor_repr is.
# On SQLite only UPDATE is guarded: the test runner and `flush` empty tables with DELETE there
# (PostgreSQL uses TRUNCATE, which row triggers do not see). Deleted rows are still caught by
# `manage.py audit verify` (gap in seq, or chain head ahead of the last row).
PG_INSTALL = [
    """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]
SQLITE_INSTALL = [
    """CREATE TRIGGER audit_auditevent_no_update
    BEFORE UPDATE OF id, seq, public_id, occurred_at, actor_repr, action, object_type, object_id,
        object_repr, ip, user_agent, details, prev_hash, hash ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER audit_auditevent_actor_only_null
    BEFORE UPDATE OF actor_id ON audit_auditevent WHEN NEW.actor_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_actor_only_null",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)  # no parameters: '%' in PL/pgSQL stays literal


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_INSTALL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)


def remove_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_REMOVE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REMOVE)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_triggers, remove_triggers, elidable=False),
    ]
