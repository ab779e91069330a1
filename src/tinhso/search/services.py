"""Writes to the search index. Every service that wants its objects found calls
:func:`search_index` when an object is created or changed and :func:`search_remove` when it is
deleted or withdrawn, inside its own transaction (so the index never disagrees with the data).

The index is derived data: indexing writes no audit event of its own (the service that changed
the object already did); a full re-index records one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import ValidationFailed

from . import backends, registry
from .models import SearchDocument
from .text import fold

MAX_TITLE_CHARS = 500
MAX_BODY_CHARS = 100_000
MAX_KIND_CHARS = 40


def _object_key(obj) -> tuple[ContentType, str]:
    if obj is None or getattr(obj, "pk", None) is None:
        raise ValidationFailed(_("Chỉ đánh chỉ mục được đối tượng đã lưu."))
    return ContentType.objects.get_for_model(obj), str(obj.pk)


def search_index(
    *,
    obj,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    is_public: bool = True,
    scope: str = "",
) -> SearchDocument:
    """Create or refresh the search document of ``obj``.

    ``scope`` says who may find a non-public document: an agency code, or ``user:<public_id>``
    for one person's own objects (see :func:`tinhso.search.selectors.user_search_scopes`).
    """
    kind = (kind or "").strip()
    title = (title or "").strip()
    if not kind or len(kind) > MAX_KIND_CHARS:
        raise ValidationFailed(_("Loại tài liệu tìm kiếm không hợp lệ."))
    if not title:
        raise ValidationFailed(_("Tài liệu tìm kiếm cần có tiêu đề."))
    content_type, object_id = _object_key(obj)
    title = title[:MAX_TITLE_CHARS]
    body = (body or "")[:MAX_BODY_CHARS]
    with transaction.atomic():
        doc, _created = SearchDocument.objects.update_or_create(
            content_type=content_type,
            object_id=object_id,
            defaults={
                "kind": kind,
                "title": title,
                "body": body,
                "title_folded": fold(title)[:MAX_TITLE_CHARS],
                "body_folded": fold(body),
                "url": (url or "")[:500],
                "is_public": bool(is_public),
                "scope": (scope or "")[:100],
            },
        )
        backends.index_documents([doc])
    return doc


def search_remove(*, obj) -> bool:
    """Remove ``obj`` from the index; ``False`` when it was not indexed."""
    content_type, object_id = _object_key(obj)
    with transaction.atomic():
        ids = list(
            SearchDocument.objects.filter(content_type=content_type, object_id=object_id).values_list("pk", flat=True)
        )
        if not ids:
            return False
        backends.unindex_documents(ids)
        SearchDocument.objects.filter(pk__in=ids).delete()
    return True


def _remove_ids(ids: Iterable[int]) -> int:
    ids = list(ids)
    deleted = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        backends.unindex_documents(chunk)
        deleted += SearchDocument.objects.filter(pk__in=chunk).delete()[0]
    return deleted


def search_reindex(*, kinds: list[str] | None = None, actor=None) -> dict[str, int]:
    """Ask the registered providers (all, or those of ``kinds``) to index everything again and
    drop the documents of those kinds they no longer yield. Returns documents indexed per kind."""
    from tinhso.audit.services import record_event

    available = registry.providers()
    unknown = sorted(set(kinds or []) - set(available))
    if unknown:
        raise ValidationFailed(
            _("Không có nguồn dữ liệu tìm kiếm cho loại: %(kinds)s.") % {"kinds": ", ".join(unknown)},
            details={"unknown": unknown},
        )
    counts: dict[str, int] = {}
    removed: dict[str, int] = {}
    for kind in kinds or sorted(available):
        with transaction.atomic():
            # Every document the provider yields is saved again (auto_now), so whatever of this
            # kind is older than the start of the run was not yielded: it is stale.
            started = timezone.now()
            count = 0
            for item in available[kind]():
                search_index(kind=kind, **item)
                count += 1
            stale = SearchDocument.objects.filter(kind=kind, updated_at__lt=started).values_list("pk", flat=True)
            removed[kind] = _remove_ids(stale)
            counts[kind] = count
            record_event(
                actor=actor,
                action="search.reindex",
                details={"kind": kind, "indexed": counts[kind], "removed": removed[kind]},
            )
    return counts


def search_rebuild_backend() -> int:
    """Rebuild the backend's full-text table from the stored documents (repair after a restore
    or a bulk change that bypassed the services). Returns the number of documents."""
    count = 0
    with transaction.atomic():
        backends.clear_index()
        batch: list[SearchDocument] = []
        for doc in SearchDocument.objects.only("pk", "title_folded", "body_folded").iterator(chunk_size=500):
            batch.append(doc)
            if len(batch) >= 500:
                backends.index_documents(batch)
                count += len(batch)
                batch = []
        backends.index_documents(batch)
        count += len(batch)
    return count
