"""Dossier codes and tracking secrets.

A code is ``<agency code>-<YYMMDD>-<NNNN>`` (Circular 01/2018/TT-VPCP art. 19): the receiving
agency's electronic code, the local (Asia/Ho_Chi_Minh) submission date and a sequence number
within that agency and day, zero-padded to 4 digits (a 10,000th dossier in one day simply gets
5 digits). The sequence comes from a ``DossierCounter`` row locked with ``select_for_update``
inside the submitting transaction, so concurrent submissions get distinct, consecutive numbers
(SQLite serialises writers anyway); the unique constraint on ``Dossier.code`` is the backstop.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import F

from tinhso.workflow.calendar import to_local

from .models import DossierCounter


def next_code(*, agency, when: datetime) -> str:
    """Take the next sequence number of ``agency`` for the local day of ``when``. Must run in the
    caller's transaction: the counter row stays locked until it commits."""
    day = to_local(when).date()
    with transaction.atomic():
        counter, _created = DossierCounter.objects.select_for_update().get_or_create(agency=agency, date=day)
        DossierCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        number = DossierCounter.objects.values_list("last_number", flat=True).get(pk=counter.pk)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def new_tracking_secret() -> str:
    """8 random characters of the RFC 4648 base32 alphabet (A–Z, 2–7): 40 bits, easy to type."""
    return base64.b32encode(secrets.token_bytes(5)).decode("ascii")


def secret_matches(expected: str, given: str) -> bool:
    """Constant-time comparison, case-insensitive and ignoring spaces a person may type."""
    given = "".join((given or "").split()).upper()
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
