"""Report codes ``PA-<YYMMDD>-<NNNN>``: "PA" (phản ánh), the local (Asia/Ho_Chi_Minh) date of
submission and a province-wide sequence number of that day, zero-padded to 4 digits (a 10,000th
report in one day gets 5 digits).

The sequence comes from a ``ReportCounter`` row incremented by one atomic upsert
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``, PostgreSQL and SQLite ≥ 3.35) inside the
submitting transaction, as ``tinhso.dossiers.codes`` does: the row stays locked until that
transaction ends, so concurrent submissions get distinct numbers; ``Report.code`` is unique as
a backstop. The code is for people; APIs address reports by ``public_id`` (UUID).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from tinhso.workflow.calendar import to_local

from .models import ReportCounter

PREFIX = "PA"


def next_code(*, when: datetime) -> str:
    """Take the next number of the local day of ``when``. Must run in the caller's transaction."""
    day = to_local(when).date()
    q = connection.ops.quote_name
    table, date_col, number_col = q(ReportCounter._meta.db_table), q("date"), q("last_number")
    with connection.cursor() as cursor:
        cursor.execute(  # only quoted identifiers are formatted in; values are parameters
            f"INSERT INTO {table} ({date_col}, {number_col}) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT ({date_col}) DO UPDATE SET {number_col} = {table}.{number_col} + 1 "
            f"RETURNING {number_col}",
            [day],
        )
        (number,) = cursor.fetchone()
    return f"{PREFIX}-{day:%y%m%d}-{number:04d}"
