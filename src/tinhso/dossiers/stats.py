"""Statistics of dossiers per agency and per commune, and the Decision 766 groups.

:func:`dossier_statistics` reads pre-aggregated daily counters per agency, local day and channel,
kept in step with every change by the write paths (:mod:`tinhso.dossiers.stats_store`): a few
indexed queries whatever the number of dossiers. :func:`dossier_statistics_raw` computes the same
figures directly from the dossiers (one grouped aggregate query with conditional counts) and is
the reference the tests compare against. Communes and totals are sums of the per-agency counts
in Python (a few hundred groups at most). See docs/dossiers-staff.md.

Definitions (for a period ``[start, end)`` and ``ref = min(now, end)``):

* received — dossiers received (``received_at``) in the period;
* in progress — received before ``end``, not finished at ``ref`` (``finished_at`` empty or after
  ``end``), not refused or withdrawn; *overdue* when ``due_at < ref``, else *within deadline*;
* finished — ``finished_at`` in the period (refused and withdrawn dossiers are not "finished"):
  *early* when finished on a local day before the due day, *on time* when finished by ``due_at``
  otherwise, *late* when finished after ``due_at``;
* each of these split by channel (online / counter);
* online payment rate = dossiers received in the period with a fee that is paid / dossiers
  received in the period with a fee (fees are only paid online through the payments block);
* digitised rate = dossiers received in the period whose every document is digitised (flagged
  ``is_digitised`` and carrying a stored file) / dossiers received in the period;
* satisfaction = ratings of 4–5 / ratings, of the dossiers finished in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.core.errors import ValidationFailed
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel
from tinhso.orgs.selectors import agency_scope, current_memberships

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

CHANNELS = ("online", "counter")
# Statuses that end a dossier without a result.
CLOSED_WITHOUT_RESULT = ("refused", "withdrawn")
NOT_RECEIVED = ("draft", "submitted")

# Buckets split by channel, in display order.
BUCKETS: tuple[tuple[str, Any], ...] = (
    ("received", gettext_lazy("Tiếp nhận trong kỳ")),
    ("in_progress_on_time", gettext_lazy("Đang giải quyết trong hạn")),
    ("in_progress_overdue", gettext_lazy("Đang giải quyết quá hạn")),
    ("finished_early", gettext_lazy("Đã giải quyết trước hạn")),
    ("finished_on_time", gettext_lazy("Đã giải quyết đúng hạn")),
    ("finished_late", gettext_lazy("Đã giải quyết quá hạn")),
)
# Counts not split by channel.
EXTRA = (
    ("with_fee", gettext_lazy("Có phí, lệ phí")),
    ("paid_online", gettext_lazy("Đã thanh toán trực tuyến")),
    ("digitised", gettext_lazy("Số hóa toàn bộ thành phần")),
    ("rated", gettext_lazy("Được đánh giá")),
    ("satisfied", gettext_lazy("Hài lòng (4–5 điểm)")),
)
COUNT_KEYS: tuple[str, ...] = tuple(f"{b}_{c}" for b, _label in BUCKETS for c in CHANNELS) + tuple(k for k, _l in EXTRA)

PERIOD_KINDS = ("year", "quarter", "month")


# --- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # year | quarter | month
    year: int
    number: int = 1  # quarter 1–4 or month 1–12; 1 for a year

    @property
    def start_date(self) -> dt.date:
        if self.kind == "year":
            return dt.date(self.year, 1, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * (self.number - 1) + 1, 1)
        return dt.date(self.year, self.number, 1)

    @property
    def end_date(self) -> dt.date:
        """The first day after the period."""
        if self.kind == "year":
            return dt.date(self.year + 1, 1, 1)
        months = 3 if self.kind == "quarter" else 1
        month = self.start_date.month + months
        return dt.date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.start_date, dt.time.min, tzinfo=TZ)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.end_date, dt.time.min, tzinfo=TZ)

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Năm %(year)s") % {"year": self.year}
        if self.kind == "quarter":
            return _("Quý %(n)s năm %(year)s") % {"n": self.number, "year": self.year}
        return _("Tháng %(n)s năm %(year)s") % {"n": self.number, "year": self.year}

    @property
    def slug(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        return f"{self.year}-{'Q' if self.kind == 'quarter' else 'T'}{self.number:02d}"

    def as_query(self) -> dict[str, str]:
        data = {"period": self.kind, "year": str(self.year)}
        if self.kind != "year":
            data["number"] = str(self.number)
        return data


def parse_period(params: dict[str, Any] | None, *, today: dt.date | None = None) -> Period:
    """The period asked for by ``?period=year|quarter|month&year=YYYY&number=N`` (this year by
    default, the current quarter/month when ``number`` is missing). Raises ValidationFailed."""
    params = params or {}
    today = today or timezone.localdate()
    kind = (params.get("period") or "year").strip()
    if kind not in PERIOD_KINDS:
        raise ValidationFailed(_("Kỳ thống kê không hợp lệ."), details={"field": "period"})
    try:
        year = int(params.get("year") or today.year)
        raw = params.get("number")
        if kind == "year":
            number = 1
        elif raw in (None, ""):
            number = (today.month - 1) // 3 + 1 if kind == "quarter" else today.month
        else:
            number = int(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Kỳ thống kê không hợp lệ."), details={"field": "year"}) from exc
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("Năm thống kê phải từ 2000 đến 2100."), details={"field": "year"})
    if (kind == "quarter" and not 1 <= number <= 4) or (kind == "month" and not 1 <= number <= 12):
        raise ValidationFailed(_("Kỳ thống kê không hợp lệ."), details={"field": "number"})
    return Period(kind=kind, year=year, number=number)


# --- scope -------------------------------------------------------------------------------------


def stats_scope(*, user) -> frozenset[int] | None:
    """Agency ids whose statistics ``user`` may see; ``None`` means every agency (superusers and
    leaders of the provincial People's Committee). Empty for anyone else without memberships."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    if current_memberships(user=user, roles="leader").filter(
        agency__kind=AgencyKind.PEOPLES_COMMITTEE, agency__level=AgencyLevel.PROVINCE
    ).exists():
        return None
    return agency_scope(user=user)


def may_see_stats(*, user) -> bool:
    scope = stats_scope(user=user)
    return scope is None or bool(scope)


# --- figures -----------------------------------------------------------------------------------


def _pct(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 1)


@dataclass
class Figures:
    """The counts of one group (an agency, a commune, or the total) and the rates derived."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))

    def add(self, other: dict[str, int] | Figures) -> None:
        source = other.counts if isinstance(other, Figures) else other
        for k in COUNT_KEYS:
            self.counts[k] += int(source.get(k) or 0)

    def get(self, bucket: str, channel: str | None = None) -> int:
        if channel:
            return self.counts[f"{bucket}_{channel}"]
        if bucket in dict(EXTRA):
            return self.counts[bucket]
        return sum(self.counts[f"{bucket}_{c}"] for c in CHANNELS)

    # Convenience properties for templates and exports.
    @property
    def received(self) -> int:
        return self.get("received")

    @property
    def received_online(self) -> int:
        return self.get("received", "online")

    @property
    def received_counter(self) -> int:
        return self.get("received", "counter")

    @property
    def in_progress(self) -> int:
        return self.get("in_progress_on_time") + self.get("in_progress_overdue")

    @property
    def finished(self) -> int:
        return self.get("finished_early") + self.get("finished_on_time") + self.get("finished_late")

    @property
    def has_activity(self) -> bool:
        """Anything at all in the period (received, in progress, finished, rated)."""
        return any(self.counts.values())

    @property
    def on_time_rate(self) -> float | None:
        """Decision 766, progress and results: (on time + early) / finished × 100."""
        return _pct(self.get("finished_early") + self.get("finished_on_time"), self.finished)

    @property
    def online_rate(self) -> float | None:
        """Decision 766, online provision: dossiers received online / all received × 100."""
        return _pct(self.received_online, self.received)

    @property
    def payment_rate(self) -> float | None:
        """Dossiers with a fee paid online / dossiers with a fee × 100."""
        return _pct(self.counts["paid_online"], self.counts["with_fee"])

    @property
    def satisfaction_rate(self) -> float | None:
        """Decision 766, satisfaction: ratings of 4–5 / ratings of dossiers finished × 100."""
        return _pct(self.counts["satisfied"], self.counts["rated"])

    @property
    def digitised_rate(self) -> float | None:
        """Decision 766, digitisation: dossiers whose every document is digitised / received × 100."""
        return _pct(self.counts["digitised"], self.received)

    def bucket_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "label": label,
                "online": self.get(key, "online"),
                "counter": self.get(key, "counter"),
                "total": self.get(key),
            }
            for key, label in BUCKETS
        ]


@dataclass
class Report:
    period: Period
    generated_at: dt.datetime
    total: Figures
    agencies: list[Figures]
    communes: list[Figures]
    scope_all: bool

    def indicators(self) -> list[dict[str, Any]]:
        """The Decision 766 groups that these data can compute, with the formula shown."""
        t = self.total
        early, on_time = t.get("finished_early"), t.get("finished_on_time")
        return [
            {
                "group": _("Tiến độ, kết quả giải quyết"),
                "name": _("Tỷ lệ hồ sơ giải quyết đúng hạn"),
                "value": t.on_time_rate,
                "formula": _("(đúng hạn %(on_time)s + trước hạn %(early)s) / đã giải quyết %(done)s × 100")
                % {"on_time": on_time, "early": early, "done": t.finished},
            },
            {
                "group": _("Cung cấp dịch vụ trực tuyến"),
                "name": _("Tỷ lệ hồ sơ nộp trực tuyến"),
                "value": t.online_rate,
                "formula": _("nộp trực tuyến %(online)s / tiếp nhận %(received)s × 100")
                % {"online": t.received_online, "received": t.received},
            },
            {
                "group": _("Cung cấp dịch vụ trực tuyến"),
                "name": _("Tỷ lệ thanh toán trực tuyến"),
                "value": t.payment_rate,
                "formula": _("đã thanh toán trực tuyến %(paid)s / hồ sơ có phí, lệ phí %(fee)s × 100")
                % {"paid": t.counts["paid_online"], "fee": t.counts["with_fee"]},
            },
            {
                "group": _("Số hóa hồ sơ"),
                "name": _("Tỷ lệ hồ sơ được số hóa"),
                "value": t.digitised_rate,
                "formula": _("số hóa toàn bộ thành phần %(digitised)s / tiếp nhận %(received)s × 100")
                % {"digitised": t.counts["digitised"], "received": t.received},
            },
            {
                "group": _("Mức độ hài lòng"),
                "name": _("Tỷ lệ đánh giá hài lòng"),
                "value": t.satisfaction_rate,
                "formula": _("đánh giá 4–5 điểm %(satisfied)s / số lượt đánh giá %(rated)s × 100")
                % {"satisfied": t.counts["satisfied"], "rated": t.counts["rated"]},
            },
        ]


def _wanted_agencies(*, user, agency_ids: Iterable[int] | None) -> tuple[frozenset[int] | None, set[int] | None]:
    """The statistics scope of ``user`` and the agencies asked for within it (None: all)."""
    scope = stats_scope(user=user)
    wanted: set[int] | None = None if scope is None else set(scope)
    if agency_ids is not None:
        asked = {int(a) for a in agency_ids}
        wanted = asked if wanted is None else wanted & asked
    return scope, wanted


def _report(*, period: Period, now: dt.datetime, scope, wanted: set[int] | None,
            counts: dict[int, dict[str, int]]) -> Report:
    """The report from the counts per agency (one query over agencies, sums in Python)."""
    agency_qs = Agency.objects.select_related("admin_unit")
    if wanted is not None:
        agency_qs = agency_qs.filter(pk__in=wanted)
    else:
        agency_qs = agency_qs.filter(Q(pk__in=list(counts)) | Q(is_active=True))
    agencies = {a.pk: a for a in agency_qs}

    total = Figures(key="total", label=_("Tổng cộng"))
    by_agency: dict[int, Figures] = {pk: Figures(key=str(a.public_id), label=a.name) for pk, a in agencies.items()}
    by_commune: dict[int, Figures] = {}
    for a in agencies.values():
        if a.level == AgencyLevel.COMMUNE:
            by_commune.setdefault(a.admin_unit_id, Figures(key=a.admin_unit.code, label=a.admin_unit.full_name))
    for pk, figures in by_agency.items():
        figures.add(counts.get(pk, {}))
        total.add(figures)
        agency = agencies[pk]
        if agency.level == AgencyLevel.COMMUNE:
            by_commune[agency.admin_unit_id].add(figures)
    agency_list = sorted(by_agency.values(), key=lambda f: (-f.received, -f.finished, f.label))
    commune_list = sorted(by_commune.values(), key=lambda f: f.label)
    return Report(period=period, generated_at=now, total=total, agencies=agency_list, communes=commune_list,
                  scope_all=scope is None)


def dossier_statistics(
    *,
    user,
    period: Period,
    agency_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Statistics of the dossiers of the agencies ``user`` may see (optionally narrowed to
    ``agency_ids``) for ``period``, read from the pre-aggregated daily counters
    (:mod:`tinhso.dossiers.stats_store`): a few indexed queries whatever the number of dossiers.
    Equal to :func:`dossier_statistics_raw` (the tests check it)."""
    from .stats_store import counts_by_agency

    now = now or timezone.now()
    scope, wanted = _wanted_agencies(user=user, agency_ids=agency_ids)
    counts = {} if wanted is not None and not wanted else counts_by_agency(
        wanted=wanted, start=period.start, end=period.end, ref=min(now, period.end))
    return _report(period=period, now=now, scope=scope, wanted=wanted, counts=counts)


def dossier_statistics_raw(
    *,
    user,
    period: Period,
    agency_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The same statistics computed directly from the dossiers (:mod:`tinhso.dossiers.stats_raw`:
    two grouped aggregate queries over the period's rows). The reference for the read model
    (tests) and a cross-check for operators; slow over millions of rows."""
    from .stats_raw import raw_counts

    now = now or timezone.now()
    scope, wanted = _wanted_agencies(user=user, agency_ids=agency_ids)
    counts = {} if wanted is not None and not wanted else raw_counts(
        wanted=wanted, start=period.start, end=period.end, ref=min(now, period.end))
    return _report(period=period, now=now, scope=scope, wanted=wanted, counts=counts)


STATS_CACHE_SECONDS = 300


def _data_version() -> tuple:
    """Changes whenever a dossier row or a rating changes (cheap with an index on
    ``Dossier.updated_at``; ratings by primary key), and every few minutes for the clock-driven
    buckets (in progress → overdue)."""
    from django.db.models import Max

    from tinhso.dossiers.models import Dossier, Rating

    latest = Dossier.objects.aggregate(m=Max("updated_at"))["m"]
    last_rating = Rating.objects.order_by("-pk").values_list("pk", flat=True).first()
    seconds = int(getattr(settings, "TINHSO_STATS_CACHE_SECONDS", STATS_CACHE_SECONDS))
    slot = int(timezone.now().timestamp()) // max(1, seconds)
    return (latest.isoformat() if latest else "", last_rating or 0, slot)


def dossier_statistics_cached(*, user, period: Period, agency_ids: Iterable[int] | None = None) -> Report:
    """:func:`dossier_statistics` through the cache: the same figures are recomputed only when
    a dossier or a rating changed, or after ``TINHSO_STATS_CACHE_SECONDS`` (5 minutes), so a
    province-wide page over millions of dossiers costs one cheap version query most of the time."""
    import hashlib

    from django.core.cache import cache

    scope = stats_scope(user=user)
    key_parts = (
        "all" if scope is None else sorted(scope),
        None if agency_ids is None else sorted(int(a) for a in agency_ids),
        period.kind, period.year, period.number, _data_version(),
    )
    key = "dossiers:stats:v1:" + hashlib.sha256(repr(key_parts).encode()).hexdigest()
    report = cache.get(key)
    if report is None:
        report = dossier_statistics(user=user, period=period, agency_ids=agency_ids)
        seconds = int(getattr(settings, "TINHSO_STATS_CACHE_SECONDS", STATS_CACHE_SECONDS))
        cache.set(key, report, seconds)
    return report


def agencies_for_stats(*, user):
    """The agencies ``user`` may pick in the statistics and log-book filters."""
    scope = stats_scope(user=user)
    qs = Agency.objects.filter(is_active=True)
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    return qs.order_by("level", "name")


# --- chart ------------------------------------------------------------------------------------

CHART_COLOURS = {
    "finished_early": "#1b7f3b",
    "finished_on_time": "#4caf50",
    "finished_late": "#c62828",
    "in_progress_on_time": "#1565c0",
    "in_progress_overdue": "#ef6c00",
}
CHART_ORDER = ("finished_early", "finished_on_time", "finished_late", "in_progress_on_time", "in_progress_overdue")


def chart_bars(figures: list[Figures], *, limit: int = 15, width: int = 640) -> dict[str, Any]:
    """Geometry of a horizontal stacked bar chart (one bar per group), to be drawn as inline SVG
    by the template: no script, no style attribute, only SVG presentation attributes."""
    rows = sorted((f for f in figures if f.finished or f.in_progress),
                  key=lambda f: (-(f.finished + f.in_progress), f.label))[:limit]
    label_w, bar_h, gap, top = 220, 18, 8, 8
    plot_w = width - label_w - 60
    biggest = max([f.finished + f.in_progress for f in rows] or [0]) or 1
    bars = []
    for i, f in enumerate(rows):
        y = top + i * (bar_h + gap)
        x = label_w
        segments = []
        for key in CHART_ORDER:
            value = f.get(key)
            if not value:
                continue
            w = max(1.0, plot_w * value / biggest)
            segments.append({"x": round(x, 1), "w": round(w, 1), "fill": CHART_COLOURS[key], "value": value, "key": key})
            x += w
        bars.append({
            "label": f.label if len(f.label) <= 34 else f.label[:33] + "…",
            "full_label": f.label,
            "y": y,
            "text_y": y + bar_h - 4,
            "h": bar_h,
            "segments": segments,
            "total": f.finished + f.in_progress,
            "total_x": round(x + 4, 1),
        })
    legend = [{"key": k, "label": dict(BUCKETS)[k], "fill": CHART_COLOURS[k]} for k in CHART_ORDER]
    return {
        "bars": bars,
        "left_out": max(0, sum(1 for f in figures if f.finished or f.in_progress) - limit),
        "limit": limit,
        "width": width,
        "height": top * 2 + len(rows) * (bar_h + gap),
        "label_w": label_w,
        "legend": legend,
    }


# --- log book (form 06) ------------------------------------------------------------------------


# An Excel log book stops here (a busy agency receives far fewer in a year).
LOG_BOOK_EXPORT_MAX_ROWS = 100_000
# A PDF log book prints at most this many rows (about 200 A4 pages).
LOG_BOOK_PDF_MAX_ROWS = 2_000


def log_book(*, user, agency: Agency, period: Period):
    """The dossiers received by ``agency`` in ``period`` for the log book (form 06), oldest
    first. Raises NotAllowed when the agency is outside the user's statistics scope."""
    from tinhso.core.errors import NotAllowed
    from tinhso.dossiers.models import Dossier

    scope = stats_scope(user=user)
    if scope is not None and agency.pk not in scope:
        raise NotAllowed(_("Bạn không có quyền xem sổ theo dõi hồ sơ của cơ quan này."))
    return (
        Dossier.objects.filter(agency=agency, received_at__gte=period.start, received_at__lt=period.end)
        .exclude(status__in=NOT_RECEIVED)
        .select_related("procedure", "applicant", "agency", "current_agency")
        .order_by("received_at", "pk")
    )
