"""Gap-free numbering for human codes (dossier codes, report codes, document numbers …).

A counter is a row of a model with a unique key (e.g. agency + day) and an integer column.
:func:`take_next` increments it with one atomic upsert — ``INSERT … ON CONFLICT (key) DO UPDATE
SET n = n + 1 RETURNING n`` (PostgreSQL, and SQLite ≥ 3.35) — inside the caller's transaction:
the row stays locked until that transaction ends, so concurrent callers get distinct, consecutive
numbers, and a rolled-back transaction gives its number back (no gap, no duplicate).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def take_next(model: type[models.Model], key: dict[str, Any], *, column: str = "last_number") -> int:
    """The next number of the counter row of ``model`` identified by ``key`` (column name →
    value; the columns of a unique constraint), creating the row at 1. Call it inside the
    transaction that uses the number."""
    if not key:
        raise ValueError("a counter needs a key")
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    key_columns = [q(model._meta.get_field(name).column) for name in key]
    number = q(model._meta.get_field(column).column)
    placeholders = ", ".join(["%s"] * len(key))
    sql = (  # only quoted identifiers are formatted in; every value is a parameter
        f"INSERT INTO {table} ({', '.join(key_columns)}, {number}) VALUES ({placeholders}, 1) "  # noqa: S608
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {number} = {table}.{number} + 1 "
        f"RETURNING {number}"
    )
    params = [
        model._meta.get_field(name).get_db_prep_value(value.pk if isinstance(value, models.Model) else value,
                                                      connection)
        for name, value in key.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (value,) = cursor.fetchone()
    return int(value)
