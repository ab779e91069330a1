"""Reads of the officials' field-report pages, on top of :mod:`tinhso.feedback.selectors`
(every query starts from a scoped core selector, so the scope cannot be forgotten):

* :func:`queue_reports` — one queue tab with the page filters the core does not have (status,
  submission period);
* :func:`duplicate_candidates` / :func:`duplicate_original` — the original of a duplicate,
  found by its code;
* :func:`stats_scope` / :func:`stats_agencies` / :func:`statistics_totals` — the statistics page;
* :func:`report_heat_grid` — report counts per ~1 km cell for the heat map (one grouped query).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast, Floor
from django.utils.translation import gettext as _

from tinhso.core.errors import ValidationFailed
from tinhso.orgs.models import Agency
from tinhso.orgs.selectors import agency_scope

from . import selectors as core
from .models import Report, ResponseTemplate, Status

# ~1.1 km of latitude; ~1.1 km of longitude at Cà Mau's 9° N as well (cos 9° ≈ 0.99).
HEAT_CELL_DEG = 0.01
HEAT_MAX_CELLS = 5000
DUPLICATE_MAX = 10


def queue_reports(*, user, queue: str, category: str | None = None, commune: str | None = None,
                  q: str | None = None, status: str | None = None, since: dt.datetime | None = None,
                  until: dt.datetime | None = None) -> QuerySet[Report]:
    """``selectors.staff_queue`` (scoped; ``q`` ignores diacritics) narrowed by one status and
    the submission period ``[since, until)``."""
    qs = core.staff_queue(user=user, queue=queue, category=category or None, commune=commune or None, q=q or None)
    if status:
        if status not in Status.values:
            raise ValidationFailed(_("Trạng thái không hợp lệ."), code="invalid_status")
        qs = qs.filter(status=status)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    if until is not None:
        qs = qs.filter(submitted_at__lt=until)
    return qs


def _visible_or_public(user) -> Q:
    """Reports the official may link a duplicate to: those they see, and any public report."""
    seen = core.staff_reports(user=user).values("pk")
    return Q(pk__in=seen) | Q(is_public=True)


def duplicate_candidates(*, user, code: str, exclude: Report | None = None) -> list[Report]:
    """Reports whose code contains ``code`` (at least 4 characters), among those the official
    sees and the public ones, newest first: to pick the original of a duplicate."""
    code = (code or "").strip().upper()[:24]
    if len(code) < 4:
        return []
    qs = Report.objects.filter(_visible_or_public(user), code__contains=code).select_related("category")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("-submitted_at", "-id")[:DUPLICATE_MAX])


def duplicate_original(*, user, code: str) -> Report | None:
    """The report with exactly this code, if the official may link to it."""
    code = (code or "").strip().upper()[:24]
    if not code:
        return None
    return Report.objects.filter(_visible_or_public(user), code=code).first()


def reassign_targets(*, report: Report) -> QuerySet[Agency]:
    """Active agencies a report may be sent to (every agency but its current one)."""
    from tinhso.orgs.selectors import public_agencies

    return public_agencies().exclude(pk=report.agency_id)


def template_agencies(*, user) -> QuerySet[Agency]:
    """Agencies whose answer templates the user manages (report handlers and leaders)."""
    return Agency.objects.filter(pk__in=agency_scope(user=user, roles=core.TEMPLATE_ROLES),
                                 is_active=True).order_by("name")


def managed_templates(*, user) -> QuerySet[ResponseTemplate]:
    """Templates of the agencies the user manages, plus the shared ones (read-only here)."""
    scope = agency_scope(user=user, roles=core.TEMPLATE_ROLES)
    return (ResponseTemplate.objects.filter(Q(agency_id__in=scope) | Q(agency__isnull=True))
            .select_related("agency", "category").order_by("agency__name", "title", "id"))


def managed_template_get(*, user, pk) -> ResponseTemplate | None:
    """A template of an agency the user manages (not a shared one); None otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    scope = agency_scope(user=user, roles=core.TEMPLATE_ROLES)
    return ResponseTemplate.objects.filter(pk=pk, agency_id__in=scope).select_related("agency", "category").first()


# --- statistics --------------------------------------------------------------------------------


def stats_scope(*, user) -> frozenset[int] | None:
    """What ``selectors.report_statistics`` shows ``user``: ``None`` = the whole province
    (superusers, leaders of the provincial People's Committee), else their agencies' ids
    (empty: no statistics)."""
    if core._sees_whole_province(user):  # noqa: SLF001 - the same rule as the core's figures
        return None
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return agency_scope(user=user, roles=core.HANDLER_ROLES)


def stats_agencies(*, user) -> QuerySet[Agency]:
    """Agencies offered in the statistics filter: the user's, or every agency with reports."""
    scope = stats_scope(user=user)
    if scope is None:
        return Agency.objects.filter(pk__in=Report.objects.values("agency_id")).order_by("name")
    return Agency.objects.filter(pk__in=scope).order_by("name")


COUNT_KEYS = ("received", "resolved", "on_time", "late", "open", "overdue", "refused", "rated", "satisfied")


def statistics_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The total line of ``report_statistics`` rows (counts summed; averages weighted by the
    resolved / rated counts of each row)."""
    total: dict[str, Any] = {"key": "", "name": _("Tổng cộng")}
    for key in COUNT_KEYS:
        total[key] = sum(r[key] for r in rows)
    hours = [(r["avg_hours"], r["resolved"]) for r in rows if r["avg_hours"] is not None]
    weight = sum(n for _h, n in hours)
    total["avg_hours"] = round(sum(h * n for h, n in hours) / weight, 1) if weight else None
    scores = [(r["avg_score"], r["rated"]) for r in rows if r["avg_score"] is not None]
    weight = sum(n for _s, n in scores)
    total["avg_score"] = round(sum(s * n for s, n in scores) / weight, 2) if weight else None
    total["on_time_rate"] = round(100 * total["on_time"] / total["resolved"], 1) if total["resolved"] else None
    total["satisfaction_rate"] = round(100 * total["satisfied"] / total["rated"], 1) if total["rated"] else None
    return total


@dataclass(frozen=True)
class HeatCell:
    south: float
    west: float
    north: float
    east: float
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"s": self.south, "w": self.west, "n": self.north, "e": self.east, "count": self.count}


def report_heat_grid(*, user, since: dt.datetime, until: dt.datetime, category: str | None = None,
                     agency_ids=None, cell: float = HEAT_CELL_DEG) -> list[HeatCell]:
    """Reports submitted in ``[since, until)`` counted per grid cell of ``cell`` degrees
    (~1 km), busiest first, within the same scope as ``report_statistics`` (whole province
    or the official's agencies). One ``GROUP BY floor(lat / cell), floor(lon / cell)`` query,
    at most HEAT_MAX_CELLS cells; no coordinates of single reports leave the server."""
    scope = stats_scope(user=user)
    qs = Report.objects.filter(submitted_at__gte=since, submitted_at__lt=until)
    if scope is not None:
        if not scope:
            return []
        qs = qs.filter(agency_id__in=scope)
    if agency_ids:
        qs = qs.filter(agency_id__in=list(agency_ids))
    if category:
        qs = qs.filter(category__code=category)
    rows = (
        qs.annotate(
            cy=Floor(Cast("latitude", FloatField()) / cell),
            cx=Floor(Cast("longitude", FloatField()) / cell),
        )
        .values("cy", "cx").annotate(n=Count("pk")).order_by("-n", "cy", "cx")[:HEAT_MAX_CELLS]
    )
    out = []
    for r in rows:
        y, x = int(r["cy"]), int(r["cx"])
        out.append(HeatCell(south=round(y * cell, 6), west=round(x * cell, 6), north=round((y + 1) * cell, 6),
                            east=round((x + 1) * cell, 6), count=r["n"]))
    return out
