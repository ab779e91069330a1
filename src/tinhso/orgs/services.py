"""Writes to agencies, units, positions and memberships.

Permission: a system administrator (superuser) may do everything; an official holding the
``agency_admin`` role in an agency manages that agency (its details, units and memberships) and
may create agencies under it. Every write is one transaction with one audit event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Role, UserKind
from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.geo.models import AdminUnit, Level
from tinhso.orgs import catalogue, selectors
from tinhso.orgs.models import (
    AGENCY_CODE_REGEX,
    Agency,
    AgencyKind,
    AgencyLevel,
    Membership,
    Position,
    Unit,
    UnitKind,
)
from tinhso.search.text import fold

AGENCY_ADMIN = "agency_admin"


# --- permission ---------------------------------------------------------------------------------


def _is_superuser(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser)


def require_agency_admin(*, actor, agency: Agency) -> None:
    """Raise ``NotAllowed`` unless ``actor`` is a superuser or an agency admin of ``agency``."""
    if _is_superuser(actor):
        return
    selectors.require_role(user=actor, agency=agency, roles=[AGENCY_ADMIN])


def _require_superuser(actor) -> None:
    if not _is_superuser(actor):
        raise NotAllowed(_("Chỉ quản trị hệ thống được thực hiện thao tác này."))


# --- agencies -----------------------------------------------------------------------------------

_AGENCY_TEXT_FIELDS = ("name", "short_name", "abbreviation", "email", "phone", "address")
# Fields an agency admin may change on their own agency; the rest (code, level, place in the
# hierarchy, activation) belong to system administrators.
_AGENCY_ADMIN_FIELDS = frozenset(_AGENCY_TEXT_FIELDS)
_AGENCY_FIELDS = frozenset({*_AGENCY_TEXT_FIELDS, "code", "kind", "level", "admin_unit", "parent", "is_active"})


def _agency_folded(agency: Agency) -> str:
    return fold(" ".join(part for part in (agency.name, agency.short_name, agency.abbreviation) if part))


def agency_validate(*, agency: Agency) -> None:
    """Check an (unsaved or edited) agency; raises ``ValidationFailed`` with per-field
    ``details``, or ``Conflict`` when the code is taken. Used by the services and admin forms."""
    _validate_agency(agency)


def _validate_agency(agency: Agency) -> None:
    errors: dict[str, str] = {}
    agency.code = (agency.code or "").strip().upper()
    if not re.match(AGENCY_CODE_REGEX, agency.code):
        errors["code"] = _("Mã định danh điện tử phải có dạng 000.00.00.H12 (QCVN 102:2016).")
    if not (agency.name or "").strip():
        errors["name"] = _("Cần nhập tên cơ quan.")
    if agency.kind not in AgencyKind.values:
        errors["kind"] = _("Loại cơ quan không hợp lệ.")
    if agency.level not in AgencyLevel.values:
        errors["level"] = _("Cấp cơ quan không hợp lệ.")
    elif agency.admin_unit_id is None:
        errors["admin_unit"] = _("Cần chọn địa bàn của cơ quan.")
    else:
        wanted = Level.PROVINCE if agency.level == AgencyLevel.PROVINCE else Level.COMMUNE
        if agency.admin_unit.level != wanted:
            errors["admin_unit"] = _("Địa bàn phải là đơn vị hành chính cấp %(level)s.") % {"level": wanted.label}
    # The hierarchy must stay a tree: the new parent may not be the agency or one of its descendants.
    parent = agency.parent
    seen: set[int] = set()
    while parent is not None and "parent" not in errors:
        if agency.pk is not None and parent.pk == agency.pk:
            errors["parent"] = _("Cơ quan cấp trên không được là chính cơ quan này hoặc cơ quan cấp dưới của nó.")
        if parent.pk in seen:
            break
        seen.add(parent.pk)
        parent = parent.parent
    if "code" not in errors and Agency.objects.filter(code=agency.code).exclude(pk=agency.pk).exists():
        raise Conflict(_("Mã định danh %(code)s đã được dùng cho cơ quan khác.") % {"code": agency.code},
                       details={"code": _("Mã đã được dùng.")})
    if errors:
        raise ValidationFailed(_("Thông tin cơ quan không hợp lệ."), details=errors)


def agency_create(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    level: str,
    admin_unit: AdminUnit,
    parent: Agency | None = None,
    short_name: str = "",
    abbreviation: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
) -> Agency:
    """Create an agency. Superusers may create any; an agency admin may create agencies under
    their own agency (``parent``)."""
    if not _is_superuser(actor):
        if parent is None:
            _require_superuser(actor)
        require_agency_admin(actor=actor, agency=parent)
    agency = Agency(
        code=code,
        name=(name or "").strip(),
        kind=kind,
        level=level,
        admin_unit=admin_unit,
        parent=parent,
        short_name=(short_name or "").strip(),
        abbreviation=(abbreviation or "").strip(),
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        address=(address or "").strip(),
    )
    _validate_agency(agency)
    agency.name_folded = _agency_folded(agency)
    with transaction.atomic():
        try:
            with transaction.atomic():
                agency.save(force_insert=True)
        except IntegrityError as exc:  # a concurrent create took the code first
            raise Conflict(_("Mã định danh %(code)s đã được dùng cho cơ quan khác.") % {"code": agency.code}) from exc
        record_event(actor=actor, action="orgs.agency_created", obj=agency,
                     details={"code": agency.code, "name": agency.name, "kind": agency.kind, "level": agency.level})
    return agency


def agency_update(*, actor, agency: Agency, **changes) -> Agency:
    """Change fields of an agency. Agency admins may change names and contact details of their
    own agency; code, kind, level, admin unit, parent and activation need a superuser."""
    unknown = set(changes) - _AGENCY_FIELDS
    if unknown:
        raise ValidationFailed(_("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if set(changes) - _AGENCY_ADMIN_FIELDS:
        _require_superuser(actor)
    else:
        require_agency_admin(actor=actor, agency=agency)
    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of the parent outer join.
        locked = (
            Agency.objects.select_for_update(of=("self",)).select_related("admin_unit", "parent").get(pk=agency.pk)
        )
        before = {key: getattr(locked, f"{key}_id" if key in {"admin_unit", "parent"} else key) for key in changes}
        for key, value in changes.items():
            setattr(locked, key, value.strip() if isinstance(value, str) and key != "code" else value)
        _validate_agency(locked)
        locked.name_folded = _agency_folded(locked)
        locked.save()
        after = {key: getattr(locked, f"{key}_id" if key in {"admin_unit", "parent"} else key) for key in changes}
        changed = {k: {"from": before[k], "to": after[k]} for k in changes if before[k] != after[k]}
        record_event(actor=actor, action="orgs.agency_updated", obj=locked, details={"changes": changed})
    return locked


# --- units --------------------------------------------------------------------------------------


def unit_validate(*, unit: Unit) -> None:
    """Check an (unsaved or edited) unit; raises ``ValidationFailed`` or ``Conflict``."""
    _validate_unit(unit)


def _validate_unit(unit: Unit) -> None:
    errors: dict[str, str] = {}
    unit.code = (unit.code or "").strip()
    unit.name = (unit.name or "").strip()
    if not unit.code:
        errors["code"] = _("Cần nhập mã đơn vị.")
    if not unit.name:
        errors["name"] = _("Cần nhập tên đơn vị.")
    if unit.kind not in UnitKind.values:
        errors["kind"] = _("Loại đơn vị không hợp lệ.")
    if unit.parent_id is not None and (unit.parent.agency_id != unit.agency_id or unit.parent_id == unit.pk):
        errors["parent"] = _("Đơn vị cấp trên phải thuộc cùng cơ quan.")
    if errors:
        raise ValidationFailed(_("Thông tin đơn vị không hợp lệ."), details=errors)
    if Unit.objects.filter(agency_id=unit.agency_id, code=unit.code).exclude(pk=unit.pk).exists():
        raise Conflict(_("Cơ quan đã có đơn vị mã %(code)s.") % {"code": unit.code})


def unit_create(
    *,
    actor,
    agency: Agency,
    code: str,
    name: str,
    kind: str = UnitKind.DIVISION,
    abbreviation: str = "",
    parent: Unit | None = None,
) -> Unit:
    require_agency_admin(actor=actor, agency=agency)
    unit = Unit(agency=agency, code=code, name=name, kind=kind, abbreviation=(abbreviation or "").strip(), parent=parent)
    _validate_unit(unit)
    with transaction.atomic():
        unit.save(force_insert=True)
        record_event(actor=actor, action="orgs.unit_created", obj=unit,
                     details={"agency": agency.code, "code": unit.code, "name": unit.name})
    return unit


_UNIT_FIELDS = frozenset({"code", "name", "kind", "abbreviation", "parent", "is_active"})


def unit_update(*, actor, unit: Unit, **changes) -> Unit:
    unknown = set(changes) - _UNIT_FIELDS
    if unknown:
        raise ValidationFailed(_("Không thể sửa các trường: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    require_agency_admin(actor=actor, agency=unit.agency)
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        for key, value in changes.items():
            setattr(locked, key, value)
        _validate_unit(locked)
        locked.save()
        record_event(actor=actor, action="orgs.unit_updated", obj=locked,
                     details={"agency": unit.agency.code, "fields": sorted(changes)})
    return locked


# --- memberships --------------------------------------------------------------------------------


def _validate_membership_parts(*, agency: Agency, unit: Unit | None, valid_until: dt.date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if unit is not None and unit.agency_id != agency.pk:
        errors["unit"] = _("Đơn vị không thuộc cơ quan này.")
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = _("Ngày hết hiệu lực không được ở trong quá khứ.")
    return errors


def membership_grant_validate(
    *,
    actor,
    user,
    agency: Agency,
    role_code: str,
    unit: Unit | None = None,
    valid_until: dt.date | None = None,
) -> Role:
    """Everything ``membership_grant`` checks before writing: permission (``NotAllowed``), then
    the parts (``ValidationFailed`` with per-field details). Returns the role."""
    require_agency_admin(actor=actor, agency=agency)
    errors = _validate_membership_parts(agency=agency, unit=unit, valid_until=valid_until)
    if not agency.is_active:
        errors["agency"] = _("Cơ quan đã ngừng hoạt động.")
    if user is None or not user.is_active or user.kind != UserKind.OFFICIAL:
        errors["user"] = _("Chỉ phân công cho tài khoản cán bộ, công chức đang hoạt động.")
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        errors["role"] = _("Vai trò %(code)s không tồn tại.") % {"code": role_code}
    if errors:
        raise ValidationFailed(_("Thông tin phân công không hợp lệ."), details=errors)
    return role


def membership_grant(
    *,
    actor,
    user,
    agency: Agency,
    role_code: str,
    unit: Unit | None = None,
    position: Position | None = None,
    valid_until: dt.date | None = None,
) -> Membership:
    """Give ``user`` (an active official account) ``role_code`` in ``agency``. A revoked
    membership with the same role is reactivated; an active one is a ``Conflict``."""
    role = membership_grant_validate(
        actor=actor, user=user, agency=agency, role_code=role_code, unit=unit, valid_until=valid_until
    )
    details = {"user": str(user.public_id), "agency": agency.code, "role": role.code,
               "unit": unit.code if unit else None, "position": position.code if position else None,
               "valid_until": valid_until.isoformat() if valid_until else None}
    already = _("Người này đã có vai trò %(role)s tại cơ quan này.") % {"role": role.name}
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, agency=agency, role=role).first()
        if membership is not None:
            if membership.is_active:
                raise Conflict(already)
            membership.is_active = True
            membership.unit = unit
            membership.position = position
            membership.valid_until = valid_until
            membership.granted_by = actor if getattr(actor, "is_authenticated", False) else None
            membership.revoked_at = None
            membership.revoked_by = None
            membership.save(update_fields=["is_active", "unit", "position", "valid_until", "granted_by",
                                           "revoked_at", "revoked_by"])
            details["reactivated"] = True
        else:
            membership = Membership(user=user, agency=agency, role=role, unit=unit, position=position,
                                    valid_until=valid_until,
                                    granted_by=actor if getattr(actor, "is_authenticated", False) else None)
            try:
                with transaction.atomic():
                    membership.save(force_insert=True)
            except IntegrityError as exc:  # a concurrent grant of the same role won the race
                raise Conflict(already) from exc
        record_event(actor=actor, action="orgs.membership_granted", obj=membership, details=details)
    return membership


def membership_update_validate(
    *, actor, membership: Membership, unit: Unit | None = None, valid_until: dt.date | None = None
) -> None:
    require_agency_admin(actor=actor, agency=membership.agency)
    errors = _validate_membership_parts(agency=membership.agency, unit=unit, valid_until=valid_until)
    if errors:
        raise ValidationFailed(_("Thông tin phân công không hợp lệ."), details=errors)


def membership_update(
    *,
    actor,
    membership: Membership,
    unit: Unit | None = None,
    position: Position | None = None,
    valid_until: dt.date | None = None,
) -> Membership:
    """Change the unit, position or end date of an active membership."""
    membership_update_validate(actor=actor, membership=membership, unit=unit, valid_until=valid_until)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active:
            raise Conflict(_("Phân công này đã bị thu hồi."))
        locked.unit, locked.position, locked.valid_until = unit, position, valid_until
        locked.save(update_fields=["unit", "position", "valid_until"])
        record_event(actor=actor, action="orgs.membership_updated", obj=locked,
                     details={"unit": unit.code if unit else None, "position": position.code if position else None,
                              "valid_until": valid_until.isoformat() if valid_until else None})
    return locked


def membership_revoke(*, actor, membership: Membership) -> Membership:
    """End a membership now (kept for the record, inactive). Revoking twice is a ``Conflict``."""
    require_agency_admin(actor=actor, agency=membership.agency)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active:
            raise Conflict(_("Phân công này đã bị thu hồi."))
        locked.is_active = False
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["is_active", "revoked_at", "revoked_by"])
        record_event(actor=actor, action="orgs.membership_revoked", obj=locked,
                     details={"user": str(locked.user.public_id), "agency": membership.agency.code,
                              "role": locked.role.code})
    return locked


# --- reference data and the provincial apparatus ---------------------------------------------------


def roles_ensure() -> dict[str, Role]:
    """The standard roles (created by the accounts migration; created here if missing)."""
    roles = {}
    for code, name in catalogue.ROLE_NAMES.items():
        roles[code], _created = Role.objects.get_or_create(code=code, defaults={"name": name})
    return roles


def positions_ensure() -> dict[str, Position]:
    existing = {p.code: p for p in Position.objects.filter(code__in=[s.code for s in catalogue.POSITIONS])}
    new = [Position(code=s.code, name=s.name, rank=s.rank, is_leader=s.is_leader)
           for s in catalogue.POSITIONS if s.code not in existing]
    Position.objects.bulk_create(new)
    return {p.code: p for p in Position.objects.filter(code__in=[s.code for s in catalogue.POSITIONS])}


@dataclass(frozen=True)
class ApparatusLoadResult:
    province: AdminUnit
    peoples_committee: Agency
    provincial: int  # provincial agencies now present (committee, office, departments …)
    communal: int  # commune/ward committees now present
    agencies_created: int
    units_created: int


def _province_words(province: AdminUnit) -> tuple[str, str]:
    """("tỉnh Cà Mau", "tỉnh") or ("thành phố Hà Nội", "thành phố")."""
    kind = province.kind or "tỉnh"
    return f"{kind} {province.name}", kind


@transaction.atomic
def province_apparatus_load(*, province: AdminUnit, actor=None) -> ApparatusLoadResult:
    """Create the provincial People's Committee, its office and departments, and a People's
    Committee for every active commune/ward of ``province``, each with its standard units.
    Get-or-create on the agency code: agencies and units that exist are left as an administrator
    may have edited them. Codes follow ``tinhso.orgs.catalogue`` (stable, derived from official codes)."""
    if province.level != Level.PROVINCE:
        raise ValidationFailed(_("Cần một đơn vị hành chính cấp tỉnh."))
    roles_ensure()
    positions_ensure()
    pcode = int(province.code)
    province_words, level_word = _province_words(province)

    # Desired agencies: code → (fields, unit specs); the committee first (parent of the rest).
    wanted: dict[str, tuple[dict, tuple[catalogue.UnitSpec, ...]]] = {}
    committee_code = catalogue.provincial_agency_code(province_code=pcode, segment=0)
    for spec in catalogue.PROVINCIAL_AGENCIES:
        code = catalogue.provincial_agency_code(province_code=pcode, segment=spec.segment)
        fields = {
            "name": spec.name.format(province=province_words),
            "short_name": spec.short_name.format(pl=level_word),
            "abbreviation": spec.abbreviation,
            "kind": spec.kind,
            "level": AgencyLevel.PROVINCE,
            "admin_unit": province,
            "is_committee": spec.key == catalogue.PEOPLES_COMMITTEE_KEY,
        }
        wanted[code] = (fields, spec.units)
    communes = list(AdminUnit.objects.filter(level=Level.COMMUNE, parent=province, is_active=True).order_by("code"))
    for commune in communes:
        code = catalogue.commune_committee_code(province_code=pcode, commune_code=commune.code)
        lower_name = f"{commune.kind} {commune.name}"
        fields = {
            "name": f"Ủy ban nhân dân {lower_name}",
            "short_name": f"UBND {lower_name}",
            "abbreviation": "UBND",
            "kind": AgencyKind.PEOPLES_COMMITTEE,
            "level": AgencyLevel.COMMUNE,
            "admin_unit": commune,
            "is_committee": False,
        }
        wanted[code] = (fields, catalogue.commune_units(commune.kind))

    existing = {a.code: a for a in Agency.objects.filter(code__in=wanted)}
    committee = existing.get(committee_code)
    agencies_created = 0
    if committee is None:
        fields = {k: v for k, v in wanted[committee_code][0].items() if k != "is_committee"}
        committee = Agency(code=committee_code, **fields)
        committee.name_folded = _agency_folded(committee)
        committee.save(force_insert=True)
        existing[committee_code] = committee
        agencies_created += 1
    new_agencies = []
    for code, (fields, _units) in wanted.items():
        if code in existing:
            continue
        values = {k: v for k, v in fields.items() if k != "is_committee"}
        agency = Agency(code=code, parent=committee, **values)
        agency.name_folded = _agency_folded(agency)
        new_agencies.append(agency)
    Agency.objects.bulk_create(new_agencies, batch_size=500)
    agencies_created += len(new_agencies)

    by_code = {a.code: a.pk for a in Agency.objects.filter(code__in=wanted).only("pk", "code")}
    present_units = set(Unit.objects.filter(agency_id__in=by_code.values()).values_list("agency_id", "code"))
    new_units = [
        Unit(agency_id=by_code[code], code=spec.code, name=spec.name, kind=spec.kind, abbreviation=spec.abbreviation)
        for code, (_fields, specs) in wanted.items()
        for spec in specs
        if (by_code[code], spec.code) not in present_units
    ]
    Unit.objects.bulk_create(new_units, batch_size=1000)

    result = ApparatusLoadResult(
        province=province,
        peoples_committee=committee,
        provincial=len(catalogue.PROVINCIAL_AGENCIES),
        communal=len(communes),
        agencies_created=agencies_created,
        units_created=len(new_units),
    )
    if agencies_created or new_units:
        record_event(actor=actor, action="orgs.apparatus_loaded", obj=committee,
                     details={"province": province.code, "agencies_created": agencies_created,
                              "units_created": len(new_units)})
    return result
