"""Reads of agencies and memberships, and the official's agency scope.

The scope is resolved once at the edge of an endpoint (``agency_scope``) and every query is
filtered by it (``scope_queryset``): an official only sees rows of agencies where they hold an
active, unexpired membership with one of the roles the endpoint accepts. Superusers get no
implicit scope: system administrators act through the admin site.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import NotAllowed, NotFound
from tinhso.orgs.models import Agency, AgencyLevel, Membership, Position, Unit, UnitKind
from tinhso.search.text import fold


def _roles_tuple(roles: Iterable[str] | str | None) -> tuple[str, ...] | None:
    if roles is None:
        return None
    if isinstance(roles, str):  # a single code is a common slip: treat it as one role, not letters
        return (roles,)
    return tuple(roles)


def current_memberships(*, user, roles: Iterable[str] | str | None = None) -> QuerySet[Membership]:
    """Memberships through which ``user`` can act today: active, not expired (``valid_until``
    is the last valid day, in the local time zone), of an active agency, for an active user."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Membership.objects.none()
    today = timezone.localdate()
    qs = Membership.objects.filter(user=user, is_active=True, agency__is_active=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    wanted = _roles_tuple(roles)
    if wanted is not None:
        qs = qs.filter(role__code__in=wanted)
    return qs


def agency_scope(*, user, roles: Iterable[str] | str | None = None) -> frozenset[int]:
    """Ids of the agencies where ``user`` holds a current membership with one of ``roles``
    (any role when ``roles`` is None). Empty for anonymous users, citizens and superusers
    without memberships."""
    return frozenset(current_memberships(user=user, roles=roles).values_list("agency_id", flat=True))


def _agency_id(agency: Agency | int) -> int:
    return agency.pk if isinstance(agency, Agency) else int(agency)


def user_has_role(*, user, agency: Agency | int, roles: Iterable[str] | str) -> bool:
    return current_memberships(user=user, roles=roles).filter(agency_id=_agency_id(agency)).exists()


def require_role(*, user, agency: Agency | int, roles: Iterable[str] | str) -> Membership:
    """The current membership of ``user`` at ``agency`` with one of ``roles``; raises
    ``NotAllowed`` otherwise. When several match, the earliest granted is returned."""
    membership = (
        current_memberships(user=user, roles=roles)
        .filter(agency_id=_agency_id(agency))
        .select_related("agency", "role", "unit", "position")
        .order_by("created_at", "pk")
        .first()
    )
    if membership is None:
        raise NotAllowed(_("Bạn không có quyền thực hiện thao tác này tại cơ quan này."))
    return membership


def scope_queryset(qs: QuerySet, *, user, roles: Iterable[str] | str | None, field: str = "agency") -> QuerySet:
    """Filter ``qs`` to rows whose ``field`` (an FK path to Agency, e.g. "agency" or
    "dossier__agency") is in the user's agency scope. An empty scope gives an empty queryset."""
    scope = agency_scope(user=user, roles=roles)
    if not scope:
        return qs.none()
    return qs.filter(**{f"{field}__in": scope})


def public_agencies(
    *,
    level: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    admin_unit_code: str | None = None,
) -> QuerySet[Agency]:
    """Active agencies for the public directory, filtered by level, kind, a diacritics-insensitive
    name query, and the code of the administrative unit they serve."""
    qs = Agency.objects.filter(is_active=True).select_related("admin_unit", "parent")
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if admin_unit_code:
        qs = qs.filter(admin_unit__code=admin_unit_code)
    for word in fold(q or "").split():
        qs = qs.filter(name_folded__contains=word)
    # Provincial agencies first, then communes; by code within a level.
    level_order = Case(When(level=AgencyLevel.PROVINCE, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(level_order=level_order).order_by("level_order", "code")


def agency_get(*, public_id: uuid.UUID | str | None = None, code: str | None = None, active_only: bool = True) -> Agency:
    """One agency by public id or electronic code; raises ``NotFound``."""
    if (public_id is None) == (code is None):
        raise ValueError("agency_get needs exactly one of public_id or code")
    qs = Agency.objects.select_related("admin_unit", "parent")
    if active_only:
        qs = qs.filter(is_active=True)
    try:
        if public_id is not None:
            return qs.get(public_id=uuid.UUID(str(public_id)))
        return qs.get(code=str(code).strip())
    except (Agency.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Không tìm thấy cơ quan."), code="agency_not_found") from exc


def agency_units(*, agency: Agency, active_only: bool = True):
    qs = agency.units.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("kind", "name")


def memberships_of(*, user, current_only: bool = True) -> QuerySet[Membership]:
    """The memberships of ``user`` (current ones by default), with agency, role, unit, position."""
    if current_only:
        qs = current_memberships(user=user)
    elif user is None or not getattr(user, "is_authenticated", False):
        qs = Membership.objects.none()
    else:
        qs = Membership.objects.filter(user=user)
    return qs.select_related("agency", "role", "unit", "position").order_by("agency__name", "role__code")


def one_stop_unit(*, agency: Agency):
    """The agency's one-stop desk (Bộ phận một cửa), or None."""
    return agency.units.filter(kind=UnitKind.ONE_STOP, is_active=True).order_by("pk").first()


def membership_is_current(membership: Membership) -> bool:
    """Whether the official can act through ``membership`` today."""
    return (
        membership.is_active
        and membership.agency.is_active
        and (membership.valid_until is None or membership.valid_until >= timezone.localdate())
    )


def membership_get(*, public_id: uuid.UUID | str) -> Membership:
    try:
        return Membership.objects.select_related("agency", "role", "unit", "position", "user").get(
            public_id=uuid.UUID(str(public_id))
        )
    except (Membership.DoesNotExist, ValueError) as exc:
        raise NotFound(_("Không tìm thấy phân công."), code="membership_not_found") from exc


def unit_of(*, agency: Agency, code: str) -> Unit | None:
    return agency.units.filter(code=code).first()


def position_by_code(*, code: str) -> Position | None:
    return Position.objects.filter(code=code).first()


def user_by_public_id(*, public_id: uuid.UUID | str):
    """An account by its public id (for granting memberships), or None."""
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.filter(public_id=uuid.UUID(str(public_id))).first()
    except ValueError:
        return None
