"""Reads for the public and citizen pages of field reports (/phan-anh/), on top of the core
selectors: the model row behind a public report (for the support button and service calls), the
approximate point of a commune for reports sent without a map, and the period filter."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.errors import NotFound

from .models import Report, Support

PERIODS = {
    "7": (7, _("7 ngày qua")),
    "30": (30, _("30 ngày qua")),
    "90": (90, _("3 tháng qua")),
    "365": (365, _("12 tháng qua")),
}


def period_since(period: str | None, *, now: datetime | None = None) -> datetime | None:
    """Start of a period filter ("7", "30", "90", "365" days); None for every report."""
    days = PERIODS.get(str(period or ""))
    if days is None:
        return None
    return (now or timezone.now()) - timedelta(days=days[0])


def public_report_row(*, public_id) -> Report:
    """The model row of a public report (spam is hidden), for service calls such as
    ``report_support``; never rendered directly (pages use ``public_report_get``)."""
    try:
        pid = uuid.UUID(str(public_id))
    except (TypeError, ValueError):
        pid = None
    report = Report.objects.filter(public_id=pid, is_public=True).first() if pid else None
    if report is None:
        raise NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")
    return report


def has_supported(*, report_public_id, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Support.objects.filter(report__public_id=report_public_id, user=user).exists()


def commune_point(*, commune_code: str) -> tuple[str, str] | None:
    """An approximate point for a commune chosen without the map: the mean position of the
    commune's earlier public reports (administrative units carry no geometry yet, see
    docs/feedback.md). None when the commune has no report yet."""
    row = Report.objects.filter(commune__code=str(commune_code or "")[:20], is_public=True).aggregate(
        lat=Avg("latitude"), lon=Avg("longitude"))
    if row["lat"] is None or row["lon"] is None:
        return None
    return f"{float(row['lat']):.6f}", f"{float(row['lon']):.6f}"


def report_for_key(*, user, scope: str, key: str) -> Report | None:
    """The report already filed with this one-time form key (a double submit or a retry), in the
    same idempotency scope as ``report_submit`` (the account, or ``scope`` without one)."""
    if not key:
        return None
    owner = f"user:{user.pk}" if getattr(user, "is_authenticated", False) else scope
    return Report.objects.filter(idempotency_scope=owner, idempotency_key=key[:100]).only("code").first()
