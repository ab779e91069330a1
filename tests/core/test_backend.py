"""The suite runs on the database DATABASE_URL names: a PostgreSQL run that silently fell back
to SQLite would hide every PostgreSQL-only failure."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_backend_matches_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://", "pgsql://")) else "sqlite"
    assert connection.vendor == expected
