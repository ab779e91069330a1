"""Every write on consultations and ideas (góp ý, hiến kế). Each public function is one
transaction with one audit event (state changes through :mod:`machine_ideas`, which writes the
TransitionLog and the audit event ``consultation.<t>`` / ``idea.<t>``) and the outbox rows of
its notifications. Validation happens before anything is stored; uploads are checked after the
permission check, so a denied call stores nothing. See docs/ideas.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.search.text import fold

from .machine_ideas import ANSWER_TRANSITIONS, ConsultationFlow, IdeaFlow, is_author
from .models_ideas import (
    CONSULTATION_DOCUMENT_PURPOSE,
    IDEA_IMAGE_PURPOSE,
    MAX_ANSWER,
    MAX_CONSULTATION_BODY,
    MAX_CONSULTATION_SUMMARY,
    MAX_CONSULTATION_TITLE,
    MAX_DOCUMENTS,
    MAX_HIDE_REASON,
    MAX_IDEA_BODY,
    MAX_IDEA_TITLE,
    MAX_RESULT_SUMMARY,
    MAX_UPDATE_NOTE,
    MIN_IDEA_BODY,
    Consultation,
    ConsultationDocument,
    ConsultationStatus,
    Idea,
    IdeaStatus,
    IdeaSupport,
    ImplementationStatus,
    ImplementationUpdate,
)
from .selectors_ideas import IDEA_ROLES, can_manage, can_participate, consultation_not_found, idea_not_found

MAX_KEY_LENGTH = 100
MAX_INPUT_CHARS = 64 * 1024
CONSULTATION_FIELDS = ("title", "summary", "body", "opens_at", "closes_at", "commune")


# --- helpers -----------------------------------------------------------------------------------


def _text(value, *, field: str, required: str | None = None, limit: int, minimum: int = 0) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(_("Nội dung không hợp lệ."), details={"field": field})
    value = (value or "").strip()
    if not value and required:
        raise ValidationFailed(required, code="required", details={"field": field})
    if len(value) > limit:
        raise ValidationFailed(
            _("Nội dung quá dài: tối đa %(limit)d ký tự, bạn đã nhập %(count)d ký tự.")
            % {"limit": limit, "count": len(value)}, code="too_long", details={"field": field, "limit": limit})
    if value and len(value) < minimum:
        raise ValidationFailed(
            _("Nội dung quá ngắn: cần ít nhất %(min)d ký tự.") % {"min": minimum}, code="too_short",
            details={"field": field, "min": minimum})
    return value


def _too_big(*values) -> None:
    """Refuse absurdly large input before hashing or touching the database."""
    for v in values:
        if isinstance(v, str) and len(v) > MAX_INPUT_CHARS:
            raise ValidationFailed(_("Nội dung quá dài."), code="too_long")


def _aware(value, *, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationFailed(_("Ngày giờ không hợp lệ."), details={"field": field})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _commune(commune):
    from tinhso.geo.models import AdminUnit, Level

    if commune in (None, ""):
        return None
    code = getattr(commune, "code", commune)
    pcode = f"{int(settings.TINHSO_PROVINCE):02d}"
    unit = AdminUnit.objects.filter(code=str(code).strip()[:20], level=Level.COMMUNE, parent__code=pcode,
                                    is_active=True).first()
    if unit is None:
        raise ValidationFailed(_("Xã, phường đã chọn không thuộc tỉnh."), code="invalid_commune",
                               details={"field": "commune"})
    return unit


def _require_manager(actor, consultation: Consultation) -> None:
    if not can_manage(user=actor, consultation=consultation):
        raise consultation_not_found()


def _lock_consultation(consultation: Consultation) -> Consultation:
    locked = Consultation.objects.select_for_update().select_related("agency").filter(pk=consultation.pk).first()
    if locked is None:
        raise consultation_not_found()
    return locked


def _lock_idea(idea: Idea) -> Idea:
    locked = Idea.objects.select_for_update().filter(pk=idea.pk).first()
    if locked is None:
        raise idea_not_found()
    locked.consultation = Consultation.objects.select_related("agency").get(pk=locked.consultation_id)
    return locked


def _sync(target, source):
    if target is not source:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
        target._state.fields_cache = dict(source._state.fields_cache)
    return source


def _officials(agency_id: int):
    from .services import officials_of

    return officials_of(agency_id=agency_id, roles=IDEA_ROLES)


def _idea_url(idea: Idea) -> str:
    return reverse("ideas:idea", args=[idea.public_id])


def _staff_idea_url(idea: Idea) -> str:
    return reverse("ideas_staff:idea", args=[idea.public_id])


def _notify_author(idea: Idea, event: str, n, *, subject: str, body: str = "") -> None:
    from tinhso.notify.services import notify

    notify(recipients=[idea.author], event=f"idea.{event}", subject=subject, body=body, url=_idea_url(idea),
           obj=idea, dedupe_key=f"idea.{event}:{idea.pk}:{n}")


def _upload(actor, files: Sequence[UploadedFile], purpose: str, request) -> list:
    from tinhso.files.services import file_upload

    return [file_upload(owner=actor, uploaded=f, purpose=purpose, request=request) for f in files]


def _attach(actor, stored, obj) -> None:
    from tinhso.files.services import file_attach

    for f in stored:
        file_attach(file=f, obj=obj, actor=actor)


def _search_text(c: Consultation) -> str:
    return fold(" ".join([c.title, c.summary, c.agency.name if c.agency_id else ""]))


# --- consultations -----------------------------------------------------------------------------


def _clean_consultation(fields: dict) -> dict:
    out = {}
    if "title" in fields:
        out["title"] = _text(fields["title"], field="title", required=_("Cần nhập tiêu đề."),
                             limit=MAX_CONSULTATION_TITLE)
    if "summary" in fields:
        out["summary"] = _text(fields["summary"], field="summary", required=_("Cần nhập tóm tắt."),
                               limit=MAX_CONSULTATION_SUMMARY)
    if "body" in fields:
        out["body"] = _text(fields["body"], field="body", required=_("Cần nhập nội dung lấy ý kiến."),
                            limit=MAX_CONSULTATION_BODY)
    if "opens_at" in fields:
        out["opens_at"] = _aware(fields["opens_at"], field="opens_at")
    if "closes_at" in fields:
        out["closes_at"] = _aware(fields["closes_at"], field="closes_at")
    if "commune" in fields:
        out["commune"] = _commune(fields["commune"])
    return out


def _check_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ValidationFailed(_("Ngày hết hạn góp ý phải sau ngày mở góp ý."), code="invalid_dates",
                               details={"field": "closes_at"})


def _check_documents(documents) -> list:
    documents = [d for d in (documents or ()) if d is not None]
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(_("Chỉ đính kèm được tối đa %(n)d tài liệu.") % {"n": MAX_DOCUMENTS},
                               code="too_many_documents", details={"field": "documents"})
    return documents


def _add_documents(consultation: Consultation, actor, stored) -> None:
    start = ConsultationDocument.objects.filter(consultation=consultation).count()
    if start + len(stored) > MAX_DOCUMENTS:
        raise ValidationFailed(_("Chỉ đính kèm được tối đa %(n)d tài liệu.") % {"n": MAX_DOCUMENTS},
                               code="too_many_documents", details={"field": "documents"})
    _attach(actor, stored, consultation)
    for i, f in enumerate(stored, start=start):
        ConsultationDocument.objects.create(consultation=consultation, file=f, order=i)


def consultation_create(*, actor, agency, title: str, summary: str, body: str, opens_at: datetime,
                        closes_at: datetime, commune=None, documents: Sequence[UploadedFile] = (),
                        request=None) -> Consultation:
    """A draft consultation of ``agency`` (the actor must be one of its officials) with its
    documents (PDF/DOCX, at most 10). Publishing is a separate step."""
    from tinhso.orgs.selectors import user_has_role

    _too_big(title, summary, body)
    if agency is None or not getattr(agency, "is_active", False):
        raise ValidationFailed(_("Cần chọn cơ quan lấy ý kiến."), details={"field": "agency"})
    if not (getattr(actor, "is_authenticated", False) and user_has_role(user=actor, agency=agency, roles=IDEA_ROLES)):
        raise NotAllowed(_("Bạn không phải cán bộ của cơ quan này."))
    data = _clean_consultation({"title": title, "summary": summary, "body": body, "opens_at": opens_at,
                                "closes_at": closes_at, "commune": commune})
    _check_dates(data["opens_at"], data["closes_at"])
    documents = _check_documents(documents)
    stored = _upload(actor, documents, CONSULTATION_DOCUMENT_PURPOSE, request)
    with transaction.atomic():
        c = Consultation(agency=agency, created_by=actor, status=ConsultationStatus.DRAFT, **data)
        c.search_text = _search_text(c)
        c.save(force_insert=True)
        _add_documents(c, actor, stored)
        record_event(actor=actor, action="consultation.create", obj=c, request=request,
                     details={"agency": agency.code, "documents": len(stored)})
    return c


def consultation_update(*, actor, consultation: Consultation, documents: Sequence[UploadedFile] = (),
                        remove_documents: Sequence = (), request=None, **fields) -> Consultation:
    """Edit a draft (title, summary, body, dates, commune), add documents or remove some (by
    their file public id). Once published the text is frozen (Conflict ``not_draft``)."""
    unknown = set(fields) - set(CONSULTATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown consultation fields: {sorted(unknown)}")
    _too_big(*fields.values())
    with transaction.atomic():
        _require_manager(actor, _lock_consultation(consultation))
    data = _clean_consultation(fields)
    documents = _check_documents(documents)
    original = consultation
    with transaction.atomic():
        c = _lock_consultation(consultation)
        _require_manager(actor, c)
        if c.status != ConsultationStatus.DRAFT:
            raise Conflict(_("Chỉ sửa được đợt lấy ý kiến khi còn là bản nháp."), code="not_draft")
        for key, value in data.items():
            setattr(c, key, value)
        _check_dates(c.opens_at, c.closes_at)
        removed = 0
        if remove_documents:
            removed, _detail = ConsultationDocument.objects.filter(
                consultation=c, file__public_id__in=[str(x) for x in remove_documents]).delete()
        stored = _upload(actor, documents, CONSULTATION_DOCUMENT_PURPOSE, request)
        _add_documents(c, actor, stored)
        c.search_text = _search_text(c)
        c.save()
        record_event(actor=actor, action="consultation.update", obj=c, request=request,
                     details={"fields": sorted(data), "documents_added": len(stored), "documents_removed": removed})
    return _sync(original, c)


def consultation_publish(*, actor, consultation: Consultation, request=None, now: datetime | None = None
                         ) -> Consultation:
    """Publish a draft: it becomes public and accepts ideas from ``opens_at`` to ``closes_at``
    (which must still be in the future)."""
    now = now or timezone.now()
    original = consultation
    with transaction.atomic():
        c = _lock_consultation(consultation)
        _require_manager(actor, c)
        if c.status == ConsultationStatus.DRAFT and c.closes_at <= now:
            raise ValidationFailed(_("Ngày hết hạn góp ý đã qua: hãy sửa lại trước khi công bố."),
                                   code="closes_in_past", details={"field": "closes_at"})
        c.published_at = now
        ConsultationFlow.fire(c, "publish", actor=actor, request=request, locked=True,
                              also_save=("published_at", "updated_at"))
    return _sync(original, c)


def consultation_close(*, actor, consultation: Consultation, request=None, now: datetime | None = None
                       ) -> Consultation:
    """Close early (an official of the agency); no more ideas or supports."""
    original = consultation
    with transaction.atomic():
        c = _lock_consultation(consultation)
        _require_manager(actor, c)
        c.closed_at = now or timezone.now()
        ConsultationFlow.fire(c, "close", actor=actor, request=request, locked=True,
                              also_save=("closed_at", "updated_at"), data={"by": "official"})
    return _sync(original, c)


def consultations_close_due(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Close open consultations whose ``closes_at`` has passed (periodic job; idempotent)."""
    now = now or timezone.now()
    ids = list(Consultation.objects.filter(status=ConsultationStatus.OPEN, closes_at__lte=now)
               .values_list("pk", flat=True)[:batch])
    done = 0
    for pk in ids:
        with transaction.atomic():
            c = Consultation.objects.select_for_update().filter(pk=pk).first()
            if c is None or c.status != ConsultationStatus.OPEN or c.closes_at > now:
                continue
            c.closed_at = c.closes_at
            ConsultationFlow.fire(c, "close", actor=None, locked=True, also_save=("closed_at", "updated_at"),
                                  data={"by": "deadline"})
            done += 1
    return done


def consultation_summarize(*, actor, consultation: Consultation, summary: str, request=None) -> Consultation:
    """After closing, the agency publishes the summary of the ideas received and how they were
    taken into account (closed → answered)."""
    _too_big(summary)
    summary = _text(summary, field="summary", required=_("Cần nhập kết quả tổng hợp ý kiến."),
                    limit=MAX_RESULT_SUMMARY)
    original = consultation
    with transaction.atomic():
        c = _lock_consultation(consultation)
        _require_manager(actor, c)
        c.result_summary = summary
        c.answered_at = timezone.now()
        ConsultationFlow.fire(c, "summarize", actor=actor, request=request, locked=True,
                              also_save=("result_summary", "answered_at", "updated_at"), data={"summary": True})
        from tinhso.notify.services import notify

        authors = list({i.author for i in Idea.objects.filter(consultation=c).exclude(
            status=IdeaStatus.WITHDRAWN).select_related("author")})
        if authors:
            notify(recipients=authors, event="consultation.answered",
                   subject=_("Đã có kết quả lấy ý kiến: %(title)s") % {"title": c.title[:120]},
                   body=summary[:500], url=reverse("ideas:consultation", args=[c.public_id]), obj=c,
                   dedupe_key=f"consultation.answered:{c.pk}")
    return _sync(original, c)


# --- ideas: citizens and businesses ------------------------------------------------------------


def _clean_key(key: str | None) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(_("Mã chống gửi trùng không hợp lệ."), code="invalid_idempotency_key")
    return key


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _upload_digest(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _replay(existing: Idea, digest: str) -> Idea:
    if existing.payload_hash != digest:
        raise ValidationFailed(_("Biểu mẫu này đã được gửi với nội dung khác. Vui lòng tải lại trang."),
                               code="idempotency_conflict")
    return existing


def _require_participant(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Cần đăng nhập để góp ý."), code="login_required")
    if not can_participate(user):
        raise NotAllowed(_("Chỉ tài khoản người dân, doanh nghiệp mới gửi được góp ý."), code="not_participant")


def _require_accepting(c: Consultation, now: datetime) -> None:
    if c.status == ConsultationStatus.DRAFT:
        raise consultation_not_found()
    if not c.accepting_ideas(now):
        if c.status == ConsultationStatus.OPEN and now < c.opens_at:
            raise Conflict(_("Đợt lấy ý kiến chưa bắt đầu."), code="not_yet_open")
        raise Conflict(_("Đợt lấy ý kiến đã kết thúc, không nhận thêm góp ý."), code="consultation_closed")


def idea_post(*, author, consultation: Consultation, title: str, body: str, image: UploadedFile | None = None,
              show_name: bool = True, idempotency_key: str | None = None, request=None,
              now: datetime | None = None) -> Idea:
    """A citizen or business posts an idea on a consultation accepting ideas (Conflict
    ``consultation_closed`` after ``closes_at`` or once closed). Title 1–150, body 10–3000
    characters, an optional JPEG/PNG image ≤ 5 MB. The same ``idempotency_key`` (the form's hidden
    one-time key) gives the same idea back; with another payload → ``idempotency_conflict``.
    The agency's officials are notified."""
    _too_big(title, body)
    _require_participant(author)
    key = _clean_key(idempotency_key)
    title = _text(title, field="title", required=_("Cần nhập tiêu đề góp ý."), limit=MAX_IDEA_TITLE)
    body = _text(body, field="body", required=_("Cần nhập nội dung góp ý."), limit=MAX_IDEA_BODY,
                 minimum=MIN_IDEA_BODY)
    digest = _digest({"consultation": consultation.pk, "title": title, "body": body, "show_name": bool(show_name),
                      "image": _upload_digest(image) if image is not None else None})
    if key:
        existing = Idea.objects.filter(author=author, idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, digest)
    now = now or timezone.now()
    c = Consultation.objects.filter(pk=consultation.pk).first()
    if c is None:
        raise consultation_not_found()
    _require_accepting(c, now)
    stored = _upload(author, [image], IDEA_IMAGE_PURPOSE, request)[0] if image is not None else None
    try:
        with transaction.atomic():
            c = _lock_consultation(consultation)
            _require_accepting(c, timezone.now() if now is None else now)
            idea = Idea.objects.create(
                consultation=c, author=author, show_name=bool(show_name), title=title, body=body, image=stored,
                status=IdeaStatus.PUBLISHED, created_at=now, idempotency_key=key,
                payload_hash=digest if key else "")
            if stored is not None:
                _attach(author, [stored], idea)
            Consultation.objects.filter(pk=c.pk).update(idea_count=F("idea_count") + 1)
            from tinhso.notify.services import notify

            officials = [u for u in _officials(c.agency_id) if u.pk != author.pk]
            if officials:
                notify(recipients=officials, event="idea.new",
                       subject=_("Góp ý mới: %(title)s") % {"title": title[:120]},
                       body=_("Đợt lấy ý kiến «%(c)s» có góp ý mới.") % {"c": c.title[:120]},
                       url=_staff_idea_url(idea), obj=idea, dedupe_key=f"idea.new:{idea.pk}")
            record_event(actor=author, action="idea.post", obj=idea, request=request,
                         details={"consultation": str(c.public_id), "image": stored is not None})
    except IntegrityError:
        if key:
            existing = Idea.objects.filter(author=author, idempotency_key=key).first()
            if existing is not None:  # a concurrent double submit won the race
                return _replay(existing, digest)
        raise
    return idea


def idea_support(*, idea: Idea, user, request=None, now: datetime | None = None) -> IdeaSupport:
    """Support an idea (once per person; not one's own) while the consultation accepts ideas."""
    _require_participant(user)
    try:
        with transaction.atomic():
            locked = _lock_idea(idea)
            if locked.status == IdeaStatus.WITHDRAWN or locked.consultation.status == ConsultationStatus.DRAFT:
                raise idea_not_found()
            if locked.is_hidden:
                raise Conflict(_("Góp ý này đã bị ẩn."), code="hidden")
            _require_accepting(locked.consultation, now or timezone.now())
            if locked.author_id == user.pk:
                raise Conflict(_("Đây là góp ý của bạn."), code="own_idea")
            if IdeaSupport.objects.filter(idea=locked, user=user).exists():
                raise Conflict(_("Bạn đã ủng hộ góp ý này."), code="already_supported")
            support = IdeaSupport.objects.create(idea=locked, user=user)
            Idea.objects.filter(pk=locked.pk).update(support_count=F("support_count") + 1)
            record_event(actor=user, action="idea.support", obj=locked, request=request)
    except IntegrityError:
        raise Conflict(_("Bạn đã ủng hộ góp ý này."), code="already_supported") from None
    idea.support_count = Idea.objects.filter(pk=idea.pk).values_list("support_count", flat=True).first()
    return support


def idea_unsupport(*, idea: Idea, user, request=None, now: datetime | None = None) -> None:
    """Withdraw one's support (while the consultation accepts ideas)."""
    _require_participant(user)
    with transaction.atomic():
        locked = _lock_idea(idea)
        if locked.status == IdeaStatus.WITHDRAWN or locked.consultation.status == ConsultationStatus.DRAFT:
            raise idea_not_found()
        _require_accepting(locked.consultation, now or timezone.now())
        deleted, _detail = IdeaSupport.objects.filter(idea=locked, user=user).delete()
        if not deleted:
            raise Conflict(_("Bạn chưa ủng hộ góp ý này."), code="not_supported")
        Idea.objects.filter(pk=locked.pk, support_count__gt=0).update(support_count=F("support_count") - 1)
        record_event(actor=user, action="idea.unsupport", obj=locked, request=request)
    idea.support_count = Idea.objects.filter(pk=idea.pk).values_list("support_count", flat=True).first()


def idea_withdraw(*, idea: Idea, actor, request=None) -> Idea:
    """The author withdraws their idea before it is answered; it leaves the public pages."""
    original = idea
    with transaction.atomic():
        locked = _lock_idea(idea)
        if not is_author(actor, locked):
            raise idea_not_found()
        IdeaFlow.fire(locked, "withdraw", actor=actor, request=request, locked=True, also_save=("updated_at",))
        if not locked.is_hidden:
            Consultation.objects.filter(pk=locked.consultation_id, idea_count__gt=0).update(
                idea_count=F("idea_count") - 1)
    return _sync(original, locked)


# --- ideas: the agency -------------------------------------------------------------------------


def _require_idea_manager(actor, idea: Idea) -> None:
    if not can_manage(user=actor, consultation=idea.consultation):
        raise idea_not_found()


def idea_answer(*, idea: Idea, actor, decision: str, answer: str = "", request=None) -> Idea:
    """The agency's official answer: ``decision`` evaluate (đang xem xét) | accept (tiếp thu) |
    reject (không tiếp thu, the reason is required). The author is notified."""
    if decision not in ANSWER_TRANSITIONS:
        raise ValidationFailed(_("Hình thức trả lời không hợp lệ."), details={"field": "decision"})
    _too_big(answer)
    answer = _text(answer, field="answer", limit=MAX_ANSWER,
                   required=_("Cần nêu lý do không tiếp thu ý kiến.") if decision == "reject" else None)
    original = idea
    with transaction.atomic():
        locked = _lock_idea(idea)
        _require_idea_manager(actor, locked)
        fields = ["updated_at"]
        if answer:
            locked.answer, locked.answered_at, locked.answered_by = answer, timezone.now(), actor
            fields += ["answer", "answered_at", "answered_by"]
        elif locked.answered_at is None:
            locked.answered_at, locked.answered_by = timezone.now(), actor
            fields += ["answered_at", "answered_by"]
        if decision == "accept" and not locked.implementation_status:
            locked.implementation_status = ImplementationStatus.PLANNED
            fields.append("implementation_status")
        log = IdeaFlow.fire(locked, decision, actor=actor, note=answer, request=request, locked=True,
                            also_save=fields, data={"answer": bool(answer)})
        _notify_author(locked, "answered", log.pk, body=answer,
                       subject=_("Góp ý «%(title)s»: %(status)s") % {
                           "title": locked.title[:80], "status": IdeaFlow.state_label(locked.status)})
    return _sync(original, locked)


def idea_progress(*, idea: Idea, actor, status: str, progress: int, note: str, request=None) -> ImplementationUpdate:
    """A step of the public implementation timeline of an accepted idea: status, progress
    0–100 % (``done`` means 100) and a note. The author is notified."""
    if status not in ImplementationStatus.values:
        raise ValidationFailed(_("Tình trạng thực hiện không hợp lệ."), details={"field": "status"})
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationFailed(_("Tiến độ phải là số nguyên từ 0 đến 100."), details={"field": "progress"})
    if status == ImplementationStatus.DONE:
        progress = 100
    _too_big(note)
    note = _text(note, field="note", required=_("Cần nhập nội dung cập nhật."), limit=MAX_UPDATE_NOTE)
    with transaction.atomic():
        locked = _lock_idea(idea)
        _require_idea_manager(actor, locked)
        if locked.status != IdeaStatus.ACCEPTED:
            raise Conflict(_("Chỉ cập nhật tiến độ cho góp ý đã được tiếp thu."), code="not_accepted")
        update = ImplementationUpdate.objects.create(idea=locked, status=status, progress=progress, note=note,
                                                     agency_id=locked.consultation.agency_id, author=actor)
        Idea.objects.filter(pk=locked.pk).update(progress=progress, implementation_status=status,
                                                 updated_at=timezone.now())
        _notify_author(locked, "progress", update.pk, body=note,
                       subject=_("Góp ý «%(title)s»: %(status)s, %(progress)d%%") % {
                           "title": locked.title[:80], "status": ImplementationStatus(status).label,
                           "progress": progress})
        record_event(actor=actor, action="idea.progress", obj=locked, request=request,
                     details={"status": status, "progress": progress, "update": update.pk})
    idea.progress, idea.implementation_status = progress, status
    return update


def idea_hide(*, idea: Idea, actor, reason: str, request=None) -> Idea:
    """Moderation: an official of the agency hides abusive content (the reason is kept and told
    to the author; the public sees "nội dung đã bị ẩn")."""
    _too_big(reason)
    reason = _text(reason, field="reason", required=_("Cần nêu lý do ẩn nội dung."), limit=MAX_HIDE_REASON)
    original = idea
    with transaction.atomic():
        locked = _lock_idea(idea)
        _require_idea_manager(actor, locked)
        if locked.is_hidden:
            raise Conflict(_("Nội dung này đã bị ẩn."), code="already_hidden")
        if locked.status == IdeaStatus.WITHDRAWN:
            raise Conflict(_("Góp ý đã được tác giả rút."), code="withdrawn")
        locked.hidden_at, locked.hidden_reason, locked.hidden_by = timezone.now(), reason, actor
        locked.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
        Consultation.objects.filter(pk=locked.consultation_id, idea_count__gt=0).update(
            idea_count=F("idea_count") - 1)
        _notify_author(locked, "hidden", int(locked.hidden_at.timestamp()), body=reason,
                       subject=_("Góp ý «%(title)s» đã bị ẩn") % {"title": locked.title[:80]})
        record_event(actor=actor, action="idea.hide", obj=locked, request=request, details={"reason": reason})
    return _sync(original, locked)


def idea_unhide(*, idea: Idea, actor, request=None) -> Idea:
    """Undo a moderation decision (the content is public again)."""
    original = idea
    with transaction.atomic():
        locked = _lock_idea(idea)
        _require_idea_manager(actor, locked)
        if not locked.is_hidden:
            raise Conflict(_("Nội dung này đang hiển thị."), code="not_hidden")
        previous = locked.hidden_reason
        locked.hidden_at, locked.hidden_reason, locked.hidden_by = None, "", None
        locked.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
        if locked.status != IdeaStatus.WITHDRAWN:
            Consultation.objects.filter(pk=locked.consultation_id).update(idea_count=F("idea_count") + 1)
        record_event(actor=actor, action="idea.unhide", obj=locked, request=request,
                     details={"previous_reason": previous})
    return _sync(original, locked)
