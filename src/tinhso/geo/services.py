"""Writes to administrative units: loading a province from the ``vietnam-provinces`` package,
demo hamlets, and saving a unit edited by an administrator.

Every function runs in one transaction and records one audit event.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from tinhso.core.errors import NotFound, ValidationFailed
from tinhso.geo.models import AdminUnit, Level
from tinhso.search.text import fold

# Fields a reload may change on an existing unit (the code is the natural key).
_SYNCED_FIELDS = ("level", "kind", "name", "full_name", "name_folded", "parent", "is_active")


@dataclass(frozen=True)
class ProvinceLoadResult:
    province: AdminUnit
    created: int
    updated: int
    unchanged: int
    deactivated: int
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Communes/wards of the province now active (from the package)."""
        return sum(self.by_kind.values())


def _record(*, actor, action: str, obj=None, details: dict | None = None) -> None:
    # Imported lazily: the audit app is a sibling building block loaded after geo.
    from tinhso.audit.services import record_event

    record_event(actor=actor, action=action, obj=obj, details=details)


def province_code_str(province_code: int) -> str:
    """Official province codes are two digits ("01", "96")."""
    return f"{int(province_code):02d}"


def _split_name(full_name: str, division_type: VietNamDivisionType) -> str:
    """'Phường An Xuyên' → 'An Xuyên'; names without the prefix are kept as they are."""
    prefix = division_type.value
    if full_name.lower().startswith(prefix + " "):
        return full_name[len(prefix) + 1 :].strip()
    return full_name


def _package_province(province_code: int) -> Province:
    try:
        return Province.from_code(ProvinceCode(int(province_code)))
    except (ValueError, TypeError) as exc:
        raise NotFound(
            _("Không có tỉnh, thành phố nào có mã %(code)s trong danh mục đơn vị hành chính.")
            % {"code": province_code},
            code="unknown_province",
            details={"province_code": province_code},
        ) from exc


def _province_fields(p: Province) -> dict:
    if p.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG:
        name = p.name.removeprefix("Thành phố ").strip()  # the package says "Thành phố Hà Nội"
        full_name = f"Thành phố {name}"
        kind = "thành phố"
    else:
        name = p.name
        full_name = f"Tỉnh {name}"
        kind = "tỉnh"
    return {"level": Level.PROVINCE, "kind": kind, "name": name, "full_name": full_name, "parent": None}


def _apply(unit: AdminUnit, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        current = unit.parent_id if key == "parent" else getattr(unit, key)
        target = value.pk if key == "parent" and value is not None else value
        if current != target:
            setattr(unit, key, value)
            changed = True
    return changed


@transaction.atomic
def _forget_choices() -> None:
    """Drop the cached commune list (``selectors.commune_choices``) once the change commits."""
    from django.core.cache import cache
    from django.db import transaction

    from .selectors import commune_choices_cache_key

    key = commune_choices_cache_key()
    transaction.on_commit(lambda: cache.delete(key))


def load_province(*, province_code: int, actor=None) -> ProvinceLoadResult:
    """Create or update a province and all its communes, wards and special zones with their
    official codes. Idempotent: units are matched by code; communes of the province that the
    package no longer lists are deactivated (never deleted: records may point to them).
    Raises ``NotFound`` for an unknown province code."""
    package_province = _package_province(province_code)
    pcode = province_code_str(int(package_province.code))

    values = _province_fields(package_province)
    values["name_folded"] = fold(values["full_name"])
    values["is_active"] = True
    province, created_province = AdminUnit.objects.get_or_create(code=pcode, defaults=values)
    if not created_province and _apply(province, values):
        province.save(update_fields=[*values.keys()])

    wards = sorted(Ward.iter_by_province(package_province.code), key=lambda w: int(w.code))
    existing = {u.code: u for u in AdminUnit.objects.filter(level=Level.COMMUNE, parent=province)}
    # A ward moved from another province keeps its code: pick it up too.
    codes = [f"{int(w.code):05d}" for w in wards]
    existing.update({u.code: u for u in AdminUnit.objects.filter(code__in=codes).exclude(code__in=existing)})

    to_create: list[AdminUnit] = []
    to_update: list[AdminUnit] = []
    unchanged = 0
    by_kind: Counter[str] = Counter()
    for ward, code in zip(wards, codes, strict=True):
        full_name = ward.name
        values = {
            "level": Level.COMMUNE,
            "kind": ward.division_type.value,
            "name": _split_name(full_name, ward.division_type),
            "full_name": full_name,
            "name_folded": fold(full_name),
            "parent": province,
            "is_active": True,
        }
        by_kind[ward.division_type.value] += 1
        unit = existing.get(code)
        if unit is None:
            to_create.append(AdminUnit(code=code, **values))
        elif _apply(unit, values):
            to_update.append(unit)
        else:
            unchanged += 1

    AdminUnit.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        AdminUnit.objects.bulk_update(to_update, list(_SYNCED_FIELDS), batch_size=500)
    deactivated = (
        AdminUnit.objects.filter(level=Level.COMMUNE, parent=province, is_active=True)
        .exclude(code__in=codes)
        .update(is_active=False)
    )

    result = ProvinceLoadResult(
        province=province,
        created=len(to_create) + int(created_province),
        updated=len(to_update),
        unchanged=unchanged,
        deactivated=deactivated,
        by_kind=dict(by_kind),
    )
    _record(
        actor=actor,
        action="geo.province_loaded",
        obj=province,
        details={
            "province_code": pcode,
            "created": result.created,
            "updated": result.updated,
            "deactivated": deactivated,
            "by_kind": result.by_kind,
        },
    )
    _forget_choices()
    return result


# Demo hamlets: the package stops at communes. Phường are divided into khóm, xã into ấp
# (the Mekong-delta usage); special zones (đặc khu) into ấp as well.
_HAMLET_KIND = {"phường": "khóm", "xã": "ấp", "đặc khu": "ấp"}


@transaction.atomic
def demo_hamlets_load(*, province: AdminUnit, communes: int = 6, per_commune: int = 4, actor=None) -> int:
    """Create a few numbered demo hamlets ("Ấp 1", "Khóm 2" …) for ``communes`` communes of
    ``province`` (the first wards and communes by code, so the choice is stable), marked ``is_demo``.
    Idempotent; returns how many hamlets were created."""
    active = AdminUnit.objects.filter(level=Level.COMMUNE, parent=province, is_active=True).order_by("code")
    # Half wards (khóm), half communes (ấp), when the province has both.
    wards = list(active.filter(kind="phường")[: communes // 2])
    others = list(active.exclude(kind="phường")[: communes - len(wards)])
    chosen = sorted(wards + others, key=lambda unit: unit.code)
    wanted: dict[str, AdminUnit] = {}
    for commune in chosen:
        kind = _HAMLET_KIND.get(commune.kind, "ấp")
        for n in range(1, per_commune + 1):
            name = f"{kind.capitalize()} {n}"
            full_name = f"{name}, {commune.full_name}"
            code = f"{commune.code}-{n:02d}"
            wanted[code] = AdminUnit(
                code=code,
                level=Level.HAMLET,
                kind=kind,
                name=name,
                full_name=full_name,
                name_folded=fold(full_name),
                parent=commune,
                is_demo=True,
            )
    present = set(AdminUnit.objects.filter(code__in=wanted).values_list("code", flat=True))
    new = [unit for code, unit in wanted.items() if code not in present]
    AdminUnit.objects.bulk_create(new)
    if new:
        _record(
            actor=actor,
            action="geo.demo_hamlets_loaded",
            obj=province,
            details={"created": len(new), "communes": [c.code for c in chosen]},
        )
    return len(new)


# Which kinds a unit of each level may have, and the level of its parent.
_ALLOWED_KINDS = {
    Level.PROVINCE: {"tỉnh", "thành phố"},
    Level.COMMUNE: {"phường", "xã", "đặc khu"},
    Level.HAMLET: {"ấp", "khóm", "thôn", "bản", "tổ dân phố", "buôn", "làng", "sóc", "plei"},
}
_PARENT_LEVEL = {Level.PROVINCE: None, Level.COMMUNE: Level.PROVINCE, Level.HAMLET: Level.COMMUNE}


def admin_unit_validate(*, unit: AdminUnit) -> None:
    """Check a unit edited by an administrator: kind fits the level, the parent has the level
    above, code and name are given and the code is unique. Raises ``ValidationFailed`` whose
    ``details`` map field names to messages."""
    errors: dict[str, str] = {}
    level = Level(unit.level)
    kind = (unit.kind or "").strip().lower()
    if kind not in _ALLOWED_KINDS[level]:
        errors["kind"] = _("Loại đơn vị không phù hợp với cấp %(level)s.") % {"level": level.label}
    expected_parent = _PARENT_LEVEL[level]
    if expected_parent is None and unit.parent_id is not None:
        errors["parent"] = _("Đơn vị cấp tỉnh không có đơn vị cấp trên.")
    elif expected_parent is not None and (unit.parent is None or unit.parent.level != expected_parent):
        errors["parent"] = _("Đơn vị cấp trên phải là đơn vị cấp %(level)s.") % {"level": expected_parent.label}
    if not (unit.code or "").strip():
        errors["code"] = _("Cần nhập mã đơn vị.")
    elif AdminUnit.objects.filter(code=unit.code.strip()).exclude(pk=unit.pk).exists():
        errors["code"] = _("Mã %(code)s đã được dùng.") % {"code": unit.code}
    if not (unit.name or "").strip():
        errors["name"] = _("Cần nhập tên đơn vị.")
    if errors:
        raise ValidationFailed(_("Thông tin đơn vị hành chính không hợp lệ."), details=errors)


@transaction.atomic
def admin_unit_save(*, actor, unit: AdminUnit) -> AdminUnit:
    """Validate and save a unit created or edited by an administrator (typically a hamlet)."""
    admin_unit_validate(unit=unit)
    unit.code = unit.code.strip()
    unit.kind = unit.kind.strip().lower()
    unit.name = unit.name.strip()
    level = Level(unit.level)
    if not (unit.full_name or "").strip():
        if level == Level.HAMLET:  # "Ấp 3, Xã Tân Thuận": hamlet names already carry their kind
            unit.full_name = f"{unit.name}, {unit.parent.full_name}"
        else:
            unit.full_name = f"{unit.kind.capitalize()} {unit.name}"
    unit.name_folded = fold(unit.full_name)
    created = unit.pk is None
    unit.save()
    _forget_choices()
    _record(
        actor=actor,
        action="geo.unit_created" if created else "geo.unit_updated",
        obj=unit,
        details={"code": unit.code, "name": unit.full_name},
    )
    return unit
