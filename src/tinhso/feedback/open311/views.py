"""Open311 GeoReport v2 over the field-report core (docs/open311.md).

Categories are *services*, reports are *service requests*. Reads go through the core's public
selectors (``public_categories``, ``category_get``, ``public_reports``, ``public_report_get``,
``public_report_photo``) and :mod:`.selectors` (public updates), so no personal data can reach
a response; the only write is ``services.report_submit``. Every endpoint answers in the format
of its extension (``.json`` / ``.xml``); errors use the spec's shape and codes (404 unknown,
403 bad ``api_key``, 400 otherwise).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from tinhso.core.errors import DomainError, NotFound

from .. import selectors as core
from . import auth
from .formats import FORMATS, error, iso, render
from .selectors import public_updates
from .services import request_submit as submit_request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00+07:00"  # date of the last change of this API's documents
DEFAULT_WINDOW = timedelta(days=90)
MAX_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
CORE_PAGE = core.MAX_PAGE_SIZE  # public_reports returns at most this many rows per call
MAX_IDS = 1000
MAX_CODES = 50  # report codes (PA-…) in a service_request_id list are looked up one by one

DATATYPE_DESCRIPTIONS = {
    "string": _lazy("Một dòng chữ (tối đa 255 ký tự)."),
    "number": _lazy("Một số (dấu chấm thập phân)."),
    "datetime": _lazy("Ngày giờ ISO 8601 có múi giờ, ví dụ 2026-01-31T08:30:00+07:00."),
    "text": _lazy("Đoạn văn (tối đa 4000 ký tự)."),
    "singlevaluelist": _lazy("Chọn một giá trị (key) trong danh sách values."),
    "multivaluelist": _lazy("Chọn một hoặc nhiều giá trị (key) trong danh sách values: attribute[CODE][]=…"),
}


class BadRequest(Exception):
    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


# --- helpers -----------------------------------------------------------------------------------


def _param(request: HttpRequest, name: str, source=None) -> str | None:
    """A query/form parameter; absent, empty and the literal "null" are the same (spec)."""
    value = (source if source is not None else request.GET).get(name)
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "null") else value


def _parse_datetime(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    text = value.strip()
    # An unencoded "+07:00" in a query string arrives as " 07:00".
    if len(text) > 6 and text[-6] == " " and text[-3] == ":":
        text = text[:-6] + "+" + text[-5:]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadRequest(_("%(name)s không hợp lệ: cần ngày giờ ISO 8601 có múi giờ, ví dụ "
                           "2026-01-31T08:30:00+07:00.") % {"name": name})
    return moment


def _positive_int(value: str | None, name: str, *, default: int, maximum: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= maximum:
        raise BadRequest(_("%(name)s phải là số nguyên từ 1 đến %(max)d.") % {"name": name, "max": maximum})
    return number


def _domain_error(exc: DomainError, fmt: str) -> HttpResponse:
    status = exc.status if exc.status in (403, 404) else 400
    description = str(exc.message)
    fields = (exc.details or {}).get("fields") if isinstance(exc.details, dict) else None
    if isinstance(fields, dict) and fields:
        # One error a client can show as is: the summary, then each attribute's problem.
        description += " " + " ".join(f"attribute[{code}]: {message}" for code, message in fields.items())
    return error(status, description, fmt)


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _media(request: HttpRequest, report_id, photo_id, fallback: str) -> str | None:
    if photo_id:
        return _absolute(request, reverse("open311:media", args=[str(report_id), str(photo_id)]))
    return fallback or None


def _service(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def _attribute(defn: dict) -> dict:
    return {
        "variable": defn["variable"],
        "code": defn["code"],
        "datatype": defn["datatype"],
        "required": defn["required"],
        "datatype_description": str(DATATYPE_DESCRIPTIONS.get(defn["datatype"], "")),
        "order": defn["order"],
        "description": defn["description"],
        "values": [{"key": v["key"], "name": v["name"]} for v in defn.get("values") or []],
    }


def _request_row(request: HttpRequest, r) -> dict:
    """A service request from a ``PublicReport`` (public data only)."""
    return {
        "service_request_id": str(r.public_id),
        "status": r.open311_status,
        "status_notes": r.status_notes or None,
        "service_name": r.category_name,
        "service_code": r.category_code,
        "description": r.description,
        "agency_responsible": r.agency_name,
        "service_notice": None,
        "requested_datetime": iso(r.submitted_at),
        "updated_datetime": iso(r.updated_at),
        "expected_datetime": iso(r.due_at),
        "address": r.address or None,
        "address_id": r.commune_code or None,
        "zipcode": None,
        "lat": r.latitude,
        "long": r.longitude,
        "media_url": _media(request, r.public_id, r.photo_id, r.media_url),
    }


def _format_or_404(fmt: str) -> HttpResponse | None:
    if fmt not in FORMATS:
        return error(404, _("Định dạng «%(fmt)s» không được hỗ trợ: dùng .json hoặc .xml.") % {"fmt": fmt[:20]},
                     "json")
    return None


def _method_not_allowed(fmt: str) -> HttpResponse:
    response = error(405, _("Phương thức không được hỗ trợ."), fmt)
    return response


def _endpoint(methods=("GET",)):
    """Checks the extension and the method, maps BadRequest and domain errors to the spec's
    error body."""

    def wrap(view):
        def inner(request: HttpRequest, *args, fmt: str, **kwargs):
            bad = _format_or_404(fmt)
            if bad is not None:
                return bad
            if request.method not in methods and not (request.method == "HEAD" and "GET" in methods):
                response = _method_not_allowed(fmt)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except BadRequest as exc:
                return error(exc.status, exc.description, fmt)
            except DomainError as exc:
                return _domain_error(exc, fmt)

        inner.__name__ = view.__name__
        inner.__doc__ = view.__doc__
        return inner

    return wrap


# --- discovery and services --------------------------------------------------------------------


@_endpoint()
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """The discovery document: where the API is, which specification and formats."""
    from django.conf import settings

    base = _absolute(request, reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("%(site)s — liên hệ quản trị hệ thống qua trang %(url)s")
        % {"site": settings.TINHSO_SITE_NAME, "url": _absolute(request, "/")},
        "key_service": _("Mã api_key là mã truy cập API có phạm vi «open311», do quản trị hệ thống cấp "
                         "(lệnh tinhso api_token create … --scope open311)."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base,
            "changeset": CHANGESET,
            "type": "production" if getattr(settings, "PRODUCTION", False) else "test",
            "formats": ["application/json", "text/xml"],
        }],
    }
    return render(data, fmt, root="discovery")


@_endpoint()
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """``GET services``: active categories."""
    return render([_service(c) for c in core.public_categories()], fmt, root="services")


@_endpoint()
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """``GET services/{code}``: the attributes a request of this service may carry."""
    try:
        category = core.category_get(code=code)
    except NotFound:
        return error(404, _("Không tìm thấy dịch vụ (service_code) «%(code)s».") % {"code": code[:60]}, fmt)
    data = {"service_code": category.code, "attributes": [_attribute(d) for d in category.attributes or []]}
    return render(data, fmt, root="service_definition")


# --- service requests --------------------------------------------------------------------------


@csrf_exempt
@_endpoint(methods=("GET", "POST"))
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """``GET requests`` (search) and ``POST requests`` (create, needs ``api_key``)."""
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


def _attributes(post) -> dict:
    """``attribute[CODE]=v`` (repeated: several values) and ``attribute[CODE][]=v``."""
    values: dict = {}
    for key in post:
        if not key.startswith("attribute[") or "]" not in key:
            continue
        code = key[len("attribute["):key.index("]")]
        rest = key[key.index("]") + 1:]
        items = [v.strip() for v in post.getlist(key) if v.strip()]
        if rest == "[]":
            values.setdefault(code, [])
            if isinstance(values[code], list):
                values[code] += items
        elif rest == "":
            if items:
                values[code] = items[0] if len(items) == 1 else items
        else:
            raise BadRequest(_("Tham số «%(key)s» không hợp lệ.") % {"key": key[:80]})
    return values


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    post = request.POST
    client = auth.api_client(request, _param(request, "api_key", post) or _param(request, "api_key"))
    if client is None:
        return error(403, _("api_key không hợp lệ, đã hết hạn hoặc không có phạm vi «open311»."), fmt)
    service_code = _param(request, "service_code", post)
    if service_code is None:
        raise BadRequest(_("Thiếu service_code (mã dịch vụ)."))
    lat, lon = _param(request, "lat", post), _param(request, "long", post)
    if lat is None or lon is None:
        if (lat is None) != (lon is None):
            raise BadRequest(_("Cần gửi cả lat và long."))
        if _param(request, "address_string", post) or _param(request, "address_id", post):
            raise BadRequest(_("Cần gửi tọa độ lat và long: hệ thống chưa xác định được vị trí chỉ từ "
                               "address_string hoặc address_id."))
        raise BadRequest(_("Cần gửi vị trí: lat và long (WGS 84)."))
    first, last = _param(request, "first_name", post) or "", _param(request, "last_name", post) or ""
    contact = {
        "name": " ".join(p for p in (last, first) if p),  # Vietnamese order: family name first
        "phone": _param(request, "phone", post) or "",
        "email": _param(request, "email", post) or "",
    }
    report = submit_request(
        client=client, service_code=service_code, latitude=lat, longitude=lon,
        description=post.get("description") or "", address_string=_param(request, "address_string", post) or "",
        address_id=_param(request, "address_id", post), attributes=_attributes(post), contact=contact,
        media_url=_param(request, "media_url", post) or "", idempotency_key=request.headers.get("Idempotency-Key"),
        request=request,
    )
    notice = _("Đã nhận phản ánh %(code)s, chuyển tới %(agency)s. Hạn xử lý: %(due)s.") % {
        "code": report.code, "agency": report.agency.name,
        "due": timezone.localtime(report.due_at).strftime("%d/%m/%Y"),
    }
    data = [{"service_request_id": str(report.public_id), "service_notice": notice, "account_id": None}]
    return render(data, fmt, root="service_requests")


def _window(request: HttpRequest) -> tuple[datetime, datetime]:
    start = _parse_datetime(_param(request, "start_date"), "start_date")
    end = _parse_datetime(_param(request, "end_date"), "end_date")
    if start and end:
        if end < start:
            raise BadRequest(_("end_date phải sau start_date."))
        if end - start > MAX_WINDOW:
            raise BadRequest(_("Khoảng thời gian tìm kiếm tối đa 90 ngày."))
    elif start:
        end = start + DEFAULT_WINDOW
    elif end:
        start = end - DEFAULT_WINDOW
    else:
        end = timezone.now()
        start = end - DEFAULT_WINDOW
    # end_date is inclusive.
    return start, end + timedelta(microseconds=1)


def _ids(value: str) -> list[uuid.UUID]:
    """``service_request_id`` list: public ids, or report codes (PA-…) resolved to them."""
    out: list[uuid.UUID] = []
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if len(parts) > MAX_IDS:
        raise BadRequest(_("Tối đa %(n)d service_request_id mỗi lần.") % {"n": MAX_IDS})
    if sum(1 for p in parts if not _is_uuid(p)) > MAX_CODES:
        raise BadRequest(_("Tối đa %(n)d mã phản ánh (PA-…) mỗi lần; dùng service_request_id dạng UUID.")
                         % {"n": MAX_CODES})
    for part in parts:
        try:
            out.append(uuid.UUID(part))
        except ValueError:
            try:
                out.append(core.public_report_get(code=part).report.public_id)
            except NotFound:
                continue
    return out


def _collect(*, offset: int, limit: int, **filters):
    """Rows ``[offset, offset + limit)`` of ``public_reports`` (which pages by at most 100)."""
    rows: list = []
    total = 0
    first = offset // CORE_PAGE + 1
    last = (offset + limit - 1) // CORE_PAGE + 1
    for page in range(first, last + 1):
        result = core.public_reports(page=page, page_size=CORE_PAGE, **filters)
        total = result.total
        rows += result.items
        if page * CORE_PAGE >= total:
            break
    skip = offset - (first - 1) * CORE_PAGE
    return rows[skip:skip + limit], total


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    page = _positive_int(_param(request, "page"), "page", default=1, maximum=100_000)
    page_size = _positive_int(_param(request, "page_size"), "page_size", default=MAX_RESULTS, maximum=MAX_RESULTS)
    ids = _param(request, "service_request_id")
    if ids is not None:
        # The spec: a list of ids overrides every other argument.
        wanted = _ids(ids)
        filters = {"public_ids": wanted}
    else:
        since, until = _window(request)
        codes = _param(request, "service_code")
        filters = {
            "category": [c.strip() for c in codes.split(",") if c.strip()] if codes else None,
            "status": _param(request, "status"),
            "since": since, "until": until,
        }
    if ids is not None and not filters["public_ids"]:
        rows, total = [], 0
    else:
        rows, total = _collect(offset=(page - 1) * page_size, limit=page_size, **filters)
    return render([_request_row(request, r) for r in rows], fmt, root="service_requests",
                  headers={"X-Total-Count": str(total)})


@_endpoint()
def service_request(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    """``GET requests/{id}``: an array with the one request (its public id, or its code PA-…)."""
    try:
        detail = core.public_report_get(public_id=request_id) if _is_uuid(request_id) else \
            core.public_report_get(code=request_id)
    except NotFound:
        return error(404, _("Không tìm thấy phản ánh (service_request_id) «%(id)s».") % {"id": request_id[:60]}, fmt)
    return render([_request_row(request, detail.report)], fmt, root="service_requests")


@_endpoint()
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    """``GET tokens/{token}``: requests are created synchronously, so the token of a request is
    its ``service_request_id``; this answers for every id the API issued."""
    if not _is_uuid(token_id):
        return error(404, _("Không tìm thấy token «%(id)s».") % {"id": token_id[:60]}, fmt)
    try:
        detail = core.public_report_get(public_id=token_id)
    except NotFound:
        return error(404, _("Không tìm thấy token «%(id)s».") % {"id": token_id[:60]}, fmt)
    rid = str(detail.report.public_id)
    return render([{"service_request_id": rid, "token": token_id}], fmt, root="service_requests")


@_endpoint()
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """``GET servicerequestupdates`` (extension): public answers and status changes in
    ``[start_date, end_date]`` (default: the last 90 days), optionally of some requests."""
    since, until = _window(request)
    ids = _param(request, "service_request_id")
    wanted = _ids(ids) if ids is not None else None
    updates = public_updates(since=since, until=until, public_ids=wanted)
    data = [{
        "update_id": u.update_id,
        "service_request_id": str(u.report_public_id),
        "status": u.open311_status,
        "description": u.description,
        "updated_datetime": iso(u.updated_at),
        "media_url": _media(request, u.report_public_id, u.photo_id, ""),
    } for u in updates]
    return render(data, fmt, root="service_request_updates")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- public photos -----------------------------------------------------------------------------


@require_GET
def media(request: HttpRequest, report_id, file_id) -> HttpResponse:
    """A photo of a public report (the reporter's or an answer's), for ``media_url``: anyone may
    see it while the report is public."""
    try:
        file = core.public_report_photo(report_public_id=report_id, file_public_id=file_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    try:
        handle = default_storage.open(file.storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
