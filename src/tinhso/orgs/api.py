"""API of agencies and memberships (mounted at /api/v1/orgs).

The agency directory is public. ``/me/memberships`` needs a login. Granting and revoking
memberships needs a system administrator or an agency admin of the agency (checked by the
services; the scope is resolved before the target user is looked up, so a denied caller learns
nothing about accounts).
"""

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from tinhso.core.errors import ValidationFailed
from tinhso.orgs import selectors, services
from tinhso.orgs.models import Agency, Membership, Unit

router = Router(tags=["orgs"])

LevelParam = Literal["province", "commune"]
KindParam = Literal["peoples_committee", "office", "department", "inspectorate", "public_service_unit", "other"]


class AgencyRef(Schema):
    public_id: uuid.UUID
    code: str = Field(..., description="Electronic agency code (QCVN 102:2016)", examples=["000.00.00.H12"])
    name: str
    short_name: str


class AgencyOut(AgencyRef):
    abbreviation: str = Field(..., description="Used in document symbols", examples=["SNV"])
    kind: KindParam
    level: LevelParam
    admin_unit_code: str = Field(..., description="Code of the administrative unit the agency serves")
    admin_unit_name: str
    parent: AgencyRef | None = None
    email: str
    phone: str
    address: str

    @staticmethod
    def resolve_admin_unit_code(obj: Agency) -> str:
        return obj.admin_unit.code

    @staticmethod
    def resolve_admin_unit_name(obj: Agency) -> str:
        return obj.admin_unit.full_name


class UnitOut(Schema):
    code: str
    name: str
    kind: Literal["office", "division", "one_stop", "other"] = Field(
        ..., description="office (văn phòng) | division (phòng chuyên môn) | one_stop (bộ phận một cửa) | other"
    )
    abbreviation: str


class AgencyDetailOut(AgencyOut):
    units: list[UnitOut]

    @staticmethod
    def resolve_units(obj: Agency) -> list[Unit]:
        return list(selectors.agency_units(agency=obj))


class RoleOut(Schema):
    code: str
    name: str


class PositionOut(Schema):
    code: str
    name: str


class MembershipOut(Schema):
    public_id: uuid.UUID
    agency: AgencyRef
    role: RoleOut
    unit: UnitOut | None = None
    position: PositionOut | None = None
    valid_until: dt.date | None = None
    is_active: bool
    is_current: bool = Field(..., description="active, not expired, agency active: the official can act through it")

    @staticmethod
    def resolve_is_current(obj: Membership) -> bool:
        return selectors.membership_is_current(obj)


class MembershipGrantIn(Schema):
    user: uuid.UUID = Field(..., description="public_id of the official's account")
    role: str = Field(..., max_length=40, examples=["clerk"])
    unit: str | None = Field(None, max_length=30, description="code of a unit of the agency")
    position: str | None = Field(None, max_length=40, description="code of a position")
    valid_until: dt.date | None = Field(None, description="last day the membership is valid")


@router.get(
    "/agencies",
    response=list[AgencyOut],
    auth=None,
    summary="Public directory of agencies",
    description="Active agencies filtered by level, kind, the code of the administrative unit "
    "they serve and a name query that ignores diacritics. Paginated with `limit`/`offset`.",
)
@paginate
def list_agencies(
    request: HttpRequest,
    level: LevelParam | None = None,
    kind: KindParam | None = None,
    admin_unit: str | None = Query(None, max_length=20, description="administrative unit code, e.g. 32002"),
    q: str | None = Query(None, max_length=100, description="words of the name, with or without diacritics"),
):
    return selectors.public_agencies(level=level, kind=kind, q=q, admin_unit_code=admin_unit)


@router.get(
    "/agencies/{public_id}",
    response=AgencyDetailOut,
    auth=None,
    summary="One agency with its units",
)
def get_agency(request: HttpRequest, public_id: uuid.UUID):
    return selectors.agency_get(public_id=public_id)


@router.get(
    "/me/memberships",
    response=list[MembershipOut],
    summary="The current user's memberships",
    description="Agencies and roles through which the logged-in official acts. Only current "
    "memberships unless `include_inactive=true`.",
)
def my_memberships(request: HttpRequest, include_inactive: bool = False):
    return list(selectors.memberships_of(user=request.user, current_only=not include_inactive))


@router.post(
    "/agencies/{public_id}/memberships",
    response={201: MembershipOut},
    summary="Grant a role in an agency",
    description="System administrators and agency admins of the agency only.",
)
def grant_membership(request: HttpRequest, public_id: uuid.UUID, payload: MembershipGrantIn):
    agency = selectors.agency_get(public_id=public_id)
    services.require_agency_admin(actor=request.user, agency=agency)
    user = selectors.user_by_public_id(public_id=payload.user)
    unit = selectors.unit_of(agency=agency, code=payload.unit) if payload.unit else None
    position = selectors.position_by_code(code=payload.position) if payload.position else None
    errors = {}
    if user is None:
        errors["user"] = _("Không tìm thấy tài khoản.")
    if payload.unit and unit is None:
        errors["unit"] = _("Đơn vị không thuộc cơ quan này.")
    if payload.position and position is None:
        errors["position"] = _("Chức vụ không tồn tại.")
    if errors:
        raise ValidationFailed(_("Thông tin phân công không hợp lệ."), details=errors)
    membership = services.membership_grant(
        actor=request.user, user=user, agency=agency, role_code=payload.role,
        unit=unit, position=position, valid_until=payload.valid_until,
    )
    return Status(201, membership)


@router.post(
    "/memberships/{public_id}/revoke",
    response=MembershipOut,
    summary="Revoke a membership",
    description="System administrators and agency admins of the membership's agency only.",
)
def revoke_membership(request: HttpRequest, public_id: uuid.UUID):
    membership = selectors.membership_get(public_id=public_id)
    return services.membership_revoke(actor=request.user, membership=membership)
