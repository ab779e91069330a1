"""Dossier codes and tracking secrets.

A code is ``<agency code>-<YYMMDD>-<NNNN>`` (Circular 01/2018/TT-VPCP art. 19): the receiving
agency's electronic code, the local (Asia/Ho_Chi_Minh) submission date and a sequence number
within that agency and day, zero-padded to 4 digits (a 10,000th dossier in one day simply gets
5 digits). The sequence comes from a ``DossierCounter`` row taken with
:func:`tinhso.core.sequences.take_next` (one atomic upsert) inside the submitting transaction:
the row stays locked until that transaction ends, so concurrent submissions get distinct,
consecutive numbers; the unique constraint on ``Dossier.code`` is the backstop.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime

from tinhso.core.sequences import take_next
from tinhso.workflow.calendar import to_local

from .models import DossierCounter


def next_code(*, agency, when: datetime) -> str:
    """Take the next sequence number of ``agency`` for the local day of ``when``. Must run in the
    caller's transaction: the counter row stays locked until it commits."""
    day = to_local(when).date()
    number = take_next(DossierCounter, {"agency": agency, "date": day})
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def new_tracking_secret() -> str:
    """8 random characters of the RFC 4648 base32 alphabet (A–Z, 2–7): 40 bits, easy to type."""
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii")


def secret_matches(expected: str, given: str) -> bool:
    """Constant-time comparison, case-insensitive and ignoring spaces a person may type."""
    given = "".join((given or "").split()).upper()
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
