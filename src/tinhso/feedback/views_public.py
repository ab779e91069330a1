"""Public pages of field reports (/phan-anh/): the map and list with filters, the map's JSON
points, a report's page (public timeline, answers, photos, supports), the public photo view,
"Ủng hộ" (support) and the htmx fragments of the report form (nearby reports, attributes).

Pages only read through the public selectors (dataclasses without personal data) and write
through the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tinhso.core.errors import DomainError, NotFound, ValidationFailed

from . import forms, location, selectors, selectors_citizen, services
from .machine import ReportFlow
from .models import OPEN, Status

PAGE_SIZE = 20
MAP_LIMIT = 500
STATUS_FILTERS = ("open", *Status.values)


def _categories():
    return list(selectors.public_categories().only("code", "name", "group"))


def _communes() -> list[tuple[str, str]]:
    from tinhso.geo.selectors import commune_choices

    try:
        return commune_choices()
    except NotFound:
        return []


def status_choices() -> list[tuple[str, str]]:
    return [("open", _("Chưa xử lý xong")), *((s, ReportFlow.state_label(s)) for s in Status.values)]


def _filters(request: HttpRequest) -> dict:
    """The list and map filters from the query string; unknown values are ignored (a bookmark
    with an outdated category still shows a page)."""
    get = request.GET
    category = (get.get("category") or "").strip()[:60]
    commune = (get.get("commune") or "").strip()[:20]
    status = (get.get("status") or "").strip()[:20]
    period = (get.get("period") or "").strip()[:5]
    q = (get.get("q") or "").strip()[:100]
    return {
        "category": category, "commune": commune, "status": status if status in STATUS_FILTERS else "",
        "period": period if period in selectors_citizen.PERIODS else "", "q": q,
    }


def _query(filters: dict) -> str:
    return urlencode({k: v for k, v in filters.items() if v})


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page") or 1), 10_000))
    except ValueError:
        return 1


def map_config(*, points_url: str = "") -> dict:
    """What the map script needs, as data-* attributes (no inline script: strict CSP)."""
    box = location.province_bbox()
    return {
        "bbox": f"{box.south},{box.west},{box.north},{box.east}",
        "tile_url": getattr(settings, "TINHSO_MAP_TILE_URL", "") or "",
        "tile_attribution": getattr(settings, "TINHSO_MAP_TILE_ATTRIBUTION", "") or "",
        "points_url": points_url,
    }


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page_number = _page_number(request)
    page = selectors.public_reports(
        category=filters["category"] or None, commune=filters["commune"] or None, status=filters["status"] or None,
        since=selectors_citizen.period_since(filters["period"]), q=filters["q"] or None, page=page_number,
        page_size=PAGE_SIZE,
    )
    if page.items == [] and page_number > page.pages:
        page = selectors.public_reports(
            category=filters["category"] or None, commune=filters["commune"] or None,
            status=filters["status"] or None, since=selectors_citizen.period_since(filters["period"]),
            q=filters["q"] or None, page=page.pages, page_size=PAGE_SIZE)
    query = _query(filters)
    return render(request, "feedback/public/index.html", {
        "page": page, "filters": filters, "query": query, "categories": _categories(), "communes": _communes(),
        "statuses": status_choices(), "periods": [(k, v[1]) for k, v in selectors_citizen.PERIODS.items()],
        "map": map_config(points_url=reverse("feedback:map_points")), "filtered": any(filters.values()),
    })


def _bad_request(message: str, code: str = "bad_request") -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=400,
                        json_dumps_params={"ensure_ascii": False})


@require_GET
def map_points(request: HttpRequest) -> JsonResponse:
    """Points of the map inside ``bbox=south,west,north,east`` (same filters as the list):
    ``{"points": [[lat, long, code, status, category], …], "count", "truncated", "statuses",
    "categories"}``. Compact rows, no personal data; at most 500 points (the newest)."""
    raw = request.GET.get("bbox", "")
    if not raw:
        return _bad_request(_("Thiếu tham số bbox (nam,tây,bắc,đông)."), "invalid_bbox")
    try:
        box = location.BBox.parse(raw[:200])
    except ValidationFailed as exc:
        return _bad_request(str(exc.message), exc.code)
    filters = _filters(request)
    raw_status = (request.GET.get("status") or "").strip()
    if raw_status and raw_status not in STATUS_FILTERS:
        return _bad_request(_("Trạng thái không hợp lệ."), "invalid_status")
    try:
        rows = selectors.reports_in_viewport(
            bbox=box, category=filters["category"] or None, status=filters["status"] or None,
            since=selectors_citizen.period_since(filters["period"]), limit=MAP_LIMIT + 1)
    except ValidationFailed as exc:
        return _bad_request(str(exc.message), exc.code)
    truncated = len(rows) > MAP_LIMIT
    rows = rows[:MAP_LIMIT]
    categories = dict(selectors.public_categories().values_list("code", "name"))
    used = {r.category_code for r in rows}
    response = JsonResponse({
        "count": len(rows), "truncated": truncated,
        "points": [[r.latitude, r.longitude, r.code, r.status, r.category_code] for r in rows],
        "statuses": {s: str(ReportFlow.state_label(s)) for s in Status.values},
        "categories": {c: n for c, n in categories.items() if c in used},
    }, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "public, max-age=60"
    return response


def _detail(ref: str):
    ref = (ref or "").strip()
    if len(ref) == 36 and ref.count("-") == 4:
        return selectors.public_report_get(public_id=ref)
    return selectors.public_report_get(code=ref)


@require_GET
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        detail = _detail(ref)
    except NotFound:
        return _own_hidden_report(request, ref)
    report = detail.report
    own = None
    actions: list[str] = []
    if request.user.is_authenticated:
        try:
            own = selectors.report_get_for_reporter(user=request.user, public_id=report.public_id)
        except NotFound:
            own = None
        row = own or selectors_citizen.public_report_row(public_id=report.public_id)
        actions = selectors.report_actions(report=row, user=request.user)
    return render(request, "feedback/public/detail.html", {
        "detail": detail, "report": report, "own": own, "actions": actions, "timeline": timeline(detail),
        "supported": selectors_citizen.has_supported(report_public_id=report.public_id, user=request.user),
        "is_open": report.status in OPEN,
        "reopen_days": services.reopen_days(),
    })


def timeline(detail) -> list[dict]:
    """Status changes and public answers, oldest first (no actor, no internal note)."""
    items = [{"at": h["at"], "kind": "status", "status": h["status"], "label": h["label"]} for h in detail.history]
    items += [{"at": a.created_at, "kind": "answer", "answer": a} for a in detail.answers]
    return sorted(items, key=lambda i: (i["at"], i["kind"] == "answer"))


def _own_hidden_report(request: HttpRequest, ref: str) -> HttpResponse:
    """A report hidden from the public (refused as spam) stays visible to its reporter."""
    if request.user.is_authenticated:
        try:
            own = selectors.report_get_for_reporter(user=request.user, public_id=ref)
        except NotFound:
            own = None
        if own is not None:
            return render(request, "feedback/citizen/hidden.html", {"own": own})
    raise Http404(_("Không tìm thấy phản ánh."))


@require_GET
def photo(request: HttpRequest, public_id, file_id) -> FileResponse:
    """A photo of a public report (the reporter's or an answer's) for anyone: only files linked
    to that public report (``selectors.public_report_photo``); never a listing, never another file."""
    try:
        file = selectors.public_report_photo(report_public_id=public_id, file_public_id=file_id)
    except NotFound:
        raise Http404(_("Không tìm thấy ảnh.")) from None
    if file.content_type not in ("image/jpeg", "image/png"):
        raise Http404(_("Không tìm thấy ảnh."))
    try:
        handle = default_storage.open(file.storage_name, "rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy ảnh.")) from None
    response = FileResponse(handle, content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def support(request: HttpRequest, public_id) -> HttpResponse:
    """"Ủng hộ": a logged-in citizen joins an open report (once; not their own)."""
    try:
        row = selectors_citizen.public_report_row(public_id=public_id)
    except NotFound:
        raise Http404(_("Không tìm thấy phản ánh.")) from None
    target = _next(request, reverse("feedback:detail", kwargs={"ref": row.code}))
    try:
        services.report_support(report=row, user=request.user, request=request)
    except DomainError as exc:
        if exc.status >= 500:
            raise
        return render(request, "feedback/public/action_error.html", {"message": exc.message, "back": target},
                      status=exc.status)
    messages.success(request, _("Cảm ơn bạn đã ủng hộ phản ánh %(code)s.") % {"code": row.code})
    return redirect(target)


# --- fragments of the report form (htmx) --------------------------------------------------------


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """Open reports of the same category within 200 m of the chosen point ("Đã có phản ánh
    này?"); empty when the category or the point is missing or invalid."""
    items, checked = [], False
    category = (request.GET.get("category") or "").strip()[:60]
    lat, lon = (request.GET.get("lat") or "").strip()[:30], (request.GET.get("long") or "").strip()[:30]
    if category and lat and lon:
        try:
            items = services.reports_nearby(category=category, latitude=lat, longitude=lon)
            checked = True
        except DomainError:
            items = []
    return render(request, "feedback/public/_nearby.html", {"nearby": items, "checked": checked})


@require_GET
def attributes(request: HttpRequest) -> HttpResponse:
    """The extra questions of a category (its Open311 attribute definitions)."""
    code = (request.GET.get("category") or "").strip()[:60]
    category = selectors.public_categories().filter(code=code).first() if code else None
    return render(request, "feedback/public/_attributes.html", {
        "attribute_fields": attribute_fields(forms.definitions(category), {}, {}), "category": category})


def attribute_fields(defs: list[dict], values: dict, errors: dict) -> list[dict]:
    out = []
    for d in defs:
        value = values.get(d["code"], [] if d["datatype"] == "multivaluelist" else "")
        if d["datatype"] == "datetime" and value:
            value = str(value)[:16]
        out.append({**d, "name": forms.ATTR_PREFIX + d["code"], "value": value,
                    "error": errors.get(d["code"], "")})
    return out
