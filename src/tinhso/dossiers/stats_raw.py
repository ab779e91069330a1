"""The statistics computed directly from the dossiers (``stats.dossier_statistics_raw``): the
reference the pre-aggregated read model (``stats_store``) is tested against. One grouped
aggregate query over the candidate rows of the period (``GROUP BY agency, channel, <bucket>``
with conditional counts) and one over the documents not digitised; definitions in the module
docstring of :mod:`tinhso.dossiers.stats`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When

from .stats import CHANNELS, CLOSED_WITHOUT_RESULT, NOT_RECEIVED, Figures


def _document_is_digitised_q() -> Q:
    """A document counts as digitised when it is flagged so (uploaded online, or scanned at the
    counter) and carries a stored file."""
    return Q(is_digitised=True, file__isnull=False)


def _state_expression(*, start: dt.datetime, end: dt.datetime, ref: dt.datetime) -> Case:
    """The finished / in-progress bucket of a row ("" for none), evaluated once per row."""
    finished = Q(finished_at__gte=start, finished_at__lt=end)
    in_progress = Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=ref))
    return Case(
        When(status__in=CLOSED_WITHOUT_RESULT, then=Value("")),
        When(finished & Q(due_at__isnull=True), then=Value("finished_on_time")),
        # Local dates: finished on a day before the due day (Asia/Ho_Chi_Minh, the current zone).
        When(finished & Q(finished_at__date__lt=F("due_at__date")), then=Value("finished_early")),
        When(finished & Q(finished_at__gt=F("due_at")), then=Value("finished_late")),
        When(finished, then=Value("finished_on_time")),
        When(in_progress & Q(due_at__lt=ref), then=Value("in_progress_overdue")),
        When(in_progress, then=Value("in_progress_on_time")),
        default=Value(""),
        output_field=CharField(),
    )


def _candidates(qs, *, start: dt.datetime, end: dt.datetime, ref: dt.datetime):
    """Rows that can fall in some bucket, as an OR of index-friendly ranges (received in the
    period, finished in the period, or unfinished at ``ref``) so PostgreSQL can combine index
    scans on ``received_at`` and ``finished_at`` instead of reading the whole table."""
    return qs.filter(
        Q(received_at__gte=start, received_at__lt=end)
        | Q(finished_at__gte=start, finished_at__lt=end)
        | Q(received_at__lt=end, finished_at__isnull=True)
        | Q(received_at__lt=end, finished_at__gte=ref)
    )


def _grouped_rows(qs, *, start: dt.datetime, end: dt.datetime, ref: dt.datetime) -> list[dict[str, Any]]:
    """One row per (agency, channel, bucket) with its counts: a single GROUP BY query."""
    from tinhso.payments.selectors import paid_intents

    received = Q(received_at__gte=start, received_at__lt=end)
    with_fee = received & Q(fee_amount__gt=0)
    # Paid online = the dossier's payment intent is paid (a fee recorded as cash at the counter
    # also sets fee_status "paid", but its intent is cancelled or absent). Evaluated only for
    # the few rows that have a paid fee (the conditions before it short-circuit).
    paid_intent = paid_intents().filter(public_id=OuterRef("payment_public_id"))
    return list(
        _candidates(qs, start=start, end=end, ref=ref)
        .order_by()
        .values("agency_id", "channel", state=_state_expression(start=start, end=end, ref=ref))
        .annotate(
            total=Count("pk"),
            received=Count("pk", filter=received),
            with_fee=Count("pk", filter=with_fee),
            paid_online=Count("pk", filter=with_fee & Q(fee_status="paid") & Q(Exists(paid_intent))),
            rated=Count("rating"),
            satisfied=Count("rating", filter=Q(rating__score__gte=4)),
        )
    )


def _not_digitised_by_agency(*, wanted: set[int] | None, start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Dossiers received in the period with at least one document not digitised, per agency
    (a second small GROUP BY over the documents; digitised = received − this)."""
    from tinhso.dossiers.models import DossierDocument

    docs = DossierDocument.objects.filter(
        dossier__received_at__gte=start, dossier__received_at__lt=end
    ).exclude(dossier__status__in=NOT_RECEIVED).exclude(_document_is_digitised_q())
    if wanted is not None:
        docs = docs.filter(dossier__agency_id__in=wanted)
    rows = docs.order_by().values("dossier__agency_id").annotate(n=Count("dossier_id", distinct=True))
    return {r["dossier__agency_id"]: r["n"] for r in rows}


def _add_row(figures: Figures, row: dict[str, Any]) -> None:
    channel = row["channel"] if row["channel"] in CHANNELS else "online"
    c = figures.counts
    c[f"received_{channel}"] += row["received"]
    state = row["state"]
    if state:
        c[f"{state}_{channel}"] += row["total"]
        if state.startswith("finished"):
            c["rated"] += row["rated"]
            c["satisfied"] += row["satisfied"]
    c["with_fee"] += row["with_fee"]
    c["paid_online"] += row["paid_online"]


def raw_counts(*, wanted: set[int] | None, start: dt.datetime, end: dt.datetime,
               ref: dt.datetime) -> dict[int, dict[str, int]]:
    """The statistics counts (stats.COUNT_KEYS) per agency, from the dossiers themselves."""
    from tinhso.dossiers.models import Dossier

    qs = Dossier.objects.exclude(status__in=NOT_RECEIVED).filter(received_at__isnull=False)
    if wanted is not None:
        qs = qs.filter(agency_id__in=wanted)
    rows = _grouped_rows(qs, start=start, end=end, ref=ref)
    not_digitised = _not_digitised_by_agency(wanted=wanted, start=start, end=end) if rows else {}
    by_agency: dict[int, Figures] = {}
    for row in rows:
        _add_row(by_agency.setdefault(row["agency_id"], Figures(key="", label="")), row)
    counts = {}
    for pk, figures in by_agency.items():
        figures.counts["digitised"] = figures.received - not_digitised.get(pk, 0)
        counts[pk] = figures.counts
    return counts
