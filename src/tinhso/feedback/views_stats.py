"""Statistics of field reports (/staff/phan-anh/thong-ke/): figures per agency, commune or
category from ``selectors.report_statistics`` (scoped there: an official sees their agencies,
superusers and provincial leaders the whole province), an inline-SVG bar chart, a heat map of
report locations (grid counts as JSON, drawn by static/feedback/heatmap.js, with a table
fallback) and the Excel export of the same figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from . import exports, selectors, selectors_staff

GROUPS: tuple[tuple[str, Any], ...] = (
    ("agency", gettext_lazy("Theo cơ quan")),
    ("commune", gettext_lazy("Theo xã, phường")),
    ("category", gettext_lazy("Theo lĩnh vực")),
)
GROUP_KEYS = tuple(k for k, _label in GROUPS)
MAX_PERIOD_DAYS = 366 * 5
HEAT_TABLE_ROWS = 20
CHART_COLOURS = {"on_time": "#1b7a3d", "late": "#c0392b", "open": "#d68910", "refused": "#7f8c8d"}


@dataclass(frozen=True)
class StatsQuery:
    since_date: dt.date
    until_date: dt.date  # inclusive
    group: str
    agency: Any | None
    error: str = ""

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.since_date, dt.time.min, tzinfo=timezone.get_current_timezone())

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.until_date + dt.timedelta(days=1), dt.time.min,
                                   tzinfo=timezone.get_current_timezone())

    def as_query(self, **extra) -> str:
        query = {"from": self.since_date.isoformat(), "to": self.until_date.isoformat(), "group": self.group}
        if self.agency is not None:
            query["agency"] = str(self.agency.public_id)
        query.update(extra)
        return urlencode(query)


def _require_access(request: HttpRequest) -> None:
    scope = selectors_staff.stats_scope(user=request.user)
    if scope is not None and not scope:
        raise PermissionDenied(_("Chỉ cán bộ xử lý phản ánh hoặc lãnh đạo mới xem được thống kê phản ánh."))
    is_verified = getattr(request.user, "is_verified", None)
    if not (callable(is_verified) and is_verified()):
        raise PermissionDenied(_("Cần xác thực hai lớp trước khi xem thống kê."))


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def parse_query(request: HttpRequest) -> StatsQuery:
    """The period ``from``..``to`` (inclusive dates; default: this year so far), the grouping
    and an optional agency (public id, among those the user may see; 404 otherwise). Bad dates
    fall back to the default with an error message."""
    params = request.GET
    today = timezone.localdate()
    default_from = dt.date(today.year, 1, 1)
    since, until = _date(params.get("from")), _date(params.get("to"))
    error = ""
    if (params.get("from") and since is None) or (params.get("to") and until is None):
        error = _("Ngày không hợp lệ (định dạng năm-tháng-ngày); đang hiện số liệu từ đầu năm.")
    since, until = since or default_from, until or today
    if since > until:
        error = _("Ngày bắt đầu phải trước ngày kết thúc; đang hiện số liệu từ đầu năm.")
        since, until = default_from, today
    elif (until - since).days > MAX_PERIOD_DAYS:
        error = _("Kỳ thống kê tối đa 5 năm; đang hiện số liệu từ đầu năm.")
        since, until = default_from, today
    group = params.get("group") or "agency"
    if group not in GROUP_KEYS:
        group = "agency"
    agency = None
    raw = (params.get("agency") or "").strip()
    if raw:
        agency = next((a for a in selectors_staff.stats_agencies(user=request.user) if str(a.public_id) == raw), None)
        if agency is None:
            raise Http404(_("Không tìm thấy cơ quan."))
    return StatsQuery(since_date=since, until_date=until, group=group, agency=agency, error=error)


def figures(request: HttpRequest, query: StatsQuery, group: str | None = None) -> list[dict[str, Any]]:
    return selectors.report_statistics(user=request.user, since=query.since, until=query.until,
                                       group_by=group or query.group,
                                       agency_ids=[query.agency.pk] if query.agency else None)


def chart_bars(rows: list[dict[str, Any]], *, limit: int = 15, width: int = 640) -> dict[str, Any]:
    """Geometry of a horizontal stacked bar chart (resolved on time, late, still open, refused),
    drawn as inline SVG by the template: SVG presentation attributes only (strict CSP)."""
    keys = ("on_time", "late", "open", "refused")
    rows = sorted((r for r in rows if r["received"]), key=lambda r: (-r["received"], str(r["name"])))
    shown = rows[:limit]
    label_w, bar_h, gap, top = 210, 18, 8, 8
    plot_w = width - label_w - 50
    biggest = max([r["received"] for r in shown] or [0]) or 1
    bars = []
    for i, r in enumerate(shown):
        y, x = top + i * (bar_h + gap), float(label_w)
        segments = []
        for key in keys:
            value = r[key]
            if not value:
                continue
            w = max(1.0, plot_w * value / biggest)
            segments.append({"x": round(x, 1), "w": round(w, 1), "fill": CHART_COLOURS[key], "value": value,
                             "key": key})
            x += w
        name = str(r["name"])
        bars.append({"label": name if len(name) <= 27 else name[:26] + "…", "full_label": name, "y": y,
                     "text_y": y + bar_h - 4, "h": bar_h, "segments": segments, "total": r["received"],
                     "total_x": round(x + 4, 1)})
    labels = {"on_time": _("Đã xử lý đúng hạn"), "late": _("Đã xử lý quá hạn"), "open": _("Đang xử lý"),
              "refused": _("Từ chối")}
    return {
        "bars": bars, "left_out": max(0, len(rows) - limit), "limit": limit, "width": width,
        "height": top * 2 + len(shown) * (bar_h + gap), "label_w": label_w, "label_x": label_w - 6,
        "legend": [{"key": k, "label": labels[k], "fill": CHART_COLOURS[k]} for k in keys],
    }


@require_safe
@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    _require_access(request)
    query = parse_query(request)
    rows = figures(request, query)
    total = selectors_staff.statistics_totals(rows)
    cells = selectors_staff.report_heat_grid(user=request.user, since=query.since, until=query.until,
                                             agency_ids=[query.agency.pk] if query.agency else None)
    context = {
        "query": query,
        "groups": [{"key": k, "label": label, "active": k == query.group,
                    "url": "?" + query.as_query(group=k)} for k, label in GROUPS],
        "group_label": dict(GROUPS)[query.group],
        "rows": rows,
        "total": total,
        "chart": chart_bars(rows),
        "scope_all": selectors_staff.stats_scope(user=request.user) is None,
        "agencies": selectors_staff.stats_agencies(user=request.user),
        "query_string": query.as_query(),
        "heat_cells": cells[:HEAT_TABLE_ROWS],
        "heat_total": sum(c.count for c in cells),
        "heat_more": max(0, len(cells) - HEAT_TABLE_ROWS),
        "tile_url": getattr(settings, "TINHSO_MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "TINHSO_MAP_TILE_ATTRIBUTION", ""),
        "has_queue": bool(selectors_staff.stats_scope(user=request.user)),
    }
    return render(request, "feedback/staff/statistics.html", context, status=400 if query.error else 200)


@require_safe
@login_required
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    _require_access(request)
    query = parse_query(request)
    sheets = [(label, figures(request, query, key)) for key, label in GROUPS]
    content = exports.statistics_workbook(sheets=sheets, since=query.since_date, until=query.until_date,
                                          agency_name=query.agency.name if query.agency else "")
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    name = f"thong-ke-phan-anh-{query.since_date.isoformat()}-{query.until_date.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def heatmap_json(request: HttpRequest) -> JsonResponse:
    """``{"cell": degrees, "since", "until", "total", "max", "cells": [{"s","w","n","e","count"}]}``"""
    _require_access(request)
    query = parse_query(request)
    category = (request.GET.get("category") or "").strip()[:60] or None
    cells = selectors_staff.report_heat_grid(user=request.user, since=query.since, until=query.until,
                                             category=category,
                                             agency_ids=[query.agency.pk] if query.agency else None)
    response = JsonResponse({
        "cell": selectors_staff.HEAT_CELL_DEG,
        "since": query.since_date.isoformat(), "until": query.until_date.isoformat(),
        "total": sum(c.count for c in cells), "max": max([c.count for c in cells] or [0]),
        "cells": [c.as_dict() for c in cells],
    })
    response["Cache-Control"] = "private, no-store"
    return response
