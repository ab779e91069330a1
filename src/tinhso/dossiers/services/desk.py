"""The one-stop desk: receipt, supplements, refusal, and the applicant withdrawing.

See the package docstring and docs/dossiers.md.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import NotAllowed, NotFound

from .. import deadlines
from ..machine import CLERK, is_applicant, is_clerk
from ..models import (
    Channel,
    Dossier,
    DossierStep,
    Refusal,
    Status,
    SupplementRequest,
)
from ._base import (
    LEADER,
    _check_documents,
    _current,
    _fire,
    _lock,
    _require_text,
    _send,
    _step_officials,
    _steps,
    _sync,
    officials_with_role,
    validate_form,
)
from .fees import _cancel_fee, _create_fee_intent, _refresh_fee


def _start_step(dossier: Dossier, step: DossierStep, now: datetime) -> None:
    step.started_at = now
    step.save(update_fields=["started_at"])
    if dossier.current_agency_id != step.agency_id:
        dossier.current_agency_id = step.agency_id
        dossier.save(update_fields=["current_agency", "updated_at"])


def _create_steps(dossier: Dossier, now: datetime) -> list[DossierStep]:
    procedure = dossier.procedure
    specs = list(procedure.steps.order_by("order"))
    rows = []
    if specs:
        dues = deadlines.step_due_dates(procedure=procedure, start=now, days=[s.days for s in specs])
        for spec, due in zip(specs, dues, strict=True):
            agency_id = spec.agency_id if (spec.agency_rule == "specific" and spec.agency_id) else dossier.agency_id
            rows.append(DossierStep(dossier=dossier, order=spec.order, name=spec.name, agency_id=agency_id,
                                    role_code=spec.role_code, days=spec.days, due_at=due))
    else:  # a procedure without steps: the leader of the receiving agency decides
        rows.append(DossierStep(dossier=dossier, order=1, name=_("Xem xét, phê duyệt"), agency_id=dossier.agency_id,
                                role_code=LEADER, days=procedure.processing_days, due_at=dossier.due_at))
    DossierStep.objects.bulk_create(rows)
    return _steps(dossier)


def _do_receive(dossier: Dossier, *, actor, note: str = "", request=None) -> None:
    now = timezone.now()
    dossier.received_at = now
    dossier.due_at = deadlines.due_at_receipt(procedure=dossier.procedure, received_at=now)
    dossier.current_agency_id = dossier.agency_id
    _create_fee_intent(dossier, request=request)
    dossier.save(update_fields=["received_at", "due_at", "current_agency", "fee_status", "payment_public_id",
                                "updated_at"])
    log = _fire(dossier, "receive", actor=actor, note=note, request=request,
                data={"due_at": dossier.due_at.isoformat()})
    steps = _create_steps(dossier, now)
    first = steps[0]
    # The receiving step (a clerk step at the receiving agency) is done by the receipt itself.
    if first.role_code == CLERK and first.agency_id == dossier.agency_id and len(steps) > 1:
        first.assignee, first.started_at, first.finished_at = actor, now, now
        first.note = note or _("Tiếp nhận hồ sơ")
        first.save(update_fields=["assignee", "started_at", "finished_at", "note"])
        nxt = steps[1]
    else:
        nxt = first
    _start_step(dossier, nxt, now)
    if nxt is steps[-1]:
        _fire(dossier, "submit_for_approval", actor=actor, request=request, data={"step": nxt.order})
    _send(dossier, "received", log.pk,
          subject=_("Hồ sơ %(code)s đã được tiếp nhận") % {"code": dossier.code},
          body=_("Ngày hẹn trả kết quả: %(due)s.") % {"due": timezone.localtime(dossier.due_at).strftime("%d/%m/%Y")},
          officials=_step_officials(nxt))


def dossier_receive(*, dossier: Dossier, actor, note: str = "", request=None) -> Dossier:
    """The one-stop clerk accepts a complete dossier: deadlines, steps, the fee intent."""
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if not is_clerk(actor, dossier):
            raise NotAllowed(_("Chỉ công chức một cửa của cơ quan tiếp nhận mới tiếp nhận hồ sơ."))
        if dossier.status != Status.SUBMITTED:
            _fire(dossier, "receive", actor=actor)  # raises the machine's Conflict message
        _do_receive(dossier, actor=actor, note=note, request=request)
    return _sync(original, dossier)


def dossier_request_supplement(*, dossier: Dossier, actor, reason: str, request=None) -> Dossier:
    """Form 02. After receipt the clock pauses (see deadlines)."""
    reason = _require_text(reason, _("Cần nêu nội dung cần bổ sung."), "reason")
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        now = timezone.now()
        log = _fire(dossier, "request_supplement", actor=actor, note=reason, request=request)
        remaining: dict = {}
        if dossier.received_at is not None:
            remaining["dossier"] = deadlines.remaining_days(now=now, due_at=dossier.due_at)
            remaining["steps"] = {
                str(s.order): deadlines.remaining_days(now=now, due_at=s.due_at)
                for s in _steps(dossier) if s.finished_at is None
            }
            dossier.paused_at = now
            dossier.save(update_fields=["paused_at", "updated_at"])
        SupplementRequest.objects.create(dossier=dossier, reason=reason, requested_by=actor, requested_at=now,
                                         remaining=remaining)
        _send(dossier, "supplement_requested", log.pk,
              subject=_("Hồ sơ %(code)s cần bổ sung") % {"code": dossier.code}, body=reason)
    return _sync(original, dossier)


def _resume_clock(dossier: Dossier, request_row: SupplementRequest, now: datetime) -> None:
    procedure = dossier.procedure
    rule = deadlines.rule_for(procedure)
    left = request_row.remaining or {}
    steps = [s for s in _steps(dossier) if s.finished_at is None]
    if rule.supplement_restarts_clock:
        dossier.due_at = deadlines.resume_due(procedure=procedure, now=now, remaining=procedure.processing_days)
        dues = deadlines.step_due_dates(procedure=procedure, start=now, days=[s.days for s in steps])
    else:
        dossier.due_at = deadlines.resume_due(procedure=procedure, now=now, remaining=left.get("dossier") or 0)
        by_step = left.get("steps") or {}
        dues = [deadlines.resume_due(procedure=procedure, now=now, remaining=by_step.get(str(s.order), s.days))
                for s in steps]
    for step, due in zip(steps, dues, strict=True):
        step.due_at = due
        step.save(update_fields=["due_at"])
    dossier.paused_at = None
    dossier.is_overdue = dossier.due_at < now


def dossier_resubmit(*, dossier: Dossier, actor, request=None) -> Dossier:
    """The applicant sends the supplemented dossier back (form and documents edited before)."""
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if not is_applicant(actor, dossier):
            raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
        if dossier.status != Status.SUPPLEMENT_REQUESTED:
            _fire(dossier, "resubmit", actor=actor)  # raises the machine's Conflict message
        dossier.form_data = validate_form(procedure=dossier.procedure, form_data=dossier.form_data)
        if dossier.channel == Channel.ONLINE:
            _check_documents(dossier)
        now = timezone.now()
        open_request = dossier.supplement_requests.filter(resolved_at__isnull=True).order_by("-requested_at").first()
        if open_request is not None:
            open_request.resolved_at = now
            open_request.save(update_fields=["resolved_at"])
        received = dossier.received_at is not None
        if received and open_request is not None:
            _resume_clock(dossier, open_request, now)
        _refresh_fee(dossier, actor=actor, request=request)
        dossier.save(update_fields=["form_data", "due_at", "paused_at", "is_overdue", "fee_amount", "fee_status",
                                    "payment_public_id", "updated_at"])
        log = _fire(dossier, "resubmit_received" if received else "resubmit", actor=actor, request=request)
        current = _current(_steps(dossier)) if received else None
        _send(dossier, "resubmitted", log.pk, applicant=False,
              subject=_("Hồ sơ %(code)s đã được bổ sung") % {"code": dossier.code},
              officials=_step_officials(current) if current else officials_with_role(agency_id=dossier.agency_id,
                                                                                       role=CLERK))
    return _sync(original, dossier)


def dossier_refuse(*, dossier: Dossier, actor, reason: str, request=None) -> Dossier:
    """Form 03: the dossier is refused with a reason; a pending fee is cancelled."""
    reason = _require_text(reason, _("Cần nêu lý do từ chối."), "reason")
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        now = timezone.now()
        log = _fire(dossier, "refuse", actor=actor, note=reason, request=request)
        Refusal.objects.create(dossier=dossier, reason=reason, by=actor, at=now)
        dossier.finished_at = now
        dossier.paused_at = None
        _cancel_fee(dossier, actor=actor, reason=reason)
        dossier.save(update_fields=["finished_at", "paused_at", "fee_status", "updated_at"])
        DossierStep.objects.filter(dossier=dossier, started_at__isnull=False, finished_at__isnull=True).update(
            finished_at=now)
        _send(dossier, "refused", log.pk, subject=_("Hồ sơ %(code)s bị từ chối") % {"code": dossier.code},
              body=reason)
    return _sync(original, dossier)


def dossier_withdraw(*, dossier: Dossier, actor, reason: str = "", request=None) -> Dossier:
    """The applicant withdraws a dossier that has not been received yet."""
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if not is_applicant(actor, dossier):
            raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
        log = _fire(dossier, "withdraw", actor=actor, note=(reason or "").strip()[:4000], request=request)
        dossier.finished_at = timezone.now()
        dossier.save(update_fields=["finished_at", "updated_at"])
        if dossier.code:
            _send(dossier, "withdrawn", log.pk, applicant=False,
                  subject=_("Hồ sơ %(code)s đã được người nộp rút") % {"code": dossier.code},
                  officials=officials_with_role(agency_id=dossier.agency_id, role=CLERK))
    return _sync(original, dossier)
