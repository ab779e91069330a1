"""Drafts, documents and submission (online, in one call, or recorded at the counter).

See the package docstring and docs/dossiers.md.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tinhso.orgs.selectors import user_has_role

from .. import codes
from ..machine import CLERK, is_applicant, is_clerk
from ..models import (
    Channel,
    Dossier,
    DossierDocument,
    Status,
)
from ._base import (
    DOCUMENT_PURPOSE,
    EDITABLE,
    MAX_KEY_LENGTH,
    _check_documents,
    _check_form_shape,
    _check_procedure_and_agency,
    _fire,
    _lock,
    _requirements,
    _send,
    _sync,
    officials_with_role,
    validate_form,
)
from .desk import _do_receive
from .fees import compute_dossier_fee


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
    from ..stats_store import stats_sync
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


def _do_submit(dossier: Dossier, *, actor, request=None, numbered: bool = False):
    """Number the dossier (unless ``numbered``: done before it was inserted) and fire ``submit``.
    The caller holds the row lock, or created the row in its transaction."""
    if not numbered:
        _number(dossier, timezone.now())
    # Notifications first: the transition appends the audit event last, so the audit chain head
    # is locked only from there to the commit.
    _send(dossier, "submitted", dossier.code, dedupe=False,
          subject=_("Hồ sơ %(code)s đã được nộp") % {"code": dossier.code},
          body=_("Hồ sơ «%(procedure)s» đã được gửi tới %(agency)s và đang chờ tiếp nhận.")
          % {"procedure": dossier.procedure.name, "agency": dossier.agency.name},
          applicant=dossier.channel == Channel.ONLINE,
          officials=officials_with_role(agency_id=dossier.agency_id, role=CLERK)
          if dossier.channel == Channel.ONLINE else ())
    return _fire(dossier, "submit", actor=actor, request=request, locked=True,
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
            documents = [
                _store_document(dossier=dossier, actor=uploader, requirement=requirement, file=stored.get(code))
                for code, requirement in requirements.items()
                if code in stored or channel == Channel.COUNTER
            ]
            log = _do_submit(dossier, actor=clerk or applicant, request=request, numbered=True)
            if channel == Channel.ONLINE:
                # What the response shows of a dossier just created, without reading it back:
                # its documents and its one transition (see api.DossierOut).
                dossier.fresh_documents = sorted(documents, key=lambda d: d.pk)
                dossier.fresh_history = [log]
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
