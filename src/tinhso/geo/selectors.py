"""Reads of administrative units. Units are public data: no scoping needed."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound
from tinhso.geo.models import AdminUnit, Level
from tinhso.search.text import fold


def _search(qs: QuerySet[AdminUnit], q: str | None) -> QuerySet[AdminUnit]:
    """Diacritics-insensitive match of every word of ``q`` against the folded full name."""
    for word in fold(q or "").split():
        qs = qs.filter(name_folded__contains=word)
    return qs


def province(*, code: int | str | None = None) -> AdminUnit:
    """The province this deployment serves (``TINHSO_PROVINCE``), or the one with ``code``.
    Raises ``NotFound`` when it has not been loaded yet (``tinhso geo_load``)."""
    return _province(code)


def _province(code: int | str | None) -> AdminUnit:
    raw = settings.TINHSO_PROVINCE if code is None else code
    pcode = f"{int(raw):02d}"
    try:
        return AdminUnit.objects.get(code=pcode, level=Level.PROVINCE)
    except AdminUnit.DoesNotExist as exc:
        raise NotFound(
            _("Chưa nạp đơn vị hành chính của tỉnh mã %(code)s (chạy lệnh: tinhso geo_load --province %(code)s).")
            % {"code": pcode},
            code="province_not_loaded",
        ) from exc


def communes(*, province: AdminUnit | None = None, q: str | None = None, include_inactive: bool = False) -> QuerySet[AdminUnit]:
    """Communes, wards and special zones of ``province`` (default: the configured one), by code."""
    parent = province if province is not None else _province(None)
    qs = AdminUnit.objects.filter(level=Level.COMMUNE, parent=parent)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return _search(qs, q).order_by("code")


COMMUNE_CHOICES_CACHE_SECONDS = 300


def commune_choices() -> list[tuple[str, str]]:
    """(code, name) of the configured province's active communes, by code. Read by every form
    with a commune field (each submission validates one), so it is cached for a few minutes
    (``geo.services`` clears it when it changes units). Raises ``NotFound`` when the province has
    not been loaded."""
    from django.core.cache import cache

    key = commune_choices_cache_key()
    rows = cache.get(key)
    if rows is None:
        rows = _commune_choices()
        cache.set(key, rows, COMMUNE_CHOICES_CACHE_SECONDS)
    return rows


def commune_choices_cache_key() -> str:
    return f"geo:commune_choices:v1:{int(settings.TINHSO_PROVINCE):02d}"


def _commune_choices() -> list[tuple[str, str]]:
    pcode = f"{int(settings.TINHSO_PROVINCE):02d}"
    rows = list(
        AdminUnit.objects.filter(level=Level.COMMUNE, is_active=True, parent__code=pcode,
                                 parent__level=Level.PROVINCE)
        .order_by("code").values_list("code", "name")
    )
    if not rows:
        _province(None)  # raises NotFound when the province is missing; else it has no commune
    return rows


def hamlets(*, commune: AdminUnit, include_inactive: bool = False) -> QuerySet[AdminUnit]:
    qs = AdminUnit.objects.filter(level=Level.HAMLET, parent=commune)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def unit_get(*, code: str) -> AdminUnit:
    """One unit by its code (parent loaded). Raises ``NotFound``."""
    try:
        return AdminUnit.objects.select_related("parent").get(code=str(code).strip())
    except AdminUnit.DoesNotExist as exc:
        raise NotFound(
            _("Không tìm thấy đơn vị hành chính có mã %(code)s.") % {"code": code}, code="unit_not_found"
        ) from exc


def units(
    *,
    level: str | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[AdminUnit]:
    """Units filtered by level, parent code and a diacritics-insensitive name query."""
    qs = AdminUnit.objects.select_related("parent")
    if level:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    # Top-down: province, then communes, then hamlets; by code within a level.
    depth = Case(
        When(level=Level.PROVINCE, then=Value(0)),
        When(level=Level.COMMUNE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return _search(qs, q).annotate(depth=depth).order_by("depth", "code")


def children(*, unit: AdminUnit, include_inactive: bool = False) -> QuerySet[AdminUnit]:
    qs = AdminUnit.objects.select_related("parent").filter(parent=unit)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")
