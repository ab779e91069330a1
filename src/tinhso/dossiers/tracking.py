"""The public tracking answer, cached.

``GET /api/v1/dossiers/tracking/{code}?secret=`` is the one page anybody may hit without logging
in, often many times a day for the same dossier. Its answer (:func:`tinhso.dossiers.selectors.
dossier_track`: status and history, no personal data) is cached as ready-to-send JSON, per
dossier code and language, together with the dossier's tracking secret (compared in constant
time on every hit, so the cache never answers a wrong secret).

Freshness: every service that changes what a tracker sees calls :func:`tracking_forget` inside
its transaction — the state machine's transitions (``services._base._fire``), a new due date
(apology) and the overdue flag — and the entries are deleted when that transaction commits. A
reader that computed its answer just before a commit and stores it just after the deletion could
leave an old answer behind: ``CACHE_SECONDS`` bounds that rare case (and any change made outside
the services, such as a repair in SQL) to half a minute.

A hit costs one cache read; a miss (or an unknown code) one indexed query on the code, then the
full answer.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound

from . import codes
from .models import Dossier, Status

CACHE_SECONDS = 30
KEY_PREFIX = "dossiers:track:v2"
# Compared when the code is unknown, so a miss costs the same as a wrong secret.
DUMMY_SECRET = "X" * 8


def _normal(code: str) -> str:
    return (code or "").strip().upper()[:40]


def cache_key(*, code: str, language: str) -> str:
    return f"{KEY_PREFIX}:{language}:{_normal(code)}"


def _row(code: str) -> tuple[int, str] | None:
    """(id, tracking_secret) of the submitted dossier with ``code``: one indexed query."""
    q = connection.ops.quote_name
    table = q(Dossier._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(  # only quoted identifiers are formatted in; values are parameters
            f"SELECT {q('id')}, {q('tracking_secret')} FROM {table} "  # noqa: S608
            f"WHERE {q('code')} = %s AND {q('status')} <> %s",
            [code, Status.DRAFT],
        )
        return cursor.fetchone()


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy hồ sơ với mã và mã tra cứu này."), code="dossier_not_found")


def tracking_json(*, code: str, secret: str) -> bytes:
    """The public tracking answer as JSON bytes (the shape of ``TrackingOut``). Raises
    ``NotFound`` unless code and secret match."""
    from ninja.responses import NinjaJSONEncoder

    from .api import TrackingOut
    from .selectors import dossier_track

    code = _normal(code)
    if not code:
        codes.secret_matches(DUMMY_SECRET, secret)
        raise _not_found()
    key = cache_key(code=code, language=translation.get_language() or settings.LANGUAGE_CODE)
    cached = cache.get(key)
    if cached is not None:
        expected, body = cached
        if not codes.secret_matches(expected, secret):
            raise _not_found()
        return body
    row = _row(code)
    expected = (row[1] or "") if row is not None else DUMMY_SECRET
    ok = codes.secret_matches(expected, secret)  # compared even when the code is unknown
    if row is None or not ok:
        raise _not_found()
    answer = TrackingOut.model_validate(dossier_track(code=code, secret=secret)).model_dump()
    body = json.dumps(answer, cls=NinjaJSONEncoder, ensure_ascii=False).encode("utf-8")
    cache.set(key, (expected, body), CACHE_SECONDS)
    return body


def tracking_forget(dossier) -> None:
    """Drop the cached answers of ``dossier`` when the caller's transaction commits (at once
    outside a transaction)."""
    if not dossier.code:
        return
    keys = [cache_key(code=dossier.code, language=lang) for lang, _name in settings.LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(keys))
