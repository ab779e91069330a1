"""Officials' pages of comments and ideas at /staff/gop-y/: the consultations of my agencies
(create, edit while draft, publish, close, publish the summary), the ideas to answer, the
answer form, implementation updates and moderation. Reads through ``selectors_ideas`` (scoped
to the official's agencies: anything else is a 404), writes through ``services_ideas``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tinhso.core.errors import DomainError, NotFound
from tinhso.orgs.selectors import agency_scope

from . import selectors_ideas as sel
from . import services_ideas as svc
from .machine_ideas import ConsultationFlow
from .models_ideas import (
    MAX_ANSWER,
    MAX_CONSULTATION_BODY,
    MAX_CONSULTATION_SUMMARY,
    MAX_CONSULTATION_TITLE,
    MAX_HIDE_REASON,
    MAX_UPDATE_NOTE,
    ConsultationStatus,
    ImplementationStatus,
)

PAGE_SIZE = 25
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
QUEUE_LABELS = {
    "to_answer": gettext_lazy("Chờ trả lời"),
    "evaluating": gettext_lazy("Đang xem xét"),
    "accepted": gettext_lazy("Được tiếp thu"),
    "rejected": gettext_lazy("Không tiếp thu"),
    "hidden": gettext_lazy("Đã ẩn"),
    "all": gettext_lazy("Tất cả"),
}


def staff_required(view: Callable) -> Callable:
    """Logged in, OTP-verified, and an official (IDEA_ROLES) of at least one agency."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not agency_scope(user=request.user, roles=sel.IDEA_ROLES):
            raise PermissionDenied(_("Chỉ cán bộ đang được phân công tại một cơ quan mới dùng được trang này."))
        is_verified = getattr(request.user, "is_verified", None)
        if not (callable(is_verified) and is_verified()):
            raise PermissionDenied(_("Cần xác thực hai lớp trước khi làm việc."))
        return view(request, *args, **kwargs)

    return wrapper


def _dt(label, required=True):
    return forms.DateTimeField(label=label, required=required, input_formats=[DATETIME_FORMAT],
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
                               error_messages={"required": gettext_lazy("Cần nhập ngày giờ."),
                                               "invalid": gettext_lazy("Ngày giờ không hợp lệ.")})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ConsultationForm(forms.Form):
    agency = forms.TypedChoiceField(label=gettext_lazy("Cơ quan lấy ý kiến"), coerce=int)
    title = forms.CharField(label=gettext_lazy("Tiêu đề"), max_length=MAX_CONSULTATION_TITLE)
    summary = forms.CharField(label=gettext_lazy("Tóm tắt"), max_length=MAX_CONSULTATION_SUMMARY,
                              widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label=gettext_lazy("Nội dung lấy ý kiến"), max_length=MAX_CONSULTATION_BODY,
                           widget=forms.Textarea(attrs={"rows": 10}))
    opens_at = _dt(gettext_lazy("Mở góp ý từ"))
    closes_at = _dt(gettext_lazy("Hết hạn góp ý"))
    commune = forms.ChoiceField(label=gettext_lazy("Chỉ liên quan tới xã, phường (không bắt buộc)"), required=False)
    documents = MultipleFileField(label=gettext_lazy("Tài liệu đính kèm (PDF, DOCX; tối đa 10 tệp, mỗi tệp 20 MB)"),
                                  required=False)

    def __init__(self, *args, agencies=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["commune"].choices = [("", _("— Toàn tỉnh —"))] + [(u.code, u.name) for u in communes]
        for f in self.fields.values():
            f.error_messages.setdefault("required", _("Trường này là bắt buộc."))
            f.error_messages["required"] = _("Trường này là bắt buộc.")


def _communes():
    from django.conf import settings

    from tinhso.geo.models import AdminUnit, Level

    pcode = f"{int(settings.TINHSO_PROVINCE):02d}"
    return AdminUnit.objects.filter(level=Level.COMMUNE, parent__code=pcode, is_active=True).order_by("name")


def _my_agencies(user):
    from tinhso.orgs.models import Agency

    return Agency.objects.filter(pk__in=agency_scope(user=user, roles=sel.IDEA_ROLES), is_active=True).order_by("name")


def _error(form: forms.Form, exc: DomainError) -> None:
    field = exc.details.get("field") if isinstance(exc.details, dict) else None
    form.add_error(field if field in form.fields else None, str(exc.message))


def _consultation(request: HttpRequest, public_id):
    try:
        return sel.consultation_get_for_staff(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404(_("Không tìm thấy đợt lấy ý kiến.")) from None


def _idea(request: HttpRequest, public_id):
    try:
        return sel.idea_get_for_staff(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404(_("Không tìm thấy góp ý.")) from None


@require_safe
@staff_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    status = status if status in ConsultationStatus.values else ""
    q = (request.GET.get("q") or "").strip()[:100]
    qs = sel.staff_consultations(user=request.user, status=status or None, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/ideas/staff/list.html", {
        "page": page, "filters": {"status": status, "q": q}, "statuses": ConsultationStatus.choices,
        "counts": sel.staff_idea_counts(user=request.user),
        "query_string": "&".join(f"{k}={v}" for k, v in (("status", status), ("q", q)) if v),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    agencies = list(_my_agencies(request.user))
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = ConsultationForm(request.POST or None, request.FILES or None, agencies=agencies, communes=_communes(),
                            initial={"opens_at": now, "closes_at": now + timedelta(days=30),
                                     "agency": agencies[0].pk if agencies else None})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            agency = next((a for a in agencies if a.pk == d["agency"]), None)
            try:
                c = svc.consultation_create(actor=request.user, agency=agency, title=d["title"],
                                            summary=d["summary"], body=d["body"], opens_at=d["opens_at"],
                                            closes_at=d["closes_at"], commune=d["commune"] or None,
                                            documents=d["documents"], request=request)
            except DomainError as exc:
                status = exc.status
                _error(form, exc)
            else:
                messages.success(request, _("Đã lưu bản nháp. Kiểm tra lại rồi bấm «Công bố» để mở lấy ý kiến."))
                return redirect("ideas_staff:consultation", public_id=c.public_id)
    return render(request, "feedback/ideas/staff/form.html", {"form": form, "editing": None}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def consultation_edit(request: HttpRequest, public_id) -> HttpResponse:
    c = _consultation(request, public_id)
    if c.status != ConsultationStatus.DRAFT:
        messages.error(request, _("Chỉ sửa được đợt lấy ý kiến khi còn là bản nháp."))
        return redirect("ideas_staff:consultation", public_id=c.public_id)
    agencies = [c.agency]
    initial = {"agency": c.agency_id, "title": c.title, "summary": c.summary, "body": c.body,
               "opens_at": timezone.localtime(c.opens_at), "closes_at": timezone.localtime(c.closes_at),
               "commune": c.commune.code if c.commune_id else ""}
    form = ConsultationForm(request.POST or None, request.FILES or None, agencies=agencies, communes=_communes(),
                            initial=initial)
    documents = list(c.documents.select_related("file").filter(file__deleted_at__isnull=True))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.consultation_update(actor=request.user, consultation=c, title=d["title"], summary=d["summary"],
                                        body=d["body"], opens_at=d["opens_at"], closes_at=d["closes_at"],
                                        commune=d["commune"] or None, documents=d["documents"],
                                        remove_documents=request.POST.getlist("remove_documents"), request=request)
            except DomainError as exc:
                status = exc.status
                _error(form, exc)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("ideas_staff:consultation", public_id=c.public_id)
    return render(request, "feedback/ideas/staff/form.html", {"form": form, "editing": c, "documents": documents},
                  status=status)


@require_safe
@staff_required
def consultation_detail(request: HttpRequest, public_id) -> HttpResponse:
    c = _consultation(request, public_id)
    queue = request.GET.get("queue") or "all"
    queue = queue if queue in sel.STAFF_QUEUES else "all"
    qs = sel.staff_ideas(user=request.user, consultation=c, queue=queue)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/ideas/staff/consultation.html", {
        "c": c, "page": page, "queue": queue, "queues": list(QUEUE_LABELS.items()),
        "actions": sel.consultation_actions(consultation=c, user=request.user),
        "documents": c.documents.select_related("file").filter(file__deleted_at__isnull=True),
        "status_label": ConsultationFlow.state_label(c.status),
        "phase_label": sel.phase_label(sel.phase_of(c.status, c.opens_at, c.closes_at)),
        "query_string": f"queue={queue}",
    })


@require_POST
@staff_required
def consultation_act(request: HttpRequest, public_id, action: str) -> HttpResponse:
    c = _consultation(request, public_id)
    try:
        if action == "publish":
            svc.consultation_publish(actor=request.user, consultation=c, request=request)
            messages.success(request, _("Đã công bố đợt lấy ý kiến."))
        elif action == "close":
            svc.consultation_close(actor=request.user, consultation=c, request=request)
            messages.success(request, _("Đã kết thúc lấy ý kiến."))
        elif action == "summarize":
            svc.consultation_summarize(actor=request.user, consultation=c, summary=request.POST.get("summary", ""),
                                       request=request)
            messages.success(request, _("Đã công bố kết quả tổng hợp ý kiến."))
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        response = redirect("ideas_staff:consultation", public_id=c.public_id)
        response.status_code = 303
        return response
    return redirect("ideas_staff:consultation", public_id=c.public_id)


@require_safe
@staff_required
def idea_queue(request: HttpRequest) -> HttpResponse:
    queue = request.GET.get("queue") or "to_answer"
    queue = queue if queue in sel.STAFF_QUEUES else "to_answer"
    q = (request.GET.get("q") or "").strip()[:100]
    qs = sel.staff_ideas(user=request.user, queue=queue, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = sel.staff_idea_counts(user=request.user)
    return render(request, "feedback/ideas/staff/ideas.html", {
        "page": page, "queue": queue, "q": q,
        "queues": [(k, label, counts[k]) for k, label in QUEUE_LABELS.items()],
        "current_label": QUEUE_LABELS[queue], "query_string": f"queue={queue}" + (f"&q={q}" if q else ""),
    })


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Kết quả xem xét"), widget=forms.RadioSelect, choices=[
        ("evaluate", gettext_lazy("Đang xem xét")), ("accept", gettext_lazy("Tiếp thu")),
        ("reject", gettext_lazy("Không tiếp thu")),
    ], error_messages={"required": gettext_lazy("Cần chọn kết quả xem xét.")})
    answer = forms.CharField(label=gettext_lazy("Nội dung trả lời công khai"), required=False,
                             max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=gettext_lazy("Bắt buộc khi không tiếp thu: nêu rõ lý do."))


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Tình trạng thực hiện"), choices=ImplementationStatus.choices)
    progress = forms.IntegerField(label=gettext_lazy("Tiến độ (%)"), min_value=0, max_value=100,
                                  error_messages={"required": gettext_lazy("Cần nhập tiến độ."),
                                                  "invalid": gettext_lazy("Tiến độ phải là số nguyên từ 0 đến 100."),
                                                  "min_value": gettext_lazy("Tiến độ phải là số nguyên từ 0 đến 100."),
                                                  "max_value": gettext_lazy("Tiến độ phải là số nguyên từ 0 đến 100.")})
    note = forms.CharField(label=gettext_lazy("Nội dung cập nhật"), max_length=MAX_UPDATE_NOTE,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": gettext_lazy("Cần nhập nội dung cập nhật.")})


class HideForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Lý do ẩn (gửi cho người góp ý, lưu nhật ký)"),
                             max_length=MAX_HIDE_REASON, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy("Cần nêu lý do ẩn nội dung.")})


def _idea_page(request, idea, *, answer_form=None, progress_form=None, hide_form=None, status=200):
    actions = sel.idea_actions(idea=idea, user=request.user)
    return render(request, "feedback/ideas/staff/idea.html", {
        "idea": idea, "c": idea.consultation, "actions": actions, "author": sel.author_for_staff(idea=idea),
        "answer_form": answer_form or AnswerForm(initial={"answer": idea.answer}),
        "progress_form": progress_form or ProgressForm(initial={
            "status": idea.implementation_status or ImplementationStatus.IN_PROGRESS, "progress": idea.progress}),
        "hide_form": hide_form or HideForm(), "updates": sel.idea_updates(idea=idea),
        "history": sel.idea_history(idea=idea),
        "can_answer": any(a in actions for a in ("evaluate", "accept", "reject")),
    }, status=status)


@require_safe
@staff_required
def idea_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _idea_page(request, _idea(request, public_id))


def _idea_post(request, public_id, form_cls, key, run) -> HttpResponse:
    idea = _idea(request, public_id)
    form = form_cls(request.POST)
    status = 422
    if form.is_valid():
        try:
            text = run(idea, form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            status = exc.status
            _error(form, exc)
        else:
            messages.success(request, text)
            return redirect("ideas_staff:idea", public_id=idea.public_id)
    idea = _idea(request, public_id)
    return _idea_page(request, idea, status=status, **{key: form})


@require_POST
@staff_required
def idea_answer(request: HttpRequest, public_id) -> HttpResponse:
    def run(idea, d):
        svc.idea_answer(idea=idea, actor=request.user, decision=d["decision"], answer=d["answer"], request=request)
        return _("Đã gửi trả lời. Người góp ý sẽ nhận được thông báo.")

    return _idea_post(request, public_id, AnswerForm, "answer_form", run)


@require_POST
@staff_required
def idea_progress(request: HttpRequest, public_id) -> HttpResponse:
    def run(idea, d):
        svc.idea_progress(idea=idea, actor=request.user, status=d["status"], progress=d["progress"], note=d["note"],
                          request=request)
        return _("Đã cập nhật tiến độ thực hiện.")

    return _idea_post(request, public_id, ProgressForm, "progress_form", run)


@require_POST
@staff_required
def idea_hide(request: HttpRequest, public_id) -> HttpResponse:
    def run(idea, d):
        svc.idea_hide(idea=idea, actor=request.user, reason=d["reason"], request=request)
        return _("Đã ẩn nội dung.")

    return _idea_post(request, public_id, HideForm, "hide_form", run)


@require_POST
@staff_required
def idea_unhide(request: HttpRequest, public_id) -> HttpResponse:
    idea = _idea(request, public_id)
    try:
        svc.idea_unhide(idea=idea, actor=request.user, request=request)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Đã hiển thị lại nội dung."))
    return redirect("ideas_staff:idea", public_id=idea.public_id)
