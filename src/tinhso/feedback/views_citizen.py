"""Citizen pages of field reports: the report form (/phan-anh/gui/, with or without an account),
"Phản ánh của tôi" (/phan-anh/cua-toi/), rating and reopening a resolved report. Thin: the
services validate and write (nothing is stored on error), the selectors check access (another
person's report is a 404)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.core.errors import DomainError, NotFound

from . import forms, selectors, selectors_citizen, services
from .models import MAX_DESCRIPTION, Status
from .photos import MAX_PHOTOS
from .views_public import _communes, _next, attribute_fields, map_config

PAGE_SIZE = 20
WEB_SCOPE = "web"  # idempotency scope of reports sent from this form without an account


def _category(code: str):
    return selectors.public_categories().filter(code=code).first() if code else None


def _render_form(request: HttpRequest, *, data: forms.ReportInput, errors=None, attr_errors=None, general="",
                 nearby=None, checked: bool = False, status: int = 200) -> HttpResponse:
    category = _category(data.category)
    return render(request, "feedback/citizen/report_form.html", {
        "data": data, "errors": errors or {}, "general_error": general, "nearby": nearby or [], "checked": checked,
        "categories": list(selectors.public_categories()), "category": category, "communes": _communes(),
        "attribute_fields": attribute_fields(forms.definitions(category), data.attributes, attr_errors or {}),
        "map": map_config(), "max_photos": MAX_PHOTOS, "max_description": MAX_DESCRIPTION,
        "logged_in": request.user.is_authenticated,
    }, status=status)


def _photos(request: HttpRequest) -> list:
    return [f for f in request.FILES.getlist("photos") if f is not None and f.size]


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """File a report. Logged in: photos, anonymity, name shown or not. Without an account:
    no photos, an optional contact (never shown in public). A one-time key in the form makes a
    double submit or a retry return the same report."""
    if request.method == "GET":
        data = forms.ReportInput(category=(request.GET.get("category") or "")[:60], key=str(uuid.uuid4()))
        return _render_form(request, data=data)
    try:
        post = request.POST
        files = _photos(request)
    except (RequestDataTooBig, TooManyFieldsSent):
        data = forms.ReportInput(key=str(uuid.uuid4()))
        message = _("Nội dung gửi lên quá lớn: mô tả tối đa %(limit)d ký tự, mỗi ảnh tối đa 10 MB.") % {
            "limit": MAX_DESCRIPTION}
        return _render_form(request, data=data, errors={"description": message}, general=message, status=413)
    data = forms.read(post, category=_category((post.get("category") or "").strip()[:60]))
    data.key = data.key or str(uuid.uuid4())
    user = request.user if request.user.is_authenticated else None

    if not (data.latitude and data.longitude) and data.commune:
        point = selectors_citizen.commune_point(commune_code=data.commune)
        if point is not None:
            data.latitude, data.longitude = point
            data.approximate = True
    if files and user is None:
        return _render_form(request, data=data, general=forms.general_message(), status=422, errors={
            "photos": _("Cần đăng nhập để gửi ảnh kèm phản ánh. Bạn vẫn có thể gửi phản ánh không kèm ảnh.")})
    if not (data.latitude and data.longitude):
        message = _("Cần chọn vị trí trên bản đồ, hoặc chọn xã, phường và nhập địa chỉ.")
        if data.commune:
            message = _("Chưa xác định được vị trí trong xã, phường đã chọn: vui lòng chạm vào bản đồ để chọn vị "
                        "trí, hoặc dùng nút «Vị trí của tôi».")
        return _render_form(request, data=data, errors={"location": message}, general=forms.general_message(),
                            status=422)

    existing = selectors_citizen.report_for_key(user=user, scope=WEB_SCOPE, key=data.key)
    if existing is not None:  # a double click or a resent form: one report only
        return redirect("feedback:detail", ref=existing.code)
    # Without JavaScript the nearby reports were not shown while typing: show them once before filing.
    checking = post.get("action") == "check"
    if checking or (post.get("nearby_checked") != "1" and post.get("confirm_new") != "1"):
        try:
            found = services.reports_nearby(category=data.category, latitude=data.latitude, longitude=data.longitude)
        except DomainError as exc:
            if exc.status >= 500:
                raise
            found = []
        if found or checking:
            return _render_form(request, data=data, nearby=found, checked=True, general=_(
                "Vui lòng chọn lại ảnh trước khi gửi.") if files else "")
    try:
        report = services.report_submit(
            reporter=user, contact=data.contact if user is None else None, photos=files,
            idempotency_key=data.key, idempotency_scope=WEB_SCOPE, channel="web", request=request,
            **data.submit_kwargs())
    except DomainError as exc:
        if exc.status >= 500:
            raise
        if exc.code == "idempotency_conflict":
            ref = (exc.details or {}).get("report", "")
            messages.info(request, _("Phản ánh này đã được gửi trước đó."))
            return redirect("feedback:detail", ref=ref)
        errors, attr_errors, message = forms.errors_of(exc)
        if files and "photos" not in errors:
            errors["photos"] = _("Vui lòng chọn lại ảnh trước khi gửi.")
        general = forms.general_message() if (errors or attr_errors) else message
        return _render_form(request, data=data, errors=errors, attr_errors=attr_errors, general=general,
                            status=exc.status if 400 <= exc.status < 500 else 422)
    messages.success(request, _("Đã gửi phản ánh. Mã phản ánh của bạn: %(code)s. Hãy ghi lại mã này để theo dõi.")
                     % {"code": report.code})
    return redirect("feedback:detail", ref=report.code)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The citizen's own reports (also those hidden from the public), newest first."""
    qs = selectors.reports_of_reporter(user=request.user).select_related("rating")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for report in page.object_list:
        actions = selectors.report_actions(report=report, user=request.user) if report.status in (
            Status.RESOLVED, Status.CLOSED) else []
        rows.append({"report": report, "actions": actions})
    return render(request, "feedback/citizen/mine.html", {
        "page": page, "rows": rows, "reopen_days": services.reopen_days(), "scores": range(1, 6)})


def _own(request: HttpRequest, public_id):
    try:
        return selectors.report_get_for_reporter(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404(_("Không tìm thấy phản ánh.")) from None


def _action_error(request: HttpRequest, exc: DomainError, back: str) -> HttpResponse:
    if exc.status >= 500:
        raise exc
    if exc.status == 404:
        raise Http404(str(exc.message))
    return render(request, "feedback/public/action_error.html", {"message": exc.message, "back": back},
                  status=exc.status)


@login_required
@require_POST
def rate(request: HttpRequest, public_id) -> HttpResponse:
    report = _own(request, public_id)
    back = _next(request, reverse("feedback:mine"))
    try:
        score = int(request.POST.get("score") or "")
    except ValueError:
        score = 0
    try:
        services.report_rate(report=report, actor=request.user, score=score,
                             comment=(request.POST.get("comment") or "")[:forms.MAX_FIELD], request=request)
    except DomainError as exc:
        return _action_error(request, exc, back)
    messages.success(request, _("Cảm ơn bạn đã đánh giá kết quả xử lý phản ánh %(code)s.") % {"code": report.code})
    return redirect(back)


@login_required
@require_POST
def reopen(request: HttpRequest, public_id) -> HttpResponse:
    report = _own(request, public_id)
    back = _next(request, reverse("feedback:mine"))
    try:
        services.report_reopen(report=report, actor=request.user,
                               reason=(request.POST.get("reason") or "")[:forms.MAX_FIELD], request=request)
    except DomainError as exc:
        return _action_error(request, exc, back)
    messages.success(request, _("Đã mở lại phản ánh %(code)s: cơ quan xử lý sẽ xem xét lại.") % {"code": report.code})
    return redirect(back)
