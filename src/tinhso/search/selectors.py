"""Reads of the search index, with the access rule built in: anonymous and ``public_only``
searches see public documents only; a signed-in user may also see the non-public documents whose
scope is one of theirs (see :func:`user_search_scopes`)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from . import backends
from .models import SearchDocument
from .query import parse_query
from .text import fold_with_map

MAX_LIMIT = 100
SNIPPET_CHARS = 160


@dataclass(frozen=True)
class SearchHit:
    kind: str
    title: str
    url: str
    snippet: str
    score: float
    object_id: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[SearchHit] = field(default_factory=list)
    query: str = ""


def user_search_scopes(user) -> frozenset[str] | None:
    """The scopes whose non-public documents ``user`` may find: ``user:<public_id>`` (their own
    objects) and the codes of the agencies they currently belong to. ``None`` means every
    document (superusers); an empty set means public documents only."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    from tinhso.orgs.selectors import current_memberships

    codes = current_memberships(user=user).values_list("agency__code", flat=True)
    return frozenset({f"user:{user.public_id}", *(c for c in codes if c)})


def _snippet(body: str, terms: tuple[str, ...]) -> str:
    """A short plain-text excerpt of the original body around the first matched word."""
    if not body:
        return ""
    folded, where = fold_with_map(body)
    start = 0
    if terms:
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in terms) + ")")
        m = pattern.search(folded)
        if m:
            start = where[m.start()]
    if start <= SNIPPET_CHARS // 4:
        begin = 0
    else:
        begin = start - SNIPPET_CHARS // 4
        space = body.find(" ", begin, start)
        begin = space + 1 if space != -1 else begin
    end = begin + SNIPPET_CHARS
    if end < len(body):
        space = body.rfind(" ", begin + SNIPPET_CHARS // 2, end)
        end = space if space != -1 else end
    text = " ".join(body[begin:end].split())
    return ("… " if begin > 0 else "") + text + (" …" if end < len(body) else "")


def search_documents(
    *,
    query: str,
    kinds: list[str] | None = None,
    user=None,
    public_only: bool = True,
    limit: int = 20,
    offset: int = 0,
    fuzzy: bool = True,
) -> SearchResults:
    """Search the index. Never raises on user input: a query with nothing searchable in it
    returns no hits. ``limit`` is capped at 100. On PostgreSQL, when nothing matches, a
    trigram match on titles forgives typos (``fuzzy=False`` turns that off)."""
    parsed = parse_query(query)
    limit = max(1, min(int(limit or 20), MAX_LIMIT))
    offset = max(0, int(offset or 0))
    kinds = [str(k)[:40] for k in (kinds or []) if k][:20] or None
    if public_only:
        access = backends.Access(public_only=True)
    else:
        access = backends.Access(public_only=False, scopes=user_search_scopes(user))
    total, page = backends.run_query(
        parsed, kinds=kinds, access=access, limit=limit, offset=offset, fuzzy=fuzzy
    )
    if not page:
        return SearchResults(total=total, hits=[], query=" ".join(parsed.terms))
    docs = SearchDocument.objects.in_bulk([pk for pk, _score in page])
    hits = []
    for pk, score in page:
        doc = docs.get(pk)
        if doc is None:  # removed between the two queries
            continue
        hits.append(
            SearchHit(
                kind=doc.kind,
                title=doc.title,
                url=doc.url,
                snippet=_snippet(doc.body, parsed.terms),
                score=round(score, 6),
                object_id=doc.object_id,
            )
        )
    return SearchResults(total=total, hits=hits, query=" ".join(parsed.terms))
