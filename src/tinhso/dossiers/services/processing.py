"""Processing: assignment, steps, approval, the result, rating, deadlines and apologies.

See the package docstring and docs/dossiers.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tinhso.orgs.selectors import user_has_role

from ..machine import CLERK, is_applicant, is_clerk
from ..models import (
    ApologySlip,
    Dossier,
    DossierStep,
    FeeStatus,
    Rating,
    ResultMethod,
    Status,
)
from ..tracking import tracking_forget
from ._base import (
    LEADER,
    RESULT_PURPOSE,
    _current,
    _fire,
    _lock,
    _require_text,
    _send,
    _step_officials,
    _steps,
    _sync,
    officials_with_role,
)
from .desk import _start_step


def _require_step_role(actor, step: DossierStep | None, message: str) -> DossierStep:
    if step is None or not user_has_role(user=actor, agency=step.agency_id, roles=step.role_code):
        raise NotAllowed(message)
    if step.assignee_id and step.assignee_id != actor.pk:
        raise NotAllowed(_("Bước xử lý này đã được phân công cho người khác."))
    return step


def dossier_assign(*, dossier: Dossier, actor, assignee, request=None) -> DossierStep:
    """Assign the current step to ``assignee`` (who must hold the step's role at its agency).
    A leader or a clerk of the step's agency may assign anyone; an official may take an
    unassigned step of their role themselves."""
    with transaction.atomic():
        dossier = _lock(dossier)
        step = _current(_steps(dossier)) if dossier.status in (Status.PROCESSING, Status.AWAITING_APPROVAL) else None
        if step is None:
            raise Conflict(_("Hồ sơ không có bước nào đang chờ xử lý."), code="no_current_step")
        manager = user_has_role(user=actor, agency=step.agency_id, roles=(LEADER, CLERK))
        self_pick = (assignee is not None and assignee.pk == actor.pk and step.assignee_id is None
                     and user_has_role(user=actor, agency=step.agency_id, roles=step.role_code))
        if not (manager or self_pick):
            raise NotAllowed(_("Bạn không có quyền phân công bước xử lý này."))
        if assignee is None or not user_has_role(user=assignee, agency=step.agency_id, roles=step.role_code):
            raise ValidationFailed(_("Người được phân công không giữ vai trò của bước này tại cơ quan xử lý."),
                                   code="invalid_assignee", details={"field": "assignee"})
        step.assignee = assignee
        step.save(update_fields=["assignee"])
        event = record_event(actor=actor, action="dossier.assign", obj=dossier, request=request,
                             details={"step": step.order, "assignee": str(assignee.public_id)})
        _send(dossier, "assigned", event.pk, applicant=False, officials=[assignee],
              subject=_("Bạn được giao xử lý hồ sơ %(code)s") % {"code": dossier.code}, body=step.name)
    return step


def dossier_assign_bulk(*, dossiers: Iterable[Dossier], actor, assignee, request=None) -> int:
    """Assign many dossiers at once; all or nothing."""
    count = 0
    with transaction.atomic():
        for dossier in dossiers:
            dossier_assign(dossier=dossier, actor=actor, assignee=assignee, request=request)
            count += 1
    return count


def dossier_step_complete(*, dossier: Dossier, actor, note: str = "", step_order: int | None = None,
                          request=None) -> Dossier:
    """Finish the current step and hand over to the next (maybe at another agency: a transfer);
    before the last step the dossier goes to approval. ``step_order`` (optional) is the step the
    caller saw: if another official moved the dossier on meanwhile, Conflict instead of
    finishing the following step too."""
    note = (note or "").strip()[:4000]
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if dossier.status != Status.PROCESSING:
            _fire(dossier, "complete_step", actor=actor)  # raises the machine's Conflict message
        steps = _steps(dossier)
        current = _current(steps)
        if step_order is not None and (current is None or current.order != step_order):
            raise Conflict(_("Bước xử lý này đã được hoàn thành."), code="step_moved_on",
                           details={"current_step": current.order if current else None})
        step = _require_step_role(actor, current, _("Bạn không xử lý bước hiện tại của hồ sơ này."))
        now = timezone.now()
        step.finished_at, step.note = now, note
        if step.assignee_id is None:
            step.assignee = actor
        step.save(update_fields=["finished_at", "note", "assignee"])
        nxt = next((s for s in steps if s.order > step.order), None)
        if nxt is None:  # defensive: the last step is the approval step
            raise Conflict(_("Hồ sơ đang chờ phê duyệt."), code="no_next_step")
        _start_step(dossier, nxt, now)
        data = {"step": step.order, "next_step": nxt.order}
        if nxt.agency_id != step.agency_id:
            data["transfer_to"] = nxt.agency.code
        transition = "submit_for_approval" if nxt is steps[-1] else "complete_step"
        log = _fire(dossier, transition, actor=actor, note=note, data=data, request=request)
        if "transfer_to" in data:
            subject = _("Hồ sơ %(code)s được chuyển tới %(agency)s") % {"code": dossier.code, "agency": nxt.agency.name}
        else:
            subject = _("Hồ sơ %(code)s chuyển sang bước: %(step)s") % {"code": dossier.code, "step": nxt.name}
        _send(dossier, transition, log.pk, subject=subject, officials=_step_officials(nxt))
    return _sync(original, dossier)


def _upload_result(*, actor, result_file, request=None):
    from tinhso.files.models import StoredFile
    from tinhso.files.services import file_upload

    if result_file is None or isinstance(result_file, StoredFile):
        return result_file
    return file_upload(owner=actor, uploaded=result_file, purpose=RESULT_PURPOSE, allowed_kinds=("pdf",),
                       request=request)


def dossier_approve(*, dossier: Dossier, actor, note: str = "", result_file=None, request=None) -> Dossier:
    """The leader approves: the dossier has its result (an uploaded PDF or a StoredFile)."""
    with transaction.atomic():
        locked = _lock(dossier)
        if locked.status != Status.AWAITING_APPROVAL:
            _fire(locked, "approve", actor=actor)
        _require_step_role(actor, _current(_steps(locked)), _("Bạn không có quyền phê duyệt hồ sơ này."))
    stored = _upload_result(actor=actor, result_file=result_file, request=request)  # after the check
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        steps = _steps(dossier)
        if dossier.status != Status.AWAITING_APPROVAL:
            _fire(dossier, "approve", actor=actor)
        step = _require_step_role(actor, _current(steps), _("Bạn không có quyền phê duyệt hồ sơ này."))
        now = timezone.now()
        step.finished_at, step.note = now, (note or "").strip()[:4000]
        if step.assignee_id is None:
            step.assignee = actor
        step.save(update_fields=["finished_at", "note", "assignee"])
        dossier.finished_at = now
        dossier.current_agency_id = dossier.agency_id
        fields = ["finished_at", "current_agency", "updated_at"]
        if stored is not None:
            from tinhso.files.services import file_attach

            file_attach(file=stored, obj=dossier, actor=actor)
            dossier.result_file = stored
            fields.append("result_file")
        dossier.save(update_fields=fields)
        log = _fire(dossier, "approve", actor=actor, note=note, request=request,
                    data={"result_file": str(stored.public_id)} if stored else None)
        body = _("Vui lòng thanh toán phí, lệ phí để nhận kết quả.") if dossier.fee_status == FeeStatus.PENDING else ""
        _send(dossier, "approved", log.pk, subject=_("Hồ sơ %(code)s đã có kết quả") % {"code": dossier.code},
              body=body, officials=officials_with_role(agency_id=dossier.agency_id, role=CLERK))
    return _sync(original, dossier)


def dossier_reject_approval(*, dossier: Dossier, actor, reason: str, request=None) -> Dossier:
    """The leader sends the dossier back to the previous step."""
    reason = _require_text(reason, _("Cần nêu lý do trả lại."), "reason")
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if dossier.status != Status.AWAITING_APPROVAL:
            _fire(dossier, "reject_approval", actor=actor)
        steps = _steps(dossier)
        step = _require_step_role(actor, _current(steps), _("Bạn không có quyền phê duyệt hồ sơ này."))
        previous = next((s for s in reversed(steps) if s.order < step.order), None)
        if previous is None:
            raise Conflict(_("Không có bước nào trước bước phê duyệt."), code="no_previous_step")
        now = timezone.now()
        step.started_at = None
        step.save(update_fields=["started_at"])
        previous.finished_at = None
        previous.save(update_fields=["finished_at"])
        _start_step(dossier, previous, now)
        log = _fire(dossier, "reject_approval", actor=actor, note=reason, request=request,
                    data={"step": previous.order})
        _send(dossier, "approval_rejected", log.pk, applicant=False, body=reason,
              subject=_("Hồ sơ %(code)s được trả lại để xử lý lại") % {"code": dossier.code},
              officials=_step_officials(previous))
    return _sync(original, dossier)


def dossier_return_result(*, dossier: Dossier, actor, method: str, request=None) -> Dossier:
    """The one-stop desk hands the result over (online, at the counter or by post); refused
    while the fee is unpaid."""
    if method not in ResultMethod.values:
        raise ValidationFailed(_("Hình thức trả kết quả không hợp lệ."), details={"field": "method"})
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if dossier.fee_status == FeeStatus.PENDING and dossier.status == Status.RESULT_READY and is_clerk(actor, dossier):
            raise Conflict(_("Người nộp chưa thanh toán phí, lệ phí: chưa thể trả kết quả."), code="fee_pending")
        dossier.result_method = method
        dossier.returned_at = timezone.now()
        log = _fire(dossier, "return_result", actor=actor, request=request, data={"method": method})
        dossier.save(update_fields=["result_method", "returned_at", "updated_at"])
        _send(dossier, "done", log.pk, subject=_("Hồ sơ %(code)s đã được trả kết quả") % {"code": dossier.code},
              body=_("Mời bạn đánh giá mức độ hài lòng."))
    return _sync(original, dossier)


def dossier_rate(*, dossier: Dossier, actor, score: int, comment: str = "", request=None) -> Rating:
    """One satisfaction rating (1–5) by the applicant after the result was returned."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(_("Mức độ hài lòng phải từ 1 đến 5."), details={"field": "score"})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationFailed(_("Ý kiến quá dài (tối đa 2000 ký tự)."), details={"field": "comment"})
    with transaction.atomic():
        dossier = _lock(dossier)
        if not is_applicant(actor, dossier):
            raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
        if dossier.status != Status.DONE:
            raise Conflict(_("Chỉ đánh giá được sau khi nhận kết quả."), code="not_done")
        if Rating.objects.filter(dossier=dossier).exists():
            raise Conflict(_("Bạn đã đánh giá hồ sơ này."), code="already_rated")
        rating = Rating.objects.create(dossier=dossier, score=score, comment=comment)
        from ..stats_store import stats_sync
        stats_sync(dossier=dossier)
        record_event(actor=actor, action="dossier.rate", obj=dossier, request=request, details={"score": score})
    return rating


def dossier_apologise(*, dossier: Dossier, actor, reason: str, new_due_at: datetime, request=None) -> ApologySlip:
    """Form 04: a late (or soon late) dossier gets a new appointment date, with an apology."""
    reason = _require_text(reason, _("Cần nêu lý do chậm trễ."), "reason")
    if not isinstance(new_due_at, datetime) or timezone.is_naive(new_due_at):
        raise ValidationFailed(_("Ngày hẹn mới không hợp lệ."), details={"field": "new_due_at"})
    with transaction.atomic():
        dossier = _lock(dossier)
        allowed = any(
            user_has_role(user=actor, agency=a, roles=(CLERK, LEADER))
            for a in {dossier.agency_id, dossier.current_agency_id} if a
        )
        if not allowed:
            raise NotAllowed(_("Bạn không có quyền lập phiếu xin lỗi cho hồ sơ này."))
        if dossier.status not in (Status.PROCESSING, Status.AWAITING_APPROVAL, Status.SUPPLEMENT_REQUESTED) \
                or dossier.due_at is None:
            raise Conflict(_("Chỉ lập phiếu xin lỗi cho hồ sơ đang giải quyết."), code="not_in_progress")
        now = timezone.now()
        if new_due_at <= max(now, dossier.due_at):
            raise ValidationFailed(_("Ngày hẹn mới phải sau ngày hẹn cũ và sau hôm nay."),
                                   details={"field": "new_due_at"})
        slip = ApologySlip.objects.create(dossier=dossier, reason=reason, old_due_at=dossier.due_at,
                                          new_due_at=new_due_at, by=actor, created_at=now)
        dossier.due_at = new_due_at
        dossier.is_overdue = False
        dossier.save(update_fields=["due_at", "is_overdue", "updated_at"])
        tracking_forget(dossier)
        from ..stats_store import stats_sync
        stats_sync(dossier=dossier)
        record_event(actor=actor, action="dossier.apologise", obj=dossier, request=request,
                     details={"old_due_at": slip.old_due_at.isoformat(), "new_due_at": new_due_at.isoformat()})
        _send(dossier, "apology", slip.pk, body=reason,
              subject=_("Xin lỗi: hồ sơ %(code)s được hẹn trả lại vào %(due)s")
              % {"code": dossier.code, "due": timezone.localtime(new_due_at).strftime("%d/%m/%Y")})
    return slip


def dossiers_mark_overdue(*, now: datetime | None = None) -> int:
    """Flag dossiers in progress past their due date and tell the officials (idempotent)."""
    now = now or timezone.now()
    ids = list(
        Dossier.objects.filter(status__in=(Status.PROCESSING, Status.AWAITING_APPROVAL), is_overdue=False,
                               paused_at__isnull=True, due_at__lt=now).values_list("pk", flat=True)[:5000]
    )
    marked = 0
    for pk in ids:
        with transaction.atomic():
            # updated_at moves too: the public tracking answer is cached per dossier version.
            if not Dossier.objects.filter(pk=pk, is_overdue=False).update(is_overdue=True, updated_at=timezone.now()):
                continue  # another run got it
            dossier = Dossier.objects.select_related("applicant", "agency").get(pk=pk)
            tracking_forget(dossier)
            record_event(actor=None, action="dossier.overdue", obj=dossier,
                         details={"due_at": dossier.due_at.isoformat()})
            step = _current(_steps(dossier))
            officials = list(_step_officials(step)) + list(officials_with_role(agency_id=dossier.agency_id, role=CLERK))
            _send(dossier, "overdue", dossier.apologies.count(), applicant=False, officials=officials,
                  subject=_("Hồ sơ %(code)s đã quá hạn giải quyết") % {"code": dossier.code})
            marked += 1
    return marked
