"""Public pages of comments and ideas (góp ý, hiến kế) at /gop-y/: the list of consultations,
a consultation with its ideas (and the form to post one), an idea with the agency's answer and
the implementation timeline. Reads through ``selectors_ideas`` (dataclasses without personal
data), writes through ``services_ideas``; domain errors become messages with their status.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from tinhso.core.errors import DomainError, NotFound, ValidationFailed

from . import selectors_ideas as sel
from . import services_ideas as svc
from .models_ideas import (
    MAX_IDEA_BODY,
    MAX_IDEA_TITLE,
    Consultation,
    ConsultationStatus,
    Idea,
    IdeaStatus,
)

PAGE_SIZE = 10
Q_MAX = 100


class IdeaForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Tiêu đề"), max_length=MAX_IDEA_TITLE,
                            error_messages={"required": gettext_lazy("Cần nhập tiêu đề góp ý.")})
    body = forms.CharField(label=gettext_lazy("Nội dung góp ý"), widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=MAX_IDEA_BODY,
                           error_messages={"required": gettext_lazy("Cần nhập nội dung góp ý.")})
    image = forms.FileField(label=gettext_lazy("Ảnh minh họa (không bắt buộc, JPEG/PNG, tối đa 5 MB)"),
                            required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
    show_name = forms.BooleanField(label=gettext_lazy("Hiển thị họ tên của tôi cùng góp ý"), required=False,
                                   initial=True)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


def _fresh_form() -> IdeaForm:
    return IdeaForm(initial={"key": uuid.uuid4().hex, "show_name": True})


def _query(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


@require_safe
def consultation_list(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:Q_MAX]
    agency = (request.GET.get("agency") or "").strip()[:12]
    status = (request.GET.get("status") or "").strip()[:20]
    agency = agency if agency.isdigit() else ""
    status = status if status in sel.PUBLIC_CONSULTATION_STATUSES else ""
    try:
        page = sel.public_consultations(q=q, agency=agency or None, status=status or None,
                                        page=request.GET.get("page") or 1, page_size=PAGE_SIZE)
    except ValidationFailed:
        page = sel.public_consultations(page_size=PAGE_SIZE)
    filters = {"q": q, "agency": agency, "status": status}
    return render(request, "feedback/ideas/list.html", {
        "page": page, "filters": filters, "query_string": _query(filters),
        "agencies": sel.public_agencies_with_consultations(),
        "statuses": [(s, ConsultationStatus(s).label) for s in sel.PUBLIC_CONSULTATION_STATUSES],
    })


def _consultation_context(request: HttpRequest, public_id, form: IdeaForm | None = None) -> dict:
    try:
        detail = sel.public_consultation_get(public_id=public_id)
    except NotFound:
        raise Http404(_("Không tìm thấy đợt lấy ý kiến.")) from None
    sort = request.GET.get("sort") or "supported"
    sort = sort if sort in sel.IDEA_SORTS else "supported"
    ideas = sel.public_ideas(consultation_public_id=public_id, sort=sort, page=request.GET.get("page") or 1,
                             page_size=PAGE_SIZE)
    ids = [i.public_id for i in ideas.items]
    user = request.user
    return {
        "detail": detail, "c": detail.consultation, "ideas": ideas, "sort": sort,
        "query_string": _query({"sort": sort}),
        "supported": sel.supported_by(user=user, idea_ids=ids), "mine": sel.own_ideas(user=user, idea_ids=ids),
        "can_participate": sel.can_participate(user),
        "form": form or (_fresh_form() if detail.consultation.accepting else None),
        "status_labels": [(s.label, detail.status_counts.get(s.value, 0)) for s in IdeaStatus
                          if s != IdeaStatus.WITHDRAWN],
    }


@require_safe
def consultation_detail(request: HttpRequest, public_id) -> HttpResponse:
    return render(request, "feedback/ideas/consultation.html", _consultation_context(request, public_id))


@require_POST
def idea_post(request: HttpRequest, public_id) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("ideas:consultation", args=[public_id]))
    consultation = Consultation.objects.filter(public_id=public_id).exclude(status=ConsultationStatus.DRAFT).first()
    if consultation is None:
        raise Http404(_("Không tìm thấy đợt lấy ý kiến."))
    form = IdeaForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        d = form.cleaned_data
        try:
            idea = svc.idea_post(author=request.user, consultation=consultation, title=d["title"], body=d["body"],
                                 image=d.get("image") or None, show_name=d["show_name"],
                                 idempotency_key=d.get("key") or None, request=request)
        except DomainError as exc:
            status = exc.status
            field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Cảm ơn bạn đã góp ý. Cơ quan sẽ xem xét và trả lời công khai."))
            return redirect("ideas:idea", public_id=idea.public_id)
    ctx = _consultation_context(request, public_id, form=form)
    return render(request, "feedback/ideas/consultation.html", ctx, status=status)


@require_safe
def idea_detail(request: HttpRequest, public_id) -> HttpResponse:
    try:
        detail = sel.public_idea_get(public_id=public_id)
    except NotFound:
        raise Http404(_("Không tìm thấy góp ý.")) from None
    user = request.user
    ids = [detail.idea.public_id]
    return render(request, "feedback/ideas/idea.html", {
        "detail": detail, "idea": detail.idea, "c": detail.consultation,
        "supported": sel.supported_by(user=user, idea_ids=ids), "mine": sel.own_ideas(user=user, idea_ids=ids),
        "can_participate": sel.can_participate(user),
    })


def _idea_or_404(public_id) -> Idea:
    idea = Idea.objects.filter(public_id=public_id).first()
    if idea is None:
        raise Http404(_("Không tìm thấy góp ý."))
    return idea


def _back(request: HttpRequest, idea: Idea) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("ideas:idea", args=[idea.public_id])


@require_POST
def idea_support(request: HttpRequest, public_id) -> HttpResponse:
    idea = _idea_or_404(public_id)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("ideas:idea", args=[public_id]))
    action = request.POST.get("action")
    status = 200
    try:
        if action == "unsupport":
            svc.idea_unsupport(idea=idea, user=request.user, request=request)
            text = _("Bạn đã rút ủng hộ.")
        else:
            svc.idea_support(idea=idea, user=request.user, request=request)
            text = _("Cảm ơn bạn đã ủng hộ góp ý này.")
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404(str(exc.message)) from None
        status, text = exc.status, str(exc.message)
    if request.htmx:
        supported = sel.supported_by(user=request.user, idea_ids=[idea.public_id])
        idea.refresh_from_db(fields=["support_count"])
        return render(request, "feedback/ideas/_support.html", {
            "i": idea, "supported": supported, "mine": sel.own_ideas(user=request.user, idea_ids=[idea.public_id]),
            "can_participate": sel.can_participate(request.user),
            "accepting": idea.consultation.accepting_ideas(), "support_message": text,
            "next": request.POST.get("next", ""),
        }, status=200 if status == 200 else status)
    if status == 200:
        messages.success(request, text)
    else:
        messages.error(request, text)
    response = redirect(_back(request, idea))
    if status != 200:
        response.status_code = 303
    return response


@require_POST
def idea_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    idea = _idea_or_404(public_id)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("ideas:idea", args=[public_id]))
    try:
        svc.idea_withdraw(idea=idea, actor=request.user, request=request)
    except NotFound:
        raise Http404(_("Không tìm thấy góp ý.")) from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("ideas:idea", public_id=idea.public_id)
    messages.success(request, _("Bạn đã rút góp ý."))
    return redirect("ideas:consultation", public_id=idea.consultation.public_id)


def _serve(file, *, inline: bool) -> FileResponse:
    from tinhso.files.views import content_disposition

    try:
        handle = default_storage.open(file.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = content_disposition("inline" if inline else "attachment", file.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox" if not inline else "sandbox"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def document(request: HttpRequest, public_id, file_id) -> HttpResponse:
    """A document of a published consultation (public: anyone may read the draft text)."""
    try:
        f = sel.public_file(consultation_public_id=public_id, file_public_id=file_id)
    except NotFound:
        raise Http404(_("Không tìm thấy tệp.")) from None
    return _serve(f, inline=f.kind == "pdf" and request.GET.get("inline") == "1")


@require_safe
def idea_image(request: HttpRequest, public_id, file_id) -> HttpResponse:
    try:
        f = sel.public_file(idea_public_id=public_id, file_public_id=file_id)
    except NotFound:
        raise Http404(_("Không tìm thấy tệp.")) from None
    return _serve(f, inline=True)
