"""Writes of the workflow app: the working-day calendar's rows.

Every change runs in one transaction with one audit event. Administrators edit rows through the
Django admin, which calls these functions; the calendar snapshot reloads by itself when the
table changes (see :mod:`tinhso.workflow.calendar`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed

from .holidays import MAX_YEAR, MIN_YEAR, vietnam_public_holidays
from .models import Holiday, HolidayKind


def _check_perm(actor, perm: str) -> None:
    """``actor=None`` is the system itself (seeding, migrations); people need the model perm."""
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm):
        raise NotAllowed(_("Bạn không có quyền sửa lịch ngày nghỉ."))


def _clean(holiday: Holiday) -> None:
    holiday.name = (holiday.name or "").strip()
    holiday.note = (holiday.note or "").strip()
    if not holiday.name:
        raise ValidationFailed(_("Cần nhập tên ngày nghỉ."), details={"field": "name"})
    if not isinstance(holiday.date, dt.date) or isinstance(holiday.date, dt.datetime):
        raise ValidationFailed(_("Ngày không hợp lệ."), details={"field": "date"})
    try:
        holiday.full_clean(exclude=["date"], validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed(_("Dữ liệu ngày nghỉ không hợp lệ."), details=exc.message_dict) from exc


def _snapshot(h: Holiday) -> dict:
    return {"date": h.date.isoformat(), "name": h.name, "kind": h.kind, "note": h.note}


def holiday_create(
    *, actor, date: dt.date, name: str, kind: str = HolidayKind.HOLIDAY, note: str = "", request=None
) -> Holiday:
    from tinhso.audit.services import record_event

    _check_perm(actor, "workflow.add_holiday")
    holiday = Holiday(date=date, name=name, kind=kind, note=note)
    _clean(holiday)
    try:
        with transaction.atomic():
            if Holiday.objects.filter(date=date).exists():
                raise IntegrityError
            holiday.save(force_insert=True)
            record_event(actor=actor, action="workflow.holiday_create", obj=holiday,
                         details=_snapshot(holiday), request=request)
    except IntegrityError as exc:
        raise Conflict(
            _("Ngày %(date)s đã có trong lịch.") % {"date": date.strftime("%d/%m/%Y")}, details={"field": "date"}
        ) from exc
    return holiday


def holiday_update(*, actor, holiday: Holiday, request=None, **changes) -> Holiday:
    """Change ``date``, ``name``, ``kind`` or ``note`` of a row."""
    from tinhso.audit.services import record_event

    _check_perm(actor, "workflow.change_holiday")
    allowed = {"date", "name", "kind", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("Trường không sửa được: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    try:
        with transaction.atomic():
            locked = Holiday.objects.select_for_update().get(pk=holiday.pk)
            before = _snapshot(locked)
            for key, value in changes.items():
                setattr(locked, key, value)
            _clean(locked)
            if "date" in changes and Holiday.objects.filter(date=locked.date).exclude(pk=locked.pk).exists():
                raise IntegrityError
            locked.save(update_fields=[*sorted(changes), "updated_at"])
            record_event(actor=actor, action="workflow.holiday_update", obj=locked,
                         details={"before": before, "after": _snapshot(locked)}, request=request)
    except IntegrityError as exc:
        raise Conflict(_("Ngày này đã có trong lịch."), details={"field": "date"}) from exc
    for key in [*changes, "updated_at"]:
        setattr(holiday, key, getattr(locked, key))
    return holiday


def holiday_delete(*, actor, holiday: Holiday, request=None) -> None:
    from tinhso.audit.services import record_event

    _check_perm(actor, "workflow.delete_holiday")
    with transaction.atomic():
        snapshot = _snapshot(holiday)
        record_event(actor=actor, action="workflow.holiday_delete", obj=holiday, details=snapshot, request=request)
        Holiday.objects.filter(pk=holiday.pk).delete()


def calendar_seed_year(*, year: int, actor=None, request=None) -> list[Holiday]:
    """Create Vietnam's statutory public holidays of ``year`` (idempotent: dates already in the
    calendar are left as administrators set them). Returns the rows created."""
    from tinhso.audit.services import record_event

    _check_perm(actor, "workflow.add_holiday")
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            _("Năm phải từ %(min)d đến %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}, details={"field": "year"}
        )
    created: list[Holiday] = []
    with transaction.atomic():
        for item in vietnam_public_holidays(year):
            holiday, was_created = Holiday.objects.get_or_create(
                date=item.date, defaults={"name": item.name, "kind": HolidayKind.HOLIDAY}
            )
            if was_created:
                created.append(holiday)
        if created:
            record_event(
                actor=actor,
                action="workflow.calendar_seed_year",
                details={"year": year, "created": [h.date.isoformat() for h in created]},
                request=request,
            )
    return created
