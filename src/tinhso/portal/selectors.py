"""Reads behind the portal pages: the province, its communes and agencies, an official's
memberships.

The geo and orgs building blocks own these models; their selectors are used when present so
that scoping rules live in one place. The small fallbacks below query the models directly and
exist only so that the portal keeps working while those selectors are being written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.geo.models import AdminUnit, Level
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel, Membership

# Headings for the kinds of commune-level units, in the order the home page shows them.
COMMUNE_KIND_LABELS = {
    "phường": _("Phường"),
    "xã": _("Xã"),
    "đặc khu": _("Đặc khu"),
}


def _optional(module: str, name: str) -> Callable | None:
    """A function from another app's module, or None while that app has not written it yet."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:  # the module exists but one of its own imports is broken
            raise
        return None
    return getattr(mod, name, None)


def fold(text: str) -> str:
    """Diacritics-insensitive, case-insensitive form of ``text`` (đ folds to d)."""
    search_fold = _optional("tinhso.search.text", "fold")
    if search_fold is not None:
        return search_fold(text)
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


# --- province ----------------------------------------------------------------------------------


def province() -> AdminUnit | None:
    """The province this deployment serves, or None before the demo/real data is loaded."""
    geo_province = _optional("tinhso.geo.selectors", "province")
    if geo_province is not None:
        try:
            return geo_province()
        except AdminUnit.DoesNotExist:
            return None
    return AdminUnit.objects.filter(level=Level.PROVINCE, code=str(settings.TINHSO_PROVINCE)).first()


def province_name() -> str:
    """Short name of the province ("Cà Mau"): from the database, else from the official
    list shipped with ``vietnam-provinces`` (so the header works on an empty database)."""
    unit = province()
    if unit is not None:
        return unit.name
    return province_name_offline()


def province_name_offline() -> str:
    """Province name without touching the database (used where no database may be available)."""
    try:
        from vietnam_provinces import Province, ProvinceCode

        return Province.from_code(ProvinceCode(settings.TINHSO_PROVINCE)).name
    except (ValueError, KeyError, ImportError):
        return ""


# --- communes ----------------------------------------------------------------------------------


@dataclass
class CommuneGroup:
    kind: str
    label: str
    units: list[AdminUnit] = field(default_factory=list)


def communes(*, province: AdminUnit, q: str = "") -> list[AdminUnit]:
    """Active communes/wards of ``province`` whose name matches ``q`` (diacritics ignored)."""
    geo_communes = _optional("tinhso.geo.selectors", "communes")
    if geo_communes is not None:
        return list(geo_communes(province=province, q=q))
    units = list(
        AdminUnit.objects.filter(parent=province, level=Level.COMMUNE, is_active=True).order_by("name", "code")
    )
    needle = fold(q)
    if needle:
        units = [u for u in units if needle in fold(u.name) or needle in fold(u.full_name)]
    return units


def communes_by_kind(*, province: AdminUnit, q: str = "") -> list[CommuneGroup]:
    """Communes grouped by kind (phường, xã, đặc khu, then any other kind), names sorted."""
    groups: dict[str, CommuneGroup] = {}
    for unit in communes(province=province, q=q):
        kind = (unit.kind or "").strip().lower()
        if kind not in groups:
            groups[kind] = CommuneGroup(kind=kind, label=str(COMMUNE_KIND_LABELS.get(kind, unit.kind or "—")))
        groups[kind].units.append(unit)
    known = list(COMMUNE_KIND_LABELS)
    ordered = sorted(groups.values(), key=lambda g: (known.index(g.kind) if g.kind in known else len(known), g.kind))
    for group in ordered:
        group.units.sort(key=lambda u: fold(u.name))
    return ordered


def commune_count(*, province: AdminUnit) -> int:
    return AdminUnit.objects.filter(parent=province, level=Level.COMMUNE, is_active=True).count()


# --- agencies ----------------------------------------------------------------------------------


@dataclass
class AgencyOverview:
    committee: Agency | None
    office: Agency | None
    departments: list[Agency]
    others: list[Agency]
    commune_committees: int

    @property
    def is_empty(self) -> bool:
        return not (self.committee or self.office or self.departments or self.others or self.commune_committees)


def _public_agencies(*, level: str) -> QuerySet[Agency] | list[Agency]:
    orgs_public = _optional("tinhso.orgs.selectors", "public_agencies")
    if orgs_public is not None:
        return orgs_public(level=level)
    return Agency.objects.filter(level=level, is_active=True).select_related("admin_unit").order_by("name")


def agency_overview() -> AgencyOverview:
    """Provincial agencies (People's Committee, its office, departments, others) and the
    number of commune People's Committees."""
    provincial = list(_public_agencies(level=AgencyLevel.PROVINCE))
    committee = next((a for a in provincial if a.kind == AgencyKind.PEOPLES_COMMITTEE), None)
    office = next((a for a in provincial if a.kind == AgencyKind.OFFICE), None)
    departments = [a for a in provincial if a.kind == AgencyKind.DEPARTMENT]
    others = [a for a in provincial if a not in (committee, office) and a.kind != AgencyKind.DEPARTMENT]
    commune_level = _public_agencies(level=AgencyLevel.COMMUNE)
    if isinstance(commune_level, QuerySet):
        commune_committees = commune_level.filter(kind=AgencyKind.PEOPLES_COMMITTEE).count()
    else:
        commune_committees = sum(1 for a in commune_level if a.kind == AgencyKind.PEOPLES_COMMITTEE)
    return AgencyOverview(
        committee=committee,
        office=office,
        departments=departments,
        others=others,
        commune_committees=commune_committees,
    )


# --- officials ---------------------------------------------------------------------------------


def active_memberships(*, user) -> QuerySet[Membership]:
    """The user's memberships that are active today (``valid_until`` not passed)."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    today = timezone.localdate()
    return (
        Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("agency", "role", "unit", "position")
        .order_by("agency__name", "role__name")
    )


def is_official(user) -> bool:
    """An official, for the portal, is a user with at least one active membership."""
    return active_memberships(user=user).exists()
