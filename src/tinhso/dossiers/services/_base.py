"""Shared helpers of the dossier services: locking, notifications, the state machine, form and document checks, and the constants.

See the package docstring and docs/dossiers.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound, ValidationFailed

from ..machine import DossierFlow
from ..models import (
    Dossier,
    DossierDocument,
    DossierStep,
    Status,
)

LEADER = "leader"
DOCUMENT_PURPOSE = "dossier_document"
RESULT_PURPOSE = "dossier_result"
FEE_PURPOSE = "dossier_fee"
MAX_FORM_BYTES = 64 * 1024
MAX_KEY_LENGTH = 100
EDITABLE = (Status.DRAFT, Status.SUPPLEMENT_REQUESTED)


def _lock(dossier: Dossier) -> Dossier:
    locked = Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
    if locked is None:
        raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
    return locked


def _sync(target: Dossier, source: Dossier) -> Dossier:
    """Copy the saved state into the caller's instance too (they may keep using it)."""
    if target is not source:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
        # Cached related objects (agency, current_agency …) may be stale: take the fresh ones.
        target._state.fields_cache = dict(source._state.fields_cache)
        target.__dict__.pop("_prefetched_objects_cache", None)
    return source


def _applicant_url(dossier: Dossier) -> str:
    try:
        return reverse("dossiers:detail", kwargs={"public_id": dossier.public_id})
    except NoReverseMatch:
        return ""


def _staff_url(dossier: Dossier) -> str:
    return f"/staff/dossiers/{dossier.public_id}/"


def officials_with_role(*, agency_id: int, role: str):
    """Active users holding a current membership with ``role`` at the agency."""
    today = timezone.localdate()
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency_id=agency_id,
            memberships__role__code=role,
            memberships__is_active=True,
            memberships__agency__is_active=True,
        )
        .filter(Q(memberships__valid_until__isnull=True) | Q(memberships__valid_until__gte=today))
        .distinct()
    )


def _step_officials(step: DossierStep | None):
    if step is None:
        return []
    if step.assignee_id:
        return [step.assignee]
    return list(officials_with_role(agency_id=step.agency_id, role=step.role_code))


def _send(dossier: Dossier, event: str, n, *, subject: str, body: str = "", applicant: bool = True,
          officials: Iterable = (), dedupe: bool = True) -> None:
    """Notify the applicant and ``officials``. ``dedupe=False`` for an event that can only happen
    once, in the transaction that sends it (the submission): no duplicate check needed."""
    from tinhso.notify.services import notify

    key = f"dossier.{event}:{dossier.pk}:{n}" if dedupe else None
    if applicant:
        notify(recipients=[dossier.applicant], event=f"dossier.{event}", subject=subject, body=body,
               url=_applicant_url(dossier), obj=dossier, dedupe_key=key)
    staff = [u for u in officials if u is not None and u.pk != dossier.applicant_id]
    if staff:
        notify(recipients=staff, event=f"dossier.{event}", subject=subject, body=body,
               url=_staff_url(dossier), obj=dossier, dedupe_key=key)


def _fire(dossier: Dossier, transition: str, *, actor, note: str = "", data: dict | None = None, request=None,
          locked: bool = False, also_save: Iterable[str] = ()):
    from ..tracking import tracking_forget

    log = DossierFlow.fire(dossier, transition, actor=actor, note=note, data=data, request=request,
                           locked=locked, also_save=tuple(also_save))
    tracking_forget(dossier)  # the public tracking answer changes with every transition
    return log


def _steps(dossier: Dossier) -> list[DossierStep]:
    return list(DossierStep.objects.filter(dossier=dossier).select_related("assignee", "agency").order_by("order"))


def _current(steps: list[DossierStep]) -> DossierStep | None:
    return next((s for s in steps if s.started_at is not None and s.finished_at is None), None)


def _require_text(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, details={"field": field})
    if len(value) > 4000:
        raise ValidationFailed(_("Nội dung quá dài (tối đa 4000 ký tự)."), details={"field": field})
    return value


def receiving_agencies_for(procedure):
    """Agencies that may receive dossiers of ``procedure`` (the catalogue's selector)."""
    from tinhso.procedures.selectors import receiving_agencies

    return receiving_agencies(procedure=procedure)


def _check_procedure_and_agency(procedure, agency) -> None:
    if not getattr(procedure, "is_published", False):
        raise ValidationFailed(_("Thủ tục này hiện không nhận hồ sơ."), code="procedure_unavailable")
    if agency is None or not receiving_agencies_for(procedure).filter(pk=agency.pk).exists():
        raise ValidationFailed(
            _("Cơ quan đã chọn không tiếp nhận hồ sơ của thủ tục này."), code="invalid_agency",
            details={"field": "agency"},
        )


def _check_form_shape(form_data) -> dict:
    if form_data is None:
        return {}
    if not isinstance(form_data, dict):
        raise ValidationFailed(_("Tờ khai phải là một đối tượng JSON."), details={"field": "form_data"})
    if len(json.dumps(form_data, ensure_ascii=False, default=str).encode()) > MAX_FORM_BYTES:
        raise ValidationFailed(_("Tờ khai quá lớn."), details={"field": "form_data"})
    return form_data


def validate_form(*, procedure, form_data: dict) -> dict:
    """The cleaned form data, or ValidationFailed(code="invalid_form", details={"fields": …})."""
    from tinhso.procedures.formschema import validate_data

    form_data = _check_form_shape(form_data)
    cleaned, errors = validate_data(procedure.form_schema or {}, form_data)
    if errors:
        raise ValidationFailed(_("Tờ khai chưa hợp lệ, vui lòng kiểm tra lại."), code="invalid_form",
                               details={"fields": errors})
    return cleaned


def _requirements(procedure) -> dict[str, object]:
    return {r.code: r for r in procedure.required_documents.all()}


def _missing_documents(dossier: Dossier) -> list[str]:
    have = set(DossierDocument.objects.filter(dossier=dossier).values_list("requirement_code", flat=True))
    return [r.code for r in dossier.procedure.required_documents.all() if r.is_required and r.code not in have]


def _check_documents(dossier: Dossier) -> None:
    missing = _missing_documents(dossier)
    if missing:
        names = {r.code: r.name for r in dossier.procedure.required_documents.all()}
        raise ValidationFailed(
            _("Còn thiếu giấy tờ: %(names)s.") % {"names": "; ".join(names[c] for c in missing)},
            code="missing_documents", details={"missing": missing},
        )
