"""The public tracking answer, cached.

``GET /api/v1/dossiers/tracking/{code}?secret=`` is the one page anybody may hit without logging
in, often many times a day for the same dossier. Its answer (:func:`tinhso.dossiers.selectors.
dossier_track`: status and history, no personal data) is cached as ready-to-send JSON under a key
made of the dossier's id, the ``updated_at`` of its row and the language. Every change a tracker
can see saves the dossier row (transitions, a new due date, the overdue flag), which moves
``updated_at``, so a changed dossier is never answered from the cache — no invalidation to
forget, and no race between a reader filling the cache and a writer committing. Old entries
simply expire.

A lookup therefore costs one indexed query on the dossier's code (id, ``updated_at`` and the
secret, compared in constant time also for unknown codes) and one cache read.
"""

from __future__ import annotations

import json

from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound

from . import codes
from .models import Dossier, Status

CACHE_SECONDS = 24 * 3600
KEY_PREFIX = "dossiers:track:v1"
# Compared when the code is unknown, so a miss costs the same as a wrong secret.
DUMMY_SECRET = "X" * 8


def _row(code: str) -> tuple[int, object, str] | None:
    """(id, updated_at, tracking_secret) of the submitted dossier with ``code``: one indexed query."""
    q = connection.ops.quote_name
    table = q(Dossier._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(  # only quoted identifiers are formatted in; values are parameters
            f"SELECT {q('id')}, {q('updated_at')}, {q('tracking_secret')} FROM {table} "  # noqa: S608
            f"WHERE {q('code')} = %s AND {q('status')} <> %s",
            [code, Status.DRAFT],
        )
        row = cursor.fetchone()
    return row


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy hồ sơ với mã và mã tra cứu này."), code="dossier_not_found")


def cache_key(*, dossier_id: int, updated_at, language: str) -> str:
    stamp = updated_at.isoformat() if hasattr(updated_at, "isoformat") else str(updated_at)
    return f"{KEY_PREFIX}:{language}:{dossier_id}:{stamp}"


def tracking_json(*, code: str, secret: str) -> bytes:
    """The public tracking answer as JSON bytes (the shape of ``TrackingOut``). Raises
    ``NotFound`` unless code and secret match."""
    from ninja.responses import NinjaJSONEncoder

    from .api import TrackingOut
    from .selectors import dossier_track

    code = (code or "").strip().upper()[:40]
    row = _row(code) if code else None
    expected = (row[2] or "") if row is not None else DUMMY_SECRET
    ok = codes.secret_matches(expected, secret)  # compared even when the code is unknown
    if row is None or not ok:
        raise _not_found()
    key = cache_key(dossier_id=row[0], updated_at=row[1], language=translation.get_language() or "vi")
    body = cache.get(key)
    if body is None:
        answer = TrackingOut.model_validate(dossier_track(code=code, secret=secret)).model_dump()
        body = json.dumps(answer, cls=NinjaJSONEncoder, ensure_ascii=False).encode("utf-8")
        cache.set(key, body, CACHE_SECONDS)
    return body
