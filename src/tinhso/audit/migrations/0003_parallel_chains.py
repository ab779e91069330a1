"""Parallel audit chains: ``AuditEvent.chain`` (existing events are chain 1), ``seq`` unique per
chain. On SQLite, altering the table rebuilds it, which drops its triggers: they are installed
again afterwards, now also guarding ``chain``. PostgreSQL's trigger compares whole rows and
needs no change."""

from django.conf import settings
from django.db import migrations, models

SQLITE_INSTALL = [
    """CREATE TRIGGER audit_auditevent_no_update
    BEFORE UPDATE OF id, chain, seq, public_id, occurred_at, actor_repr, action, object_type, object_id,
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


def _sqlite(schema_editor, statements):
    if schema_editor.connection.vendor == "sqlite":
        for sql in statements:
            schema_editor.execute(sql, params=None)


def drop_sqlite_triggers(apps, schema_editor):
    _sqlite(schema_editor, SQLITE_REMOVE)


def install_sqlite_triggers(apps, schema_editor):
    _sqlite(schema_editor, SQLITE_REMOVE + SQLITE_INSTALL)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table rebuild on SQLite copies the rows with INSERT … SELECT: drop the UPDATE
        # guards first, put them back at the end.
        migrations.RunPython(drop_sqlite_triggers, install_sqlite_triggers, elidable=False),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=1, db_default=1, editable=False, verbose_name="chuỗi"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, verbose_name="số thứ tự"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_event_chain_seq_uniq"),
        ),
        migrations.RunPython(install_sqlite_triggers, drop_sqlite_triggers, elidable=False),
    ]
