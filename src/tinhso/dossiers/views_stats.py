"""Statistics page (with an inline SVG chart), its Excel export, and the log book (form 06)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from tinhso.core.errors import DomainError, NotAllowed
from tinhso.orgs.selectors import agency_scope

from . import exports, stats


def _period_or_default(request: HttpRequest) -> tuple[stats.Period, str]:
    try:
        return stats.parse_period(request.GET), ""
    except DomainError as exc:
        return stats.parse_period({}), str(exc.message)


def _require_stats_access(request: HttpRequest) -> None:
    if not stats.may_see_stats(user=request.user):
        raise PermissionDenied(_("Chỉ cán bộ được phân công tại một cơ quan mới xem được thống kê."))


def _chosen_agency(request: HttpRequest, choices):
    raw = (request.GET.get("agency") or "").strip()
    if not raw:
        return None
    try:
        wanted = uuid.UUID(raw)
    except ValueError:
        raise Http404 from None
    for a in choices:
        if a.public_id == wanted:
            return a
    raise Http404


def _period_choices(period: stats.Period) -> dict:
    years = list(range(period.year + 1, period.year - 6, -1))
    return {"years": years, "quarters": range(1, 5), "months": range(1, 13)}


@require_safe
@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    _require_stats_access(request)
    period, period_error = _period_or_default(request)
    agencies = list(stats.agencies_for_stats(user=request.user))
    agency = _chosen_agency(request, agencies)
    report = stats.dossier_statistics_cached(
        user=request.user, period=period, agency_ids=[agency.pk] if agency else None
    )
    query = period.as_query()
    if agency:
        query["agency"] = str(agency.public_id)
    # Most agencies and communes have nothing in a period: show those with activity unless asked
    # for all (?all=1); the totals are over everything either way.
    show_all = request.GET.get("all") == "1"
    agency_rows = report.agencies if show_all else [f for f in report.agencies if f.has_activity]
    commune_rows = report.communes if show_all else [f for f in report.communes if f.has_activity]
    context = {
        "report": report,
        "show_all": show_all,
        "agency_rows": agency_rows,
        "commune_rows": commune_rows,
        "hidden_agencies": len(report.agencies) - len(agency_rows),
        "hidden_communes": len(report.communes) - len(commune_rows),
        "toggle_query": urlencode({**query, "all": "1"}) if not show_all else urlencode(query),
        "period": period,
        "period_error": period_error,
        "agencies": agencies,
        "agency": agency,
        "chart": stats.chart_bars(report.agencies),
        "commune_chart": stats.chart_bars(report.communes),
        "query_string": urlencode(query),
        "has_queue": bool(agency_scope(user=request.user)),
        **_period_choices(period),
    }
    return render(request, "dossiers/staff/statistics.html", context)


@require_safe
@login_required
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    _require_stats_access(request)
    period, _error = _period_or_default(request)
    agency = _chosen_agency(request, list(stats.agencies_for_stats(user=request.user)))
    report = stats.dossier_statistics_cached(user=request.user, period=period, agency_ids=[agency.pk] if agency else None)
    response = HttpResponse(exports.statistics_workbook(report), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="thong-ke-ho-so-{period.slug}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def _log_book(request: HttpRequest):
    _require_stats_access(request)
    period, period_error = _period_or_default(request)
    agencies = list(stats.agencies_for_stats(user=request.user))
    agency = _chosen_agency(request, agencies) or (agencies[0] if agencies else None)
    if agency is None:
        raise PermissionDenied
    try:
        dossiers = stats.log_book(user=request.user, agency=agency, period=period)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from None
    return period, period_error, agencies, agency, dossiers


@require_safe
@login_required
def log_book(request: HttpRequest) -> HttpResponse:
    period, period_error, agencies, agency, dossiers = _log_book(request)
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    query = {**period.as_query(), "agency": str(agency.public_id)}
    context = {
        "period": period,
        "period_error": period_error,
        "agencies": agencies,
        "agency": agency,
        "page": page,
        "query_string": urlencode(query),
        **_period_choices(period),
    }
    return render(request, "dossiers/staff/log_book.html", context)


@require_safe
@login_required
def log_book_xlsx(request: HttpRequest) -> HttpResponse:
    period, _error, _agencies, agency, dossiers = _log_book(request)
    content = exports.log_book_workbook(agency=agency, period=period, dossiers=dossiers[: stats.LOG_BOOK_EXPORT_MAX_ROWS])
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="so-theo-doi-ho-so-{agency.code}-{period.slug}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def log_book_pdf(request: HttpRequest) -> HttpResponse:
    """Form 06 as PDF (the first ``LOG_BOOK_PDF_MAX_ROWS`` dossiers; the Excel file has them all)."""
    from . import pdf

    period, _error, _agencies, agency, dossiers = _log_book(request)
    limit = stats.LOG_BOOK_PDF_MAX_ROWS
    rows = list(dossiers[: limit + 1])
    content = pdf.log_book_pdf(agency=agency, period_label=period.label, dossiers=rows[:limit],
                               truncated_at=limit if len(rows) > limit else None)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-theo-doi-ho-so-{agency.code}-{period.slug}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
