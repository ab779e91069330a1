"""Reads of the procedure catalogue. The published catalogue is public data; unpublished entries
are only visible to the people who may edit them (services.can_edit)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel
from tinhso.procedures.models import (
    ImplementingLevel,
    Procedure,
    ProcedureField,
    ProcedureStep,
    RequiredDocument,
    ServiceLevel,
)

MAX_SEARCH_RESULTS = 100


def _detail_qs() -> QuerySet[Procedure]:
    return Procedure.objects.select_related("field").prefetch_related(
        "fees",
        Prefetch("required_documents", queryset=RequiredDocument.objects.select_related("template").order_by("order")),
        Prefetch("steps", queryset=ProcedureStep.objects.select_related("agency").order_by("order")),
        "agencies",
    )


def procedure_get_published(*, code: str) -> Procedure:
    """A published procedure by code, with field, fees, documents, steps and agencies loaded.
    Raises ``NotFound``."""
    try:
        return _detail_qs().get(code=str(code or "").strip()[:30], is_published=True)
    except Procedure.DoesNotExist as exc:
        raise NotFound(_("Không tìm thấy thủ tục hành chính."), code="procedure_not_found") from exc


SUBMISSION_CACHE_SECONDS = 600


def procedure_get_for_submission(*, code: str) -> Procedure:
    """A published procedure by code with what a submission reads (field, fees, required
    documents) — not its steps or agencies, which receipt and the agency check load when they need
    them. Raises ``NotFound``.

    Every submission reads it, so it comes from the cache, keyed by the procedure's ``updated_at``
    (one small query): every change of the procedure or of its parts moves ``updated_at`` (the
    services touch it), so a changed procedure is never served from the cache. The cache hands
    out a fresh copy each time (it is pickled), never a shared object."""
    from django.core.cache import cache

    row = (
        Procedure.objects.filter(code=str(code or "").strip()[:30], is_published=True)
        .values_list("pk", "updated_at").first()
    )
    if row is None:
        raise NotFound(_("Không tìm thấy thủ tục hành chính."), code="procedure_not_found")
    key = f"procedures:submission:v1:{row[0]}:{row[1].isoformat()}"
    procedure = cache.get(key)
    if procedure is None:
        procedure = Procedure.objects.select_related("field").prefetch_related(
            "fees",
            Prefetch("required_documents",
                     queryset=RequiredDocument.objects.select_related("template").order_by("order")),
        ).get(pk=row[0])
        cache.set(key, procedure, SUBMISSION_CACHE_SECONDS)
    return procedure


def procedure_get(*, code: str) -> Procedure:
    """Any procedure (published or not) by code, for editors; raises ``NotFound``."""
    try:
        return _detail_qs().get(code=str(code or "").strip()[:30])
    except Procedure.DoesNotExist as exc:
        raise NotFound(_("Không tìm thấy thủ tục hành chính."), code="procedure_not_found") from exc


def procedures_public(
    *, q: str | None = None, field: str | None = None, level: str | None = None
) -> QuerySet[Procedure]:
    """Published procedures, optionally matching a diacritics-insensitive query ``q`` (through
    the search index; best match first), a field code and an implementing or service level
    (``province``/``commune`` or ``full_online``/``partial_online``)."""
    qs = Procedure.objects.filter(is_published=True).select_related("field")
    if field:
        qs = qs.filter(field__code=str(field)[:40])
    if level:
        level = str(level)
        if level in ImplementingLevel.values:
            qs = qs.filter(implementing_level=level)
        elif level in ServiceLevel.values:
            qs = qs.filter(service_level=level)
        else:
            return qs.none()
    q = (q or "").strip()
    if not q:
        return qs.order_by("field__order", "name")
    # A typed procedure code ("1.001193") finds that procedure directly: full-text tokenizers
    # split or keep such numbers differently per database.
    by_code = qs.filter(code=q[:30])
    if any(ch.isdigit() for ch in q) and by_code.exists():
        return by_code
    from tinhso.search.selectors import search_documents

    results = search_documents(query=q, kinds=["procedure"], limit=MAX_SEARCH_RESULTS)
    ids = [int(hit.object_id) for hit in results.hits if hit.object_id.isdigit()]
    if not ids:
        return qs.none()
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField())
    return qs.filter(pk__in=ids).annotate(search_rank=rank).order_by("search_rank")


def procedure_fields(*, with_published_only: bool = True) -> QuerySet[ProcedureField]:
    """Fields of procedures (those with at least one published procedure by default)."""
    qs = ProcedureField.objects.all()
    if with_published_only:
        qs = qs.filter(procedures__is_published=True).distinct()
    return qs.order_by("order", "name")


def receiving_agencies(*, procedure: Procedure) -> QuerySet[Agency]:
    """Where a citizen may file this procedure: for a commune-level procedure every active
    commune People's Committee of the province; otherwise the agencies in charge."""
    if procedure.implementing_level == ImplementingLevel.COMMUNE:
        from django.conf import settings

        from tinhso.geo.models import Level

        # The configured province by its code, in the same query (no separate province read;
        # nothing matches when the province is not loaded).
        return Agency.objects.filter(
            is_active=True, level=AgencyLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE,
            admin_unit__parent__code=f"{int(settings.TINHSO_PROVINCE):02d}",
            admin_unit__parent__level=Level.PROVINCE,
        ).select_related("admin_unit").order_by("admin_unit__code")
    return procedure.agencies.filter(is_active=True).order_by("code")


def format_vnd(amount: int | None) -> str:
    """``50000`` → ``"50.000 đ"``; ``0`` → ``"Miễn phí"``."""
    if not amount:
        return _("Miễn phí")
    return f"{int(amount):,}".replace(",", ".") + " đ"


def editable_procedures(*, user) -> QuerySet[Procedure]:
    """Procedures ``user`` may edit: all for superusers; for agency admins those whose agencies
    include one of theirs."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Procedure.objects.none()
    if user.is_superuser:
        return Procedure.objects.all()
    from tinhso.orgs.selectors import agency_scope

    scope = agency_scope(user=user, roles=["agency_admin"])
    if not scope:
        return Procedure.objects.none()
    return Procedure.objects.filter(agencies__in=scope).distinct()


def catalogue_for_export() -> QuerySet[Procedure]:
    """Every procedure with its related rows, for the Excel export."""
    return _detail_qs().order_by("code")
