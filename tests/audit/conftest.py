import contextlib

import pytest
from django.db import connection


@pytest.fixture
def make_user(db):
    from tinhso.accounts.models import User

    counter = iter(range(1, 10_000))

    def make(**extra):
        n = next(counter)
        extra.setdefault("full_name", f"Người dùng {n}")
        return User.objects.create_user(email=f"audit-user{n}@example.vn", password=None, **extra)

    return make


@contextlib.contextmanager
def triggers_off():
    """What an attacker with database access would do before editing rows by hand."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Run the deferred FK checks now: ALTER TABLE refuses to run with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_actor_only_null")
    yield
