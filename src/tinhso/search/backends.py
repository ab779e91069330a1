"""The database side of search: keeping the full-text index in sync and running a query.

- SQLite: an FTS5 table ``search_fts(title, body)`` whose rowid is the SearchDocument id,
  tokenizer ``unicode61 remove_diacritics 2`` over the already-folded text, ranked by bm25 with
  the title weighted above the body. Services keep it in sync (delete + insert) in the same
  transaction as the document row.
- PostgreSQL: a GIN index on ``setweight(to_tsvector('simple', title_folded), 'A') ||
  setweight(to_tsvector('simple', body_folded), 'B')``; ``to_tsquery`` with the last word as a
  prefix, ranked by ``ts_rank``. When nothing matches, a trigram fallback (pg_trgm
  ``word_similarity`` on the title) forgives typos.
- Anything else: a plain ``LIKE`` scan of the folded columns (correct, not fast).

Only ids and scores come back from here; selectors load the rows and build the hits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from .query import ParsedQuery

FTS_TABLE = "search_fts"
DOC_TABLE = "search_searchdocument"

# bm25 weights for (title, body) on SQLite; PostgreSQL uses ts_rank's A/B weights (1.0/0.4).
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0

PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, COALESCE(d.title_folded, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, COALESCE(d.body_folded, '')), 'B'))"
)
# The same expression without the table alias, as the migration indexes it.
PG_INDEX_VECTOR = PG_VECTOR.replace("d.", "")


@dataclass(frozen=True)
class Access:
    """Which documents a search may see: ``public_only``; otherwise public ones plus those whose
    scope is in ``scopes`` (``scopes=None``: every document, for system administrators)."""

    public_only: bool = True
    scopes: frozenset[str] | None = frozenset()


def _filters(kinds: Sequence[str] | None, access: Access) -> tuple[str, list]:
    sql: list[str] = []
    params: list = []
    if kinds:
        sql.append("d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")")
        params.extend(kinds)
    if access.public_only:
        sql.append("d.is_public = %s")
        params.append(True)
    elif access.scopes is not None:
        if access.scopes:
            scopes = sorted(access.scopes)
            sql.append("(d.is_public = %s OR d.scope IN (" + ", ".join(["%s"] * len(scopes)) + "))")
            params.extend([True, *scopes])
        else:
            sql.append("d.is_public = %s")
            params.append(True)
    return "".join(f" AND {s}" for s in sql), params


# --- keeping the index in sync ----------------------------------------------------------------


def index_documents(docs: Iterable) -> None:
    """Write (or rewrite) the full-text entries of these SearchDocument rows."""
    if connection.vendor != "sqlite":
        return  # PostgreSQL indexes the columns themselves; other backends scan them.
    with connection.cursor() as cursor:
        for doc in docs:
            # Delete first: the FTS table has no upsert, and a stale entry may carry this rowid.
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [doc.pk])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608
                [doc.pk, doc.title_folded, doc.body_folded],
            )


def unindex_documents(ids: Iterable[int]) -> None:
    if connection.vendor != "sqlite":
        return
    ids = list(ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                chunk,
            )


def clear_index() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608


# --- querying ---------------------------------------------------------------------------------


def run_query(
    parsed: ParsedQuery,
    *,
    kinds: Sequence[str] | None,
    access: Access,
    limit: int,
    offset: int,
    fuzzy: bool = True,
) -> tuple[int, list[tuple[int, float]]]:
    """Return (total matches, [(document id, score)] of the page, best first)."""
    if not parsed:
        return 0, []
    where, params = _filters(kinds, access)
    if connection.vendor == "sqlite":
        return _sqlite(parsed, where, params, limit, offset)
    if connection.vendor == "postgresql":
        total, page = _postgres(parsed, where, params, limit, offset)
        if total == 0 and fuzzy:
            total, page = _postgres_fuzzy(parsed, where, params, limit, offset)
        return total, page
    return _generic(parsed, where, params, limit, offset)


def _sqlite(parsed, where, params, limit, offset):
    match = parsed.fts5()
    base = f"FROM {FTS_TABLE} JOIN {DOC_TABLE} d ON d.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s{where}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {base}", [match, *params])  # noqa: S608
        total = cursor.fetchone()[0]
        if not total or offset >= total:
            return total, []
        cursor.execute(
            f"SELECT d.id, -bm25({FTS_TABLE}, %s, %s) AS score {base} "  # noqa: S608
            "ORDER BY score DESC, d.id LIMIT %s OFFSET %s",
            [TITLE_WEIGHT, BODY_WEIGHT, match, *params, limit, offset],
        )
        return total, [(row[0], float(row[1])) for row in cursor.fetchall()]


def _postgres(parsed, where, params, limit, offset):
    query = parsed.tsquery()
    base = (
        f"FROM {DOC_TABLE} d, to_tsquery('simple'::regconfig, unaccent(%s)) AS q "  # noqa: S608
        f"WHERE {PG_VECTOR} @@ q{where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {base}", [query, *params])  # noqa: S608
        total = cursor.fetchone()[0]
        if not total or offset >= total:
            return total, []
        cursor.execute(
            f"SELECT d.id, ts_rank({PG_VECTOR}, q) AS score {base} "  # noqa: S608
            "ORDER BY score DESC, d.id LIMIT %s OFFSET %s",
            [query, *params, limit, offset],
        )
        return total, [(row[0], float(row[1])) for row in cursor.fetchall()]


def _postgres_fuzzy(parsed, where, params, limit, offset):
    # ``<%`` is pg_trgm's word-similarity operator (threshold pg_trgm.word_similarity_threshold,
    # 0.6 by default); it can use the trigram index on title_folded.
    text = " ".join(parsed.terms)
    base = f"FROM {DOC_TABLE} d WHERE %s <%% d.title_folded{where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {base}", [text, *params])  # noqa: S608
        total = cursor.fetchone()[0]
        if not total or offset >= total:
            return total, []
        # Scaled down so that a typo match never looks like a real full-text match.
        cursor.execute(
            f"SELECT d.id, word_similarity(%s, d.title_folded) * 0.01 AS score {base} "  # noqa: S608
            "ORDER BY score DESC, d.id LIMIT %s OFFSET %s",
            [text, text, *params, limit, offset],
        )
        return total, [(row[0], float(row[1])) for row in cursor.fetchall()]


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _generic(parsed, where, params, limit, offset):
    conds: list[str] = []
    cparams: list = []
    for term in parsed.terms:
        pattern = f"%{_like_escape(term)}%"
        conds.append("(d.title_folded LIKE %s ESCAPE '\\' OR d.body_folded LIKE %s ESCAPE '\\')")
        cparams.extend([pattern, pattern])
    base = f"FROM {DOC_TABLE} d WHERE " + " AND ".join(conds) + where  # noqa: S608
    first = f"%{_like_escape(parsed.terms[0])}%"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {base}", [*cparams, *params])  # noqa: S608
        total = cursor.fetchone()[0]
        if not total or offset >= total:
            return total, []
        cursor.execute(
            f"SELECT d.id, CASE WHEN d.title_folded LIKE %s ESCAPE '\\' THEN 1.0 ELSE 0.5 END AS score {base} "  # noqa: S608
            "ORDER BY score DESC, d.id LIMIT %s OFFSET %s",
            [first, *cparams, *params, limit, offset],
        )
        return total, [(row[0], float(row[1])) for row in cursor.fetchall()]
