"""The officials' field-report workspace (/staff/phan-anh/): queues with counts, filters,
search and bulk assignment; the report page with the actions the official may take now;
internal notes; the agency's answer templates.

Views are thin: reads go through ``tinhso.feedback.selectors`` (scoped by the official's
agencies) or ``selectors_staff`` built on them, writes through ``tinhso.feedback.services``
(``services_staff`` for bulk assignment). A domain error re-renders the page with its
Vietnamese message and the HTTP status of the error (nothing was stored); a Conflict (a
colleague acted first) says so kindly and shows the current state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tinhso.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from tinhso.orgs.selectors import agency_scope

from . import selectors, selectors_staff, services, services_staff
from .machine import ReportFlow
from .models import RefusalReason, Report, Status

PAGE_SIZE = 25
Q_MAX_LENGTH = 100

QUEUES: tuple[tuple[str, Any], ...] = (
    ("to_assign", gettext_lazy("Chờ tiếp nhận, phân công")),
    ("mine", gettext_lazy("Việc của tôi")),
    ("in_progress", gettext_lazy("Đang xử lý")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("escalated", gettext_lazy("Được chuyển lên (giám sát)")),
)
QUEUE_KEYS = tuple(k for k, _label in QUEUES)

# The staff actions of ``selectors.report_actions``, in the order of the flow.
ACTION_LABELS: dict[str, Any] = {
    "assign": gettext_lazy("Tiếp nhận, phân công"),
    "start": gettext_lazy("Bắt đầu xử lý"),
    "answer": gettext_lazy("Trả lời công khai"),
    "resolve": gettext_lazy("Trả lời, hoàn thành"),
    "reassign": gettext_lazy("Chuyển cơ quan khác"),
    "refuse": pgettext_lazy("report action", "Từ chối"),
    "note": gettext_lazy("Ghi chú nội bộ"),
}


def _handler_scope(user) -> frozenset[int]:
    return agency_scope(user=user, roles=selectors.HANDLER_ROLES)


def _verified(request: HttpRequest) -> None:
    # The MFA middleware already stops officials; this also covers a membership held by an
    # account of another kind.
    is_verified = getattr(request.user, "is_verified", None)
    if not (callable(is_verified) and is_verified()):
        raise PermissionDenied(_("Cần xác thực hai lớp trước khi làm việc với phản ánh."))


def staff_required(view: Callable) -> Callable:
    """Logged in, OTP-verified, and holding a report-handling role at some agency."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not _handler_scope(request.user):
            raise PermissionDenied(_("Chỉ cán bộ xử lý phản ánh của một cơ quan mới dùng được trang này."))
        _verified(request)
        return view(request, *args, **kwargs)

    return wrapper


def _get_report(request: HttpRequest, public_id) -> Report:
    """The report if the official sees it; 404 otherwise (existence is not revealed)."""
    try:
        return selectors.report_get_for_staff(user=request.user, public_id=public_id)
    except NotFound:
        raise Http404(_("Không tìm thấy phản ánh.")) from None


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _handler_choices(user) -> list[dict[str, Any]]:
    """Officials of the user's agencies who may be assigned reports (one row per agency)."""
    from tinhso.orgs.models import Agency

    out = []
    for agency in Agency.objects.filter(pk__in=_handler_scope(user)).order_by("name"):
        for official in selectors.handlers_of(agency_id=agency.pk):
            out.append({"user": official, "agency": agency})
    return out


# --- queues ------------------------------------------------------------------------------------


def _queue_filters(request: HttpRequest) -> tuple[dict[str, str], dict[str, Any], str]:
    """The filters of the query string: (values for the form, arguments for the selector, error)."""
    params = request.GET
    error = ""
    values = {
        "q": (params.get("q") or "").strip()[:Q_MAX_LENGTH],
        "category": (params.get("category") or "").strip()[:60],
        "commune": (params.get("commune") or "").strip()[:10],
        "status": (params.get("status") or "").strip(),
        "from": "",
        "to": "",
    }
    if values["status"] not in Status.values:
        values["status"] = ""
    date_from, date_to = _parse_date(params.get("from")), _parse_date(params.get("to"))
    if (params.get("from") and not date_from) or (params.get("to") and not date_to):
        error = _("Ngày lọc không hợp lệ (định dạng năm-tháng-ngày).")
    if date_from and date_to and date_from > date_to:
        error = _("Ngày bắt đầu phải trước ngày kết thúc.")
        date_from = date_to = None
    values["from"] = date_from.isoformat() if date_from else ""
    values["to"] = date_to.isoformat() if date_to else ""
    args = {
        "q": values["q"] or None, "category": values["category"] or None, "commune": values["commune"] or None,
        "status": values["status"] or None,
        "since": _day_start(date_from) if date_from else None,
        "until": _day_start(date_to + dt.timedelta(days=1)) if date_to else None,
    }
    return values, args, error


def _commune_choices() -> list[tuple[str, str]]:
    from tinhso.geo.selectors import commune_choices

    try:
        return commune_choices()
    except NotFound:
        return []


@require_safe
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _handler_scope(user):
        # Superusers and provincial leaders without a handling role see the statistics.
        if selectors_staff.stats_scope(user=user) is None:
            return redirect("feedback_staff:statistics")
        raise PermissionDenied(_("Chỉ cán bộ xử lý phản ánh của một cơ quan mới dùng được trang này."))
    _verified(request)
    counts = selectors.staff_queue_counts(user=user)
    current = request.GET.get("queue") or ""
    if current not in QUEUE_KEYS:
        current = next((k for k in QUEUE_KEYS if counts[k]), QUEUE_KEYS[0])
    values, args, error = _queue_filters(request)
    qs = selectors_staff.queue_reports(user=user, queue=current, **args).select_related("supervisor")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"queue": current, **values}.items() if v}
    tab_query = {k: v for k, v in values.items() if v}
    now = timezone.now()
    context = {
        "queues": [{"key": k, "label": label, "count": counts[k], "active": k == current,
                    "url": "?" + urlencode({"queue": k, **tab_query})} for k, label in QUEUES],
        "current": current,
        "current_label": dict(QUEUES)[current],
        "page": page,
        "now": now,
        "filters": values,
        "filter_error": error,
        "filtered": any(values.values()),
        "query_string": urlencode(query),
        "statuses": [(s.value, s.label) for s in Status],
        "categories": selectors.public_categories().only("code", "name"),
        "communes": _commune_choices(),
        "assignees": _handler_choices(user) if current != "escalated" else [],
        "next_url": request.get_full_path(),
    }
    return render(request, "feedback/staff/queue.html", context, status=400 if error else 200)


@require_POST
@staff_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, reverse("feedback_staff:queue"))
    ids = request.POST.getlist("reports")
    if not ids:
        messages.error(request, _("Hãy chọn ít nhất một phản ánh."))
        return redirect(back)
    if len(ids) > services_staff.BULK_MAX:
        messages.error(request, _("Mỗi lần phân công tối đa %(n)s phản ánh.") % {"n": services_staff.BULK_MAX})
        return redirect(back)
    from tinhso.orgs.selectors import user_by_public_id

    assignee = user_by_public_id(public_id=request.POST.get("assignee") or "")
    if assignee is None or not assignee.is_active:
        messages.error(request, _("Hãy chọn cán bộ được phân công."))
        return redirect(back)
    outcomes = services_staff.reports_assign_bulk(actor=request.user, public_ids=ids, assignee=assignee,
                                                  request=request)
    done = [o for o in outcomes if o.ok]
    if done:
        messages.success(request, _("Đã phân công %(n)s phản ánh cho %(name)s.")
                         % {"n": len(done), "name": assignee.full_name})
    for o in [o for o in outcomes if not o.ok][:10]:
        messages.error(request, _("%(code)s: %(message)s") % {"code": o.code, "message": o.message})
    return redirect(back)


# --- one report --------------------------------------------------------------------------------


def _history(report: Report) -> list[dict[str, Any]]:
    rows = []
    for log in selectors.report_history(report=report):
        data = log.data or {}
        rows.append({
            "at": log.at, "actor": log.actor.full_name if log.actor_id else _("Hệ thống"),
            "action": ReportFlow.transition_label(log.transition),
            "from": ReportFlow.state_label(log.from_state), "to": ReportFlow.state_label(log.to_state),
            "note": log.note, "data": data,
        })
    return rows


def _attribute_rows(report: Report) -> list[tuple[str, str]]:
    """The Open311 attribute values with the category's labels (list keys shown by name)."""
    defs = {d.get("code"): d for d in (report.category.attributes or []) if isinstance(d, dict)}
    rows = []
    for code, value in (report.attributes or {}).items():
        spec = defs.get(code, {})
        names = {v.get("key"): v.get("name") for v in spec.get("values") or []}
        values = value if isinstance(value, list) else [value]
        rows.append((spec.get("description") or code, ", ".join(str(names.get(v, v)) for v in values)))
    return rows


def _context(request: HttpRequest, report: Report, *, error: dict | None = None,
             posted: dict | None = None) -> dict[str, Any]:
    user = request.user
    names = [n for n in selectors.report_actions(report=report, user=user) if n in ACTION_LABELS]
    actions = [n for n in ACTION_LABELS if n in names]
    template_id = (request.GET.get("mau") or "").strip()
    templates = list(selectors.templates_for(user=user, report=report)) if {"answer", "resolve"} & set(names) else []
    chosen = next((t for t in templates if str(t.pk) == template_id), None)
    photos = list(report.photos.filter(file__deleted_at__isnull=True).select_related("file").order_by("order", "id"))
    answers = list(report.answers.select_related("agency", "author", "photo").order_by("created_at", "id"))
    return {
        "report": report,
        "reporter": selectors.reporter_for_staff(report=report),
        "attribute_rows": _attribute_rows(report),
        "is_overdue": report.is_open and report.due_at < timezone.now(),
        "photos": [p.file for p in photos],
        "answers": answers,
        "history": _history(report),
        "notes": list(selectors.report_notes(report=report, user=user)),
        "actions": actions,
        "handlers": list(selectors.handlers_of(agency_id=report.agency_id)) if "assign" in names else [],
        "agencies": list(selectors_staff.reassign_targets(report=report)) if "reassign" in names else [],
        "templates": templates,
        "chosen_template": chosen,
        "refusal_reasons": RefusalReason.choices,
        "duplicates": list(report.duplicates.only("code", "public_id")[:20]),
        "tile_url": getattr(settings, "TINHSO_MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "TINHSO_MAP_TILE_ATTRIBUTION", ""),
        "error": error,
        "posted": posted or {},
    }


@require_safe
@staff_required
def detail(request: HttpRequest, public_id) -> HttpResponse:
    report = _get_report(request, public_id)
    return render(request, "feedback/staff/detail.html", _context(request, report))


def _user_choice(report: Report, raw: str):
    for official in selectors.handlers_of(agency_id=report.agency_id):
        if str(official.public_id) == (raw or "").strip():
            return official
    raise ValidationFailed(_("Hãy chọn cán bộ xử lý thuộc cơ quan đang xử lý phản ánh."), details={"field": "assignee"})


def _agency_choice(report: Report, raw: str):
    for agency in selectors_staff.reassign_targets(report=report):
        if str(agency.public_id) == (raw or "").strip():
            return agency
    raise ValidationFailed(_("Hãy chọn cơ quan nhận phản ánh."), details={"field": "agency"})


def _run(action: str, request: HttpRequest, report: Report) -> str:
    """Call the one service of ``action``; returns the success message."""
    post, user = request.POST, request.user
    text = (post.get("body") or "").strip()
    if action == "assign":
        assignee = _user_choice(report, post.get("assignee"))
        services.report_assign(report=report, actor=user, assignee=assignee, note=post.get("note", ""), request=request)
        return _("Đã phân công cho %(name)s.") % {"name": assignee.full_name}
    if action == "start":
        services.report_start(report=report, actor=user, note=post.get("note", ""), request=request)
        return _("Đã chuyển sang đang xử lý.")
    if action == "answer":
        services.report_answer(report=report, actor=user, body=text, photo=request.FILES.get("photo"), request=request)
        return _("Đã đăng trả lời công khai.")
    if action == "resolve":
        services.report_resolve(report=report, actor=user, answer=text, photo=request.FILES.get("photo"),
                                request=request)
        return _("Đã hoàn thành xử lý phản ánh; người phản ánh đã được thông báo.")
    if action == "reassign":
        agency = _agency_choice(report, post.get("agency"))
        services.report_reassign(report=report, actor=user, agency=agency, reason=post.get("reason", ""),
                                 request=request)
        return _("Đã chuyển phản ánh tới %(agency)s.") % {"agency": agency.name}
    if action == "refuse":
        reason = (post.get("reason") or "").strip()
        original = None
        code = (post.get("duplicate_code") or "").strip()
        if reason == RefusalReason.DUPLICATE and code:
            original = selectors_staff.duplicate_original(user=user, code=code)
            if original is None:
                raise ValidationFailed(_("Không tìm thấy phản ánh gốc có mã %(code)s.") % {"code": code[:24]},
                                       details={"field": "duplicate_code"})
        services.report_refuse(report=report, actor=user, reason=reason, note=post.get("note", ""),
                               duplicate_of=original, request=request)
        return _("Đã từ chối phản ánh.")
    services.report_add_note(report=report, actor=user, body=text, request=request)
    return _("Đã thêm ghi chú nội bộ.")


@require_POST
@staff_required
def act(request: HttpRequest, public_id, action: str) -> HttpResponse:
    report = _get_report(request, public_id)
    if action not in ACTION_LABELS:
        raise Http404
    url = reverse("feedback_staff:detail", args=[report.public_id])
    try:
        message = _run(action, request, report)
    except DomainError as exc:
        # Show the page again with what was typed, the current state and the error's status.
        fresh = _get_report(request, public_id)
        if isinstance(exc, Conflict):
            text = _("Phản ánh vừa được cán bộ khác cập nhật hoặc đã chuyển trạng thái (%(detail)s). "
                     "Trang dưới đây là trạng thái mới nhất; vui lòng xem lại trước khi thao tác tiếp.") % {
                "detail": exc.message}
        else:
            text = str(exc.message)
        field = (exc.details or {}).get("field", "") if isinstance(exc.details, dict) else ""
        posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        context = _context(request, fresh, error={"action": action, "label": ACTION_LABELS[action], "message": text, "field": field}, posted=posted)
        return render(request, "feedback/staff/detail.html", context, status=exc.status)
    messages.success(request, message)
    if action in ("reassign", "refuse") and not _still_visible(request, report.public_id):
        # Sent to another agency (or out of the queues): the official may no longer open it.
        return redirect(reverse("feedback_staff:queue"))
    return redirect(url)


def _still_visible(request: HttpRequest, public_id) -> bool:
    try:
        _get_report(request, public_id)
    except Http404:
        return False
    return True


@require_safe
@staff_required
def duplicate_search(request: HttpRequest, public_id) -> HttpResponse:
    """Candidates for "duplicate of" by code (an htmx fragment; also a plain page)."""
    report = _get_report(request, public_id)
    code = (request.GET.get("duplicate_code") or request.GET.get("code") or "").strip()[:24]
    context = {"report": report, "code": code,
               "candidates": selectors_staff.duplicate_candidates(user=request.user, code=code, exclude=report)}
    return render(request, "feedback/staff/_duplicates.html", context)


# --- answer templates --------------------------------------------------------------------------


def templates_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not selectors_staff.template_agencies(user=request.user).exists():
            raise PermissionDenied(_("Chỉ cán bộ xử lý phản ánh hoặc lãnh đạo cơ quan mới quản lý được mẫu trả lời."))
        _verified(request)
        return view(request, *args, **kwargs)

    return wrapper


def _template_form_context(request: HttpRequest, template=None, *, error: str = "", field: str = "",
                           posted: dict | None = None) -> dict[str, Any]:
    values = posted if posted is not None else (
        {"title": template.title, "body": template.body, "category": template.category.code if template.category else "",
         "agency": str(template.agency.public_id), "is_active": "1" if template.is_active else ""}
        if template else {"is_active": "1"})
    return {"template": template, "values": values, "error": error, "field": field,
            "agencies": selectors_staff.template_agencies(user=request.user),
            "categories": selectors.public_categories().only("code", "name")}


def _template_fields(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    category = None
    code = (post.get("category") or "").strip()
    if code:
        category = selectors.category_get(code=code)  # NotFound → a 404-class error below
    return {"title": post.get("title", ""), "body": post.get("body", ""), "category": category}


@require_safe
@templates_required
def templates_list(request: HttpRequest) -> HttpResponse:
    rows = selectors_staff.managed_templates(user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "feedback/staff/templates.html", {"page": page, "query_string": ""})


@require_http_methods(["GET", "HEAD", "POST"])
@templates_required
def template_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "feedback/staff/template_form.html", _template_form_context(request))
    posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    agency = next((a for a in selectors_staff.template_agencies(user=request.user)
                   if str(a.public_id) == (request.POST.get("agency") or "").strip()), None)
    try:
        if agency is None:
            raise ValidationFailed(_("Hãy chọn cơ quan của mẫu trả lời."), details={"field": "agency"})
        services.response_template_create(actor=request.user, agency=agency, request=request,
                                          **_template_fields(request))
    except DomainError as exc:
        field = exc.details.get("field", "") if isinstance(exc.details, dict) else ""
        context = _template_form_context(request, error=str(exc.message), field=field, posted=posted)
        return render(request, "feedback/staff/template_form.html", context, status=exc.status)
    messages.success(request, _("Đã tạo mẫu trả lời."))
    return redirect("feedback_staff:templates")


def _managed_template(request: HttpRequest, pk):
    template = selectors_staff.managed_template_get(user=request.user, pk=pk)
    if template is None:
        raise Http404(_("Không tìm thấy mẫu trả lời."))
    return template


@require_http_methods(["GET", "HEAD", "POST"])
@templates_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = _managed_template(request, pk)
    if request.method != "POST":
        return render(request, "feedback/staff/template_form.html", _template_form_context(request, template))
    posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        services.response_template_update(actor=request.user, template=template, request=request,
                                          is_active=bool(request.POST.get("is_active")), **_template_fields(request))
    except DomainError as exc:
        field = exc.details.get("field", "") if isinstance(exc.details, dict) else ""
        context = _template_form_context(request, template, error=str(exc.message), field=field, posted=posted)
        return render(request, "feedback/staff/template_form.html", context, status=exc.status)
    messages.success(request, _("Đã lưu mẫu trả lời."))
    return redirect("feedback_staff:templates")


@require_POST
@templates_required
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = _managed_template(request, pk)
    try:
        services.response_template_delete(actor=request.user, template=template, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Đã xóa mẫu trả lời «%(title)s».") % {"title": template.title})
    return redirect("feedback_staff:templates")
