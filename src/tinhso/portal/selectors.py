"""Reads behind the portal pages: the province, its communes and agencies, an official's
memberships.

The geo and orgs building blocks own these models; the portal reads them through their
selectors so that the rules (what is active, what is public) live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tinhso.core.errors import NotFound
from tinhso.geo import selectors as geo_selectors
from tinhso.geo.models import AdminUnit
from tinhso.orgs import selectors as orgs_selectors
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel, Membership
from tinhso.search import text as search_text

# Headings for the kinds of commune-level units, in the order the home page shows them.
COMMUNE_KIND_LABELS = {
    "phường": _("Phường"),
    "xã": _("Xã"),
    "đặc khu": _("Đặc khu"),
}


def fold(text: str) -> str:
    """Diacritics-insensitive, case-insensitive form of ``text`` (đ folds to d)."""
    return search_text.fold(text)


# --- province ----------------------------------------------------------------------------------


def province() -> AdminUnit | None:
    """The province this deployment serves, or None before the demo/real data is loaded."""
    try:
        return geo_selectors.province()
    except NotFound:
        return None


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
    return list(geo_selectors.communes(province=province, q=q))


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
    return geo_selectors.communes(province=province).count()


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


def agency_overview() -> AgencyOverview:
    """Provincial agencies (People's Committee, its office, departments, others) and the
    number of commune People's Committees."""
    provincial = sorted(orgs_selectors.public_agencies(level=AgencyLevel.PROVINCE), key=lambda a: fold(a.name))
    committee = next((a for a in provincial if a.kind == AgencyKind.PEOPLES_COMMITTEE), None)
    office = next((a for a in provincial if a.kind == AgencyKind.OFFICE), None)
    departments = [a for a in provincial if a.kind == AgencyKind.DEPARTMENT]
    others = [a for a in provincial if a not in (committee, office) and a.kind != AgencyKind.DEPARTMENT]
    commune_committees = orgs_selectors.public_agencies(
        level=AgencyLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE
    ).count()
    return AgencyOverview(
        committee=committee,
        office=office,
        departments=departments,
        others=others,
        commune_committees=commune_committees,
    )


# --- officials ---------------------------------------------------------------------------------


def active_memberships(*, user) -> QuerySet[Membership]:
    """The user's memberships that are active today (``valid_until`` not passed, agency active)."""
    return (
        orgs_selectors.current_memberships(user=user)
        .select_related("agency", "role", "unit", "position")
        .order_by("agency__name", "role__name")
    )


def is_official(user) -> bool:
    """An official, for the portal, is a user with at least one active membership."""
    return active_memberships(user=user).exists()


# --- notifications -----------------------------------------------------------------------------


def latest_notifications(*, user, limit: int = 5) -> tuple[list, str]:
    """The user's latest in-app notifications (newest first) and the URL of the full list."""
    from django.urls import reverse

    from tinhso.notify import selectors as notify_selectors

    return list(notify_selectors.inbox_for(user=user)[:limit]), reverse("notify:list")
