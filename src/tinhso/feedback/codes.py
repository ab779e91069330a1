"""Report codes ``PA-<YYMMDD>-<NNNN>``: "PA" (phản ánh), the local (Asia/Ho_Chi_Minh) date of
submission and a province-wide sequence number of that day, zero-padded to 4 digits (a 10,000th
report in one day gets 5 digits).

The sequence comes from a ``ReportCounter`` row taken with
:func:`tinhso.core.sequences.take_next` (one atomic upsert) inside the submitting transaction,
as ``tinhso.dossiers.codes`` does: the row stays locked until that
transaction ends, so concurrent submissions get distinct numbers; ``Report.code`` is unique as
a backstop. The code is for people; APIs address reports by ``public_id`` (UUID).
"""

from __future__ import annotations

from datetime import datetime

from tinhso.core.sequences import take_next
from tinhso.workflow.calendar import to_local

from .models import ReportCounter

PREFIX = "PA"


def next_code(*, when: datetime) -> str:
    """Take the next number of the local day of ``when``. Must run in the caller's transaction."""
    day = to_local(when).date()
    number = take_next(ReportCounter, {"date": day})
    return f"{PREFIX}-{day:%y%m%d}-{number:04d}"
