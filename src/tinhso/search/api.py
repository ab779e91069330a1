"""``GET /api/v1/search``: public full-text search over public documents."""

from __future__ import annotations

from ninja import Query, Router, Schema

from .selectors import search_documents

router = Router(tags=["search"])


class HitOut(Schema):
    kind: str
    title: str
    url: str
    snippet: str
    score: float
    object_id: str


class ResultsOut(Schema):
    total: int
    limit: int
    offset: int
    hits: list[HitOut]


class SearchParams(Schema):
    q: str = ""
    kind: list[str] | None = None
    limit: int = 20
    offset: int = 0


@router.get("", response=ResultsOut, auth=None, summary="Tìm kiếm toàn văn (không phân biệt dấu)")
def search(request, params: Query[SearchParams]):
    """Public documents only. ``q`` is folded (diacritics and đ ignored); the last word matches
    as a prefix. ``kind`` may repeat or hold a comma-separated list. ``limit`` 1–50."""
    kinds = [k.strip() for value in (params.kind or []) for k in value.split(",") if k.strip()]
    limit = max(1, min(params.limit, 50))
    offset = max(0, min(params.offset, 10_000))
    results = search_documents(query=params.q, kinds=kinds or None, public_only=True, limit=limit, offset=offset)
    return {"total": results.total, "limit": limit, "offset": offset, "hits": [h.as_dict() for h in results.hits]}
