"""Every write on dossiers. Each public function is one transaction: it locks the dossier row,
checks who may act, fires the state machine (which writes the TransitionLog and the audit event)
and enqueues notifications to the applicant and the officials who act next.

See docs/dossiers.md for the lifecycle, the deadline rules and the fee rule.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tinhso.orgs.selectors import user_has_role

from . import codes, deadlines
from .machine import CLERK, DossierFlow, is_applicant, is_clerk
from .models import (
    ApologySlip,
    Channel,
    Dossier,
    DossierDocument,
    DossierStep,
    FeeStatus,
    Rating,
    Refusal,
    ResultMethod,
    Status,
    SupplementRequest,
)

logger = logging.getLogger(__name__)

LEADER = "leader"
DOCUMENT_PURPOSE = "dossier_document"
RESULT_PURPOSE = "dossier_result"
FEE_PURPOSE = "dossier_fee"
MAX_FORM_BYTES = 64 * 1024
MAX_KEY_LENGTH = 100
EDITABLE = (Status.DRAFT, Status.SUPPLEMENT_REQUESTED)


# --- helpers ---------------------------------------------------------------------------------


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
          officials: Iterable = ()) -> None:
    from tinhso.notify.services import notify

    key = f"dossier.{event}:{dossier.pk}:{n}"
    if applicant:
        notify(recipients=[dossier.applicant], event=f"dossier.{event}", subject=subject, body=body,
               url=_applicant_url(dossier), obj=dossier, dedupe_key=key)
    staff = [u for u in officials if u is not None and u.pk != dossier.applicant_id]
    if staff:
        notify(recipients=staff, event=f"dossier.{event}", subject=subject, body=body,
               url=_staff_url(dossier), obj=dossier, dedupe_key=key)


def _fire(dossier: Dossier, transition: str, *, actor, note: str = "", data: dict | None = None, request=None,
          locked: bool = False, also_save: Iterable[str] = ()):
    return DossierFlow.fire(dossier, transition, actor=actor, note=note, data=data, request=request,
                            locked=locked, also_save=tuple(also_save))


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


# --- catalogue and form ----------------------------------------------------------------------


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


# --- drafts and documents --------------------------------------------------------------------


def dossier_save_draft(*, applicant, procedure, agency, form_data: dict, dossier: Dossier | None = None,
                       idempotency_key: str | None = None, request=None) -> Dossier:
    """Create or update a draft (or a dossier waiting for a supplement: then only the form).
    A new draft may carry an ``idempotency_key`` (the web form's hidden key): a second draft
    with the same key of the same applicant is refused by the database (IntegrityError)."""
    if not getattr(applicant, "is_authenticated", False):
        raise NotAllowed(_("Cần đăng nhập để nộp hồ sơ."))
    form_data = _check_form_shape(form_data)
    with transaction.atomic():
        if dossier is None:
            _check_procedure_and_agency(procedure, agency)
            dossier = Dossier.objects.create(procedure=procedure, applicant=applicant, agency=agency,
                                             form_data=form_data, channel=Channel.ONLINE,
                                             idempotency_key=_clean_key(idempotency_key))
            record_event(actor=applicant, action="dossier.draft_create", obj=dossier, request=request,
                         details={"procedure": procedure.code, "agency": agency.code})
            return dossier
        original = dossier
        dossier = _lock(dossier)
        if not is_applicant(applicant, dossier):
            raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
        if dossier.status not in EDITABLE:
            raise Conflict(_("Hồ sơ đã nộp, không thể sửa."), code="not_editable")
        fields = ["form_data", "updated_at"]
        dossier.form_data = form_data
        if dossier.status == Status.DRAFT and agency is not None and agency.pk != dossier.agency_id:
            _check_procedure_and_agency(dossier.procedure, agency)
            dossier.agency = agency
            fields.append("agency")
        dossier.save(update_fields=fields)
        record_event(actor=applicant, action="dossier.draft_update", obj=dossier, request=request)
    return _sync(original, dossier)


def _can_attach(actor, dossier: Dossier) -> None:
    if is_applicant(actor, dossier):
        if dossier.status not in EDITABLE:
            raise Conflict(_("Hồ sơ đã nộp, không thể thay giấy tờ."), code="not_editable")
        return
    if is_clerk(actor, dossier):
        if dossier.status in (Status.DONE, Status.REFUSED, Status.WITHDRAWN):
            raise Conflict(_("Hồ sơ đã kết thúc."), code="not_editable")
        return
    raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")


def _store_document(*, dossier: Dossier, actor, requirement, file) -> DossierDocument:
    from tinhso.files.services import file_attach

    if file is not None:
        file_attach(file=file, obj=dossier, actor=actor)
    doc, _created = DossierDocument.objects.update_or_create(
        dossier=dossier, requirement_code=requirement.code,
        defaults={"name": requirement.name, "file": file, "uploaded_by": actor, "is_digitised": file is not None},
    )
    from .stats_store import stats_sync
    stats_sync(dossier=dossier)  # the digitised figure
    return doc


def _upload(*, actor, uploaded: UploadedFile, request=None):
    from tinhso.files.services import file_upload

    return file_upload(owner=actor, uploaded=uploaded, purpose=DOCUMENT_PURPOSE, request=request)


def dossier_attach(*, dossier: Dossier, actor, requirement_code: str, uploaded: UploadedFile,
                   request=None) -> DossierDocument:
    """Attach (or replace) the document for one required document. The applicant while the
    dossier is a draft or waits for a supplement; a clerk of the receiving agency (scans)."""
    _can_attach(actor, dossier)  # before storing anything: a denial leaves nothing behind
    requirement = _requirements(dossier.procedure).get(requirement_code or "")
    if requirement is None:
        raise ValidationFailed(_("Thành phần hồ sơ không thuộc thủ tục này."), code="unknown_requirement",
                               details={"field": "requirement_code"})
    if uploaded is None:
        raise ValidationFailed(_("Chưa chọn tệp."), details={"field": "file"})
    stored = _upload(actor=actor, uploaded=uploaded, request=request)
    with transaction.atomic():
        locked = _lock(dossier)
        _can_attach(actor, locked)
        doc = _store_document(dossier=locked, actor=actor, requirement=requirement, file=stored)
        record_event(actor=actor, action="dossier.attach", obj=locked, request=request,
                     details={"requirement": requirement.code, "file": str(stored.public_id)})
    return doc


# --- submission ------------------------------------------------------------------------------


def _clean_key(key: str | None) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(_("Idempotency-Key không hợp lệ (tối đa 100 ký tự)."), code="invalid_idempotency_key")
    return key


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _upload_digest(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _replay(existing: Dossier, digest: str) -> Dossier:
    if existing.payload_hash != digest:
        raise ValidationFailed(
            _("Idempotency-Key này đã được dùng cho một yêu cầu khác."), code="idempotency_conflict",
            details={"dossier": str(existing.public_id)},
        )
    return existing


def _number(dossier: Dossier, now: datetime) -> None:
    """Give the dossier its code, tracking secret, submission time and fee (in memory)."""
    dossier.code = codes.next_code(agency=dossier.agency, when=now)
    dossier.tracking_secret = codes.new_tracking_secret()
    dossier.submitted_at = now
    dossier.fee_amount = compute_dossier_fee(dossier)


NUMBERED_FIELDS = ("code", "tracking_secret", "submitted_at", "fee_amount", "form_data", "updated_at")


def _do_submit(dossier: Dossier, *, actor, request=None, numbered: bool = False) -> None:
    """Number the dossier (unless ``numbered``: done before it was inserted) and fire ``submit``.
    The caller holds the row lock, or created the row in its transaction."""
    if not numbered:
        _number(dossier, timezone.now())
    # Notifications first: the transition appends the audit event last, so the audit chain head
    # is locked only from there to the commit.
    _send(dossier, "submitted", dossier.code,
          subject=_("Hồ sơ %(code)s đã được nộp") % {"code": dossier.code},
          body=_("Hồ sơ «%(procedure)s» đã được gửi tới %(agency)s và đang chờ tiếp nhận.")
          % {"procedure": dossier.procedure.name, "agency": dossier.agency.name},
          applicant=dossier.channel == Channel.ONLINE,
          officials=officials_with_role(agency_id=dossier.agency_id, role=CLERK)
          if dossier.channel == Channel.ONLINE else ())
    _fire(dossier, "submit", actor=actor, request=request, locked=True,
          also_save=() if numbered else NUMBERED_FIELDS,
          data={"code": dossier.code, "channel": dossier.channel, "procedure": dossier.procedure.code,
                "agency": dossier.agency.code})


def dossier_submit(*, dossier: Dossier, actor, idempotency_key: str | None = None, request=None) -> Dossier:
    """Submit a draft: validates the form and the required documents, gives the code. Retrying
    with the same Idempotency-Key returns the dossier; the key used for another dossier or
    payload → ValidationFailed("idempotency_conflict")."""
    key = _clean_key(idempotency_key)
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if not is_applicant(actor, dossier):
            raise NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")
        digest = _hash({"dossier": str(dossier.public_id), "form_data": dossier.form_data})
        if key:
            other = Dossier.objects.filter(applicant=dossier.applicant, idempotency_key=key).first()
            if other is not None:
                if other.pk != dossier.pk:
                    raise ValidationFailed(_("Idempotency-Key này đã được dùng cho một yêu cầu khác."),
                                           code="idempotency_conflict")
                if dossier.status != Status.DRAFT:  # a retry: the key was stored by the first call
                    return _sync(original, _replay(other, digest))
        if dossier.status != Status.DRAFT:
            raise Conflict(_("Hồ sơ đã được nộp."), code="already_submitted",
                           details={"state": dossier.status})
        dossier.form_data = validate_form(procedure=dossier.procedure, form_data=dossier.form_data)
        _check_documents(dossier)
        if key:
            dossier.idempotency_key, dossier.payload_hash = key, digest
            dossier.save(update_fields=["idempotency_key", "payload_hash"])
        _do_submit(dossier, actor=actor, request=request)
    return _sync(original, dossier)


def _create(*, applicant, procedure, agency, form_data, uploads, idempotency_key, channel, clerk, request):
    key = _clean_key(idempotency_key)
    uploads = dict(uploads or {})
    form_data = _check_form_shape(form_data)
    digest = _hash({
        "procedure": procedure.code, "agency": str(agency.public_id) if agency else None, "form_data": form_data,
        "uploads": {code: _upload_digest(f) for code, f in uploads.items() if f is not None},
    })
    if key:
        existing = Dossier.objects.filter(applicant=applicant, idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, digest)
    _check_procedure_and_agency(procedure, agency)
    cleaned = validate_form(procedure=procedure, form_data=form_data)
    requirements = _requirements(procedure)
    unknown = sorted(set(uploads) - set(requirements))
    if unknown:
        raise ValidationFailed(_("Thành phần hồ sơ không thuộc thủ tục này."), code="unknown_requirement",
                               details={"unknown": unknown})
    if channel == Channel.ONLINE:
        missing = [c for c, r in requirements.items() if r.is_required and uploads.get(c) is None]
        if missing:
            raise ValidationFailed(
                _("Còn thiếu giấy tờ: %(names)s.") % {"names": "; ".join(requirements[c].name for c in missing)},
                code="missing_documents", details={"missing": missing},
            )
    uploader = clerk or applicant
    stored: dict[str, object] = {}
    try:
        for code, f in uploads.items():
            if f is not None:
                stored[code] = _upload(actor=uploader, uploaded=f, request=request)
        with transaction.atomic():
            dossier = Dossier(
                procedure=procedure, applicant=applicant, agency=agency, form_data=cleaned, channel=channel,
                recorded_by=clerk, idempotency_key=key, payload_hash=digest if key else "",
            )
            # Created and submitted in one transaction: numbered before the insert; the row is
            # new, nobody else sees it yet (no lock needed), and the submit transition's audit
            # event records the creation too.
            _number(dossier, timezone.now())
            dossier.save(force_insert=True)
            for code, requirement in requirements.items():
                if code in stored or channel == Channel.COUNTER:
                    _store_document(dossier=dossier, actor=uploader, requirement=requirement, file=stored.get(code))
            _do_submit(dossier, actor=clerk or applicant, request=request, numbered=True)
            if channel == Channel.COUNTER:
                _do_receive(dossier, actor=clerk, note=_("Tiếp nhận trực tiếp tại bộ phận một cửa."), request=request)
    except IntegrityError:
        if key:
            existing = Dossier.objects.filter(applicant=applicant, idempotency_key=key).first()
            if existing is not None:  # a concurrent retry with the same key won the race
                return _replay(existing, digest)
        raise
    return dossier


def dossier_create_and_submit(*, applicant, procedure, agency, form_data: dict, uploads: dict[str, UploadedFile],
                              idempotency_key: str | None, channel: str = Channel.ONLINE, clerk=None,
                              request=None) -> Dossier:
    """Create and submit a dossier in one call (API, or a form posted at once)."""
    if not getattr(applicant, "is_authenticated", False):
        raise NotAllowed(_("Cần đăng nhập để nộp hồ sơ."))
    if channel == Channel.COUNTER:
        if clerk is None or not user_has_role(user=clerk, agency=agency, roles=CLERK):
            raise NotAllowed(_("Chỉ công chức một cửa của cơ quan tiếp nhận mới nhận hồ sơ tại quầy."))
    elif channel != Channel.ONLINE:
        raise ValidationFailed(_("Hình thức nộp không hợp lệ."), details={"field": "channel"})
    return _create(applicant=applicant, procedure=procedure, agency=agency, form_data=form_data, uploads=uploads,
                   idempotency_key=idempotency_key, channel=channel, clerk=clerk, request=request)


def dossier_record_at_counter(*, clerk, agency, procedure, applicant, form_data: dict,
                              uploads: dict[str, UploadedFile] | None = None, request=None) -> Dossier:
    """A clerk records a paper dossier for ``applicant``: numbered and received at once. Paper
    documents are recorded for every required document; uploaded scans count as digitised."""
    if agency is None or not user_has_role(user=clerk, agency=agency, roles=CLERK):
        raise NotAllowed(_("Chỉ công chức một cửa của cơ quan tiếp nhận mới nhận hồ sơ tại quầy."))
    if applicant is None:
        raise ValidationFailed(_("Cần chọn người nộp hồ sơ."), details={"field": "applicant"})
    return _create(applicant=applicant, procedure=procedure, agency=agency, form_data=form_data,
                   uploads=uploads or {}, idempotency_key=None, channel=Channel.COUNTER, clerk=clerk, request=request)


# --- one-stop desk ---------------------------------------------------------------------------


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


def _create_fee_intent(dossier: Dossier, *, request=None, key_suffix: str = "") -> None:
    if dossier.fee_amount <= 0:
        dossier.fee_status = FeeStatus.NOT_REQUIRED
        return
    dossier.fee_status = FeeStatus.PENDING
    try:
        from tinhso.payments import services as pay
    except ImportError:  # the payments building block is not installed: the fee stays pending
        logger.warning("payments app unavailable: no payment intent for dossier %s", dossier.pk)
        return
    try:
        intent = pay.payment_intent_create(
            payer=dossier.applicant, payee_agency=dossier.agency, amount=dossier.fee_amount, purpose=FEE_PURPOSE,
            description=_("Phí, lệ phí hồ sơ %(code)s") % {"code": dossier.code}, obj=dossier,
            idempotency_key=f"dossier_fee:{dossier.public_id}{key_suffix}", request=request,
        )
    except ValidationFailed as exc:
        if exc.code != "no_payee_account":
            raise
        # No online account for this agency: the fee is paid at the counter
        # (dossier_fee_record_at_counter).
        return
    dossier.payment_public_id = intent.public_id


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


def _cancel_fee(dossier: Dossier, *, actor, reason: str) -> None:
    if dossier.fee_status != FeeStatus.PENDING:
        return
    dossier.fee_status = FeeStatus.NOT_REQUIRED
    if dossier.payment_public_id is None:
        return
    try:
        from tinhso.payments import selectors as pay_sel
        from tinhso.payments import services as pay
    except ImportError:
        return
    for intent in pay_sel.intents_for_object(obj=dossier):
        if intent.status == "pending":
            pay.payment_intent_cancel(intent=intent, actor=None, reason=reason[:255])


# --- processing ------------------------------------------------------------------------------


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


# --- applicant -------------------------------------------------------------------------------


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
        from .stats_store import stats_sync
        stats_sync(dossier=dossier)
        record_event(actor=actor, action="dossier.rate", obj=dossier, request=request, details={"score": score})
    return rating


# --- deadlines -------------------------------------------------------------------------------


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
        from .stats_store import stats_sync
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
            record_event(actor=None, action="dossier.overdue", obj=dossier,
                         details={"due_at": dossier.due_at.isoformat()})
            step = _current(_steps(dossier))
            officials = list(_step_officials(step)) + list(officials_with_role(agency_id=dossier.agency_id, role=CLERK))
            _send(dossier, "overdue", dossier.apologies.count(), applicant=False, officials=officials,
                  subject=_("Hồ sơ %(code)s đã quá hạn giải quyết") % {"code": dossier.code})
            marked += 1
    return marked


# --- fees ------------------------------------------------------------------------------------


def compute_dossier_fee(dossier: Dossier) -> int:
    """The fee of ``dossier`` by the catalogue's fee rules and its form (e.g. 8.000 đ × the number
    of paper copies asked for)."""
    from tinhso.procedures.fees import compute_fee

    return compute_fee(procedure=dossier.procedure, form_data=dossier.form_data).total


def _refresh_fee(dossier: Dossier, *, actor, request=None) -> bool:
    """After a supplement the form may ask for another quantity: recompute the fee while nothing
    has been paid, replacing a pending payment intent by one for the new amount. Returns whether
    the fee changed (the caller saves ``fee_amount``, ``fee_status``, ``payment_public_id``)."""
    if dossier.fee_status == FeeStatus.PAID:
        return False
    amount = compute_dossier_fee(dossier)
    if amount == dossier.fee_amount:
        return False
    old = dossier.fee_amount
    received = dossier.received_at is not None
    if received:
        _cancel_fee(dossier, actor=actor, reason=str(_("Số tiền phí, lệ phí thay đổi sau khi bổ sung hồ sơ.")))
        dossier.payment_public_id = None
    dossier.fee_amount = amount
    if received:
        # A new key per supplement round: an earlier (cancelled) intent must not be replayed.
        _create_fee_intent(dossier, request=request, key_suffix=f":s{dossier.supplement_requests.count()}")
    record_event(actor=actor, action="dossier.fee_recomputed", obj=dossier, request=request,
                 details={"from": old, "to": amount})
    return True


def on_fee_paid(intent) -> None:
    """payments ``on_paid("dossier_fee", …)`` handler, called inside the paying transaction."""
    from django.contrib.contenttypes.models import ContentType

    qs = Dossier.objects.select_for_update()
    dossier = qs.filter(payment_public_id=intent.public_id).first()
    if dossier is None and getattr(intent, "content_type_id", None) == ContentType.objects.get_for_model(Dossier).pk:
        dossier = qs.filter(pk=intent.object_id).first()
    if dossier is None:
        logger.warning("dossier_fee paid for an unknown dossier (intent %s)", intent.public_id)
        return
    if dossier.fee_status == FeeStatus.PAID:
        return
    dossier.fee_status = FeeStatus.PAID
    dossier.save(update_fields=["fee_status", "updated_at"])
    from .stats_store import stats_sync
    stats_sync(dossier=dossier)
    record_event(actor=None, action="dossier.fee_paid", obj=dossier,
                 details={"intent": str(intent.public_id), "amount": dossier.fee_amount})
    _send(dossier, "fee_paid", intent.public_id,
          subject=_("Đã thanh toán phí, lệ phí hồ sơ %(code)s") % {"code": dossier.code},
          officials=officials_with_role(agency_id=dossier.agency_id, role=CLERK))


def dossier_fee_record_at_counter(*, dossier: Dossier, actor, request=None) -> Dossier:
    """A clerk of the receiving agency records a fee paid in cash at the counter (the online
    intent, if any, is cancelled)."""
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if not is_clerk(actor, dossier):
            raise NotAllowed(_("Chỉ công chức một cửa của cơ quan tiếp nhận mới ghi nhận thu phí."))
        if dossier.fee_status != FeeStatus.PENDING:
            raise Conflict(_("Hồ sơ không có khoản phí chờ thanh toán."), code="fee_not_pending")
        _cancel_fee(dossier, actor=actor, reason=str(_("Đã nộp tiền mặt tại bộ phận một cửa.")))
        dossier.fee_status = FeeStatus.PAID
        dossier.save(update_fields=["fee_status", "updated_at"])
        from .stats_store import stats_sync
        stats_sync(dossier=dossier)
        record_event(actor=actor, action="dossier.fee_paid_at_counter", obj=dossier, request=request,
                     details={"amount": dossier.fee_amount})
    return _sync(original, dossier)
