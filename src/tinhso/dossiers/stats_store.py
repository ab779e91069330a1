"""The statistics read model: pre-aggregated daily counters kept in step with every change.

``stats.dossier_statistics`` reads these instead of scanning the dossiers of the period;
``stats.dossier_statistics_raw`` (the direct computation) stays the reference, and the tests
check that both agree.

Two tables (``models.DossierStatsEntry``, ``models.DossierStatsDay``):

* one **entry** per received dossier: the fields the statistics read (agency, channel,
  received/finished/due times, refused-or-withdrawn, fee, paid online, digitised, rating), as
  last counted;
* **daily counters** per (receiving agency, local day, channel).

:func:`stats_sync` recomputes a dossier's entry from the database, turns the old and the new
entry into their contributions to the counters (:func:`contributions`), and adds the difference
with one ``INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n`` (PostgreSQL and SQLite
≥ 3.24): atomic, so two officials acting at once never lose a count, and the counter rows are
locked in a fixed order (no deadlock) only until the end of the short service transaction.
It runs in the same transaction as the change: after every transition (``DossierFlow.after``)
and after the few changes that are not transitions (fee paid, rating, documents, apology).

"In progress at ``ref``" (received before the period's end, not finished at ``ref``, not
refused/withdrawn; overdue when ``due_at < ref``) needs no periodic snapshot:

* current period (``ref = now``): a live count over the open entries (partial index, small set);
* past period (``ref = end``, a local midnight): with ``r, f, d`` the local days of receipt,
  result and due date of a dossier that is not refused/withdrawn,
  ``in progress(E) = #(r < E) − #(max(r, f) < E)`` and
  ``overdue(E) = #(max(r, d) < E) − #(max(r, d, f) < E)``, i.e. running sums of the
  ``pending_in/out`` and ``overdue_in/out`` counters over the days before ``E``. Exact for any
  data, and always with the dossier's current due date and status (as the raw computation).

Bulk data that bypasses the services (``synthetic``, a restored dump, a fix in SQL) is brought
back in step with :func:`stats_rebuild` (``tinhso stats_rebuild``): a few grouped queries.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.fields import CharField, DateField, DateTimeField, IntegerField
from django.db.models.functions import Greatest, TruncDate

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHANNELS = ("online", "counter")
CLOSED_WITHOUT_RESULT = ("refused", "withdrawn")
NOT_RECEIVED = ("draft", "submitted")

METRICS = (
    "received", "finished_early", "finished_on_time", "finished_late", "with_fee", "paid_online", "digitised",
    "rated", "satisfied", "pending_in", "pending_out", "overdue_in", "overdue_out",
)
# Counted on the day of receipt or of the result, summed over the period's days.
PERIOD_METRICS = METRICS[:9]


@dataclass(frozen=True)
class Fact:
    """The fields of one received dossier that the statistics read (mirrors DossierStatsEntry)."""

    agency_id: int
    channel: str
    received_at: dt.datetime
    finished_at: dt.datetime | None
    due_at: dt.datetime | None
    closed: bool
    with_fee: bool
    paid_online: bool
    digitised: bool
    score: int | None

    FIELDS = ("agency_id", "channel", "received_at", "finished_at", "due_at", "closed", "with_fee", "paid_online",
              "digitised", "score")


def _day(value: dt.datetime) -> dt.date:
    return value.astimezone(TZ).date()


def finished_bucket(*, finished_at: dt.datetime, due_at: dt.datetime | None) -> str:
    """early: a local day before the due day; late: after ``due_at``; on time otherwise."""
    if due_at is None:
        return "finished_on_time"
    if _day(finished_at) < _day(due_at):
        return "finished_early"
    if finished_at > due_at:
        return "finished_late"
    return "finished_on_time"


Key = tuple[int, dt.date, str]  # agency, day, channel


def contributions(fact: Fact | None) -> Counter[tuple[Key, str]]:
    """The +1s that ``fact`` adds to the daily counters: ((agency, day, channel), metric)."""
    out: Counter[tuple[Key, str]] = Counter()
    if fact is None:
        return out
    a, ch = fact.agency_id, fact.channel
    r = _day(fact.received_at)
    out[((a, r, ch), "received")] += 1
    for flag in ("with_fee", "paid_online", "digitised"):
        if getattr(fact, flag):
            out[((a, r, ch), flag)] += 1
    if fact.closed:
        return out
    out[((a, r, ch), "pending_in")] += 1
    f = _day(fact.finished_at) if fact.finished_at is not None else None
    if f is not None:
        out[((a, f, ch), finished_bucket(finished_at=fact.finished_at, due_at=fact.due_at))] += 1
        if fact.score is not None:
            out[((a, f, ch), "rated")] += 1
            if fact.score >= 4:
                out[((a, f, ch), "satisfied")] += 1
        out[((a, max(r, f), ch), "pending_out")] += 1
    if fact.due_at is not None:
        d = _day(fact.due_at)
        out[((a, max(r, d), ch), "overdue_in")] += 1
        if f is not None:
            out[((a, max(r, d, f), ch), "overdue_out")] += 1
    return out


# --- the dossier's fact, from the database ------------------------------------------------------


def _paid_intent_exists():
    from tinhso.payments.selectors import paid_intents

    return Exists(paid_intents().filter(public_id=OuterRef("payment_public_id")))


def _undigitised_document_exists():
    from .models import DossierDocument

    # Digitised = flagged so and carrying a stored file (as stats_raw._document_is_digitised_q).
    return Exists(DossierDocument.objects.filter(dossier=OuterRef("pk")).exclude(is_digitised=True,
                                                                                  file__isnull=False))


def _fact_queryset(qs):
    """``qs`` of received dossiers annotated with the entry's columns (``f_*``), in Fact order."""
    channel = Case(When(channel="counter", then=Value("counter")), default=Value("online"), output_field=CharField())
    closed = Q(status__in=CLOSED_WITHOUT_RESULT)

    def unless_closed(name: str):
        # A refused/withdrawn dossier counts as received only: its result and due times are not
        # kept (refuse sets finished_at after its transition; this keeps the entry stable).
        return Case(When(closed, then=Value(None)), default=F(name), output_field=DateTimeField())

    return (
        qs.filter(received_at__isnull=False).exclude(status__in=NOT_RECEIVED).order_by()
        .annotate(
            f_agency=F("agency_id"), f_channel=channel, f_received=F("received_at"), f_finished=unless_closed("finished_at"),
            f_due=unless_closed("due_at"), f_closed=closed, f_with_fee=Q(fee_amount__gt=0),
            f_paid=Q(fee_amount__gt=0, fee_status="paid") & Q(_paid_intent_exists()),
            f_digitised=~Q(_undigitised_document_exists()), f_score=F("rating__score"),
        )
    )


FACT_COLUMNS = ("f_agency", "f_channel", "f_received", "f_finished", "f_due", "f_closed", "f_with_fee", "f_paid",
                "f_digitised", "f_score")


def _current_fact(dossier_id: int) -> Fact | None:
    from .models import Dossier

    # Lock the dossier row (already locked by the service in almost every case): the entry of
    # one dossier is then never recomputed by two transactions at once.
    if Dossier.objects.select_for_update().filter(pk=dossier_id).values_list("pk").first() is None:
        return None
    row = _fact_queryset(Dossier.objects.filter(pk=dossier_id)).values_list(*FACT_COLUMNS).first()
    if row is None:
        return None
    values = dict(zip(Fact.FIELDS, row, strict=True))
    for flag in ("closed", "with_fee", "paid_online", "digitised"):
        values[flag] = bool(values[flag])
    return Fact(**values)


def _stored_fact(entry) -> Fact | None:
    if entry is None:
        return None
    return Fact(**{name: getattr(entry, name) for name in Fact.FIELDS})


# --- writing -------------------------------------------------------------------------------------


def add_to_counters(deltas: dict[Key, dict[str, int]]) -> None:
    """Add ``deltas`` to the daily counters with one atomic upsert (rows in key order)."""
    from .models import DossierStatsDay

    rows = sorted((key, d) for key, d in deltas.items() if any(d.values()))
    if not rows:
        return
    q = connection.ops.quote_name
    table = q(DossierStatsDay._meta.db_table)
    columns = ("agency_id", "day", "channel", *METRICS)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Identifiers come from the model, every value is a parameter.
    values = ", ".join([placeholder] * len(rows))
    updates = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in METRICS)
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({q('agency_id')}, {q('day')}, {q('channel')}) DO UPDATE SET {updates}"
    )
    params: list = []
    for (agency_id, day, channel), d in rows:
        params += [agency_id, connection.ops.adapt_datefield_value(day), channel, *(d.get(m, 0) for m in METRICS)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _deltas(old: Fact | None, new: Fact | None) -> dict[Key, dict[str, int]]:
    diff: dict[Key, dict[str, int]] = defaultdict(dict)
    plus, minus = contributions(new), contributions(old)
    for (key, metric), n in plus.items():
        diff[key][metric] = diff[key].get(metric, 0) + n
    for (key, metric), n in minus.items():
        diff[key][metric] = diff[key].get(metric, 0) - n
    return diff


def stats_sync(*, dossier) -> None:
    """Bring the statistics of ``dossier`` (a Dossier or its id) in step with the database, in
    the caller's transaction. Cheap no-op for a dossier not received (nothing to count)."""
    from .models import DossierStatsEntry

    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    if not isinstance(dossier, int) and dossier.received_at is None:
        # Never received (receipt is never undone): not counted, no entry.
        return
    with transaction.atomic():
        new = _current_fact(dossier_id)
        entry = DossierStatsEntry.objects.filter(dossier_id=dossier_id).first()
        old = _stored_fact(entry)
        if old == new:
            return
        add_to_counters(_deltas(old, new))
        if new is None:
            DossierStatsEntry.objects.filter(dossier_id=dossier_id).delete()
        elif entry is None:
            DossierStatsEntry.objects.create(dossier_id=dossier_id, **new.__dict__)
        else:
            for name in Fact.FIELDS:
                setattr(entry, name, getattr(new, name))
            entry.save()


# --- rebuild -------------------------------------------------------------------------------------


def _insert_entries(dossiers_qs) -> int:
    """INSERT … SELECT the entries of ``dossiers_qs`` in one statement."""
    from .models import DossierStatsEntry

    qs = _fact_queryset(dossiers_qs).values_list("pk", *FACT_COLUMNS)
    select_sql, params = qs.query.sql_with_params()
    q = connection.ops.quote_name
    columns = ("dossier_id", "agency_id", "channel", "received_at", "finished_at", "due_at", "closed", "with_fee",
               "paid_online", "digitised", "score")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {q(DossierStatsEntry._meta.db_table)} ({', '.join(q(c) for c in columns)}) "
                       f"{select_sql}", params)
        return cursor.rowcount


def _counter_selects(entries) -> list:
    """The daily counters of ``entries`` (a DossierStatsEntry queryset) as grouped SELECTs of
    ``(agency_id, k, channel, m_<metric> …)``, the SQL twin of :func:`contributions`."""
    rd = TruncDate("received_at", tzinfo=TZ)
    fd = TruncDate("finished_at", tzinfo=TZ)
    dd = TruncDate("due_at", tzinfo=TZ)
    entries = entries.order_by()
    zero = Value(0, output_field=IntegerField())

    def shaped(qs, **metrics):
        qs = qs.annotate(**{f"m_{m}": metrics.get(m, zero) for m in METRICS})
        return qs.values_list("agency_id", "k", "channel", *(f"m_{m}" for m in METRICS))

    bucket = Case(
        When(due_at__isnull=True, then=Value("finished_on_time")),
        When(k_f__lt=F("k_d"), then=Value("finished_early")),
        When(finished_at__gt=F("due_at"), then=Value("finished_late")),
        default=Value("finished_on_time"), output_field=CharField(),
    )
    open_ = entries.filter(closed=False).annotate(k_r=rd, k_f=fd, k_d=dd)
    finished = open_.filter(finished_at__isnull=False)
    due = open_.filter(due_at__isnull=False)
    return [
        # On the day of receipt.
        shaped(entries.values("agency_id", "channel", k=rd), received=Count("pk"),
               with_fee=Count("pk", filter=Q(with_fee=True)), paid_online=Count("pk", filter=Q(paid_online=True)),
               digitised=Count("pk", filter=Q(digitised=True)), pending_in=Count("pk", filter=Q(closed=False))),
        # On the day of the result.
        shaped(finished.annotate(bucket=bucket).values("agency_id", "channel", k=F("k_f")),
               **{b: Count("pk", filter=Q(bucket=b)) for b in ("finished_early", "finished_on_time",
                                                               "finished_late")},
               rated=Count("score"), satisfied=Count("pk", filter=Q(score__gte=4))),
        shaped(finished.values("agency_id", "channel", k=Greatest("k_r", "k_f", output_field=DateField())),
               pending_out=Count("pk")),
        shaped(due.values("agency_id", "channel", k=Greatest("k_r", "k_d", output_field=DateField())),
               overdue_in=Count("pk")),
        shaped(due.filter(finished_at__isnull=False).values(
            "agency_id", "channel", k=Greatest("k_r", "k_d", "k_f", output_field=DateField())),
               overdue_out=Count("pk")),
    ]


def _insert_counters(entries) -> int:
    """INSERT … SELECT the daily counters of ``entries`` into the (emptied) counters table: the
    grouped SELECTs of :func:`_counter_selects`, summed per (agency, day, channel) in SQL."""
    from .models import DossierStatsDay

    parts, params = [], []
    for qs in _counter_selects(entries):
        sql, p = qs.query.sql_with_params()
        parts.append(sql)
        params.extend(p)
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("agency_id", "day", "channel", *METRICS))
    sums = ", ".join(f"SUM(u.{q('m_' + m)})" for m in METRICS)
    sql = (f"INSERT INTO {q(DossierStatsDay._meta.db_table)} ({columns}) "  # noqa: S608 - identifiers only
           f"SELECT u.{q('agency_id')}, u.{q('k')}, u.{q('channel')}, {sums} "
           f"FROM ({' UNION ALL '.join(parts)}) u GROUP BY u.{q('agency_id')}, u.{q('k')}, u.{q('channel')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def stats_rebuild(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute the whole read model from the dossiers (after bulk loads, restores or fixes in
    SQL; idempotent): one INSERT … SELECT of the entries, one of the counters (five grouped
    SELECTs), in one transaction (the statistics are never seen half rebuilt)."""
    from .models import Dossier, DossierStatsDay, DossierStatsEntry

    report = progress or (lambda _msg: None)
    started = time.monotonic()
    with transaction.atomic():
        for model in (DossierStatsDay, DossierStatsEntry):
            qs = model.objects.all()
            qs._raw_delete(qs.db)  # derived data: no signals, no cascade to collect
        entries = _insert_entries(Dossier.objects.all())
        report(f"  statistics: {entries:,} dossier entries ({time.monotonic() - started:.0f} s)")
        days = _insert_counters(DossierStatsEntry.objects.all())
        report(f"  statistics: {days:,} daily counter rows ({time.monotonic() - started:.0f} s)")
    return {"entries": entries, "days": days, "seconds": round(time.monotonic() - started, 1)}


# --- reading -------------------------------------------------------------------------------------


def counts_by_agency(*, wanted: Iterable[int] | None, start: dt.datetime, end: dt.datetime,
                     ref: dt.datetime) -> dict[int, dict[str, int]]:
    """The statistics counts (stats.COUNT_KEYS) per agency for ``[start, end)`` at ``ref``
    (``ref = min(now, end)``; ``start``/``end`` local midnights): one grouped query over the daily
    counters, plus, for a period not over yet, two small live counts over the open entries."""
    from .models import DossierStatsDay, DossierStatsEntry

    start_day, end_day = _day(start), _day(end)
    days = DossierStatsDay.objects.order_by()
    entries = DossierStatsEntry.objects.order_by()
    if wanted is not None:
        wanted = list(wanted)
        days, entries = days.filter(agency_id__in=wanted), entries.filter(agency_id__in=wanted)
    live = ref < end
    in_period = Q(day__gte=start_day)
    if live:
        rows = days.filter(day__gte=start_day, day__lt=end_day).values("agency_id", "channel").annotate(
            **{m: Sum(m) for m in PERIOD_METRICS})
    else:
        rows = days.filter(day__lt=end_day).values("agency_id", "channel").annotate(
            **{m: Sum(m, filter=in_period) for m in PERIOD_METRICS},
            pending=Sum(F("pending_in") - F("pending_out")), overdue=Sum(F("overdue_in") - F("overdue_out")))
    result: dict[int, dict[str, int]] = {}

    def counts(agency_id: int) -> dict[str, int]:
        return result.setdefault(agency_id, defaultdict(int))

    for r in rows:
        c, ch = counts(r["agency_id"]), r["channel"]
        c[f"received_{ch}"] += r["received"] or 0
        for m in ("finished_early", "finished_on_time", "finished_late"):
            c[f"{m}_{ch}"] += r[m] or 0
        for m in ("with_fee", "paid_online", "digitised", "rated", "satisfied"):
            c[m] += r[m] or 0
        if not live:
            c[f"in_progress_overdue_{ch}"] += r["overdue"] or 0
            c[f"in_progress_on_time_{ch}"] += (r["pending"] or 0) - (r["overdue"] or 0)
    if live:
        open_at_ref = entries.filter(closed=False, received_at__lt=end)
        # Two queries rather than one OR, so each uses its index (the partial open-set index;
        # finished_at for results dated at or after ``ref``, which only a ``now`` in the past
        # sees). A result dated in the period counts as finished, never also as in progress.
        later = open_at_ref.filter(finished_at__gte=ref).exclude(finished_at__gte=start, finished_at__lt=end)
        for qs in (open_at_ref.filter(finished_at__isnull=True), later):
            for r in qs.values("agency_id", "channel").annotate(n=Count("pk"),
                                                                 overdue=Count("pk", filter=Q(due_at__lt=ref))):
                c, ch = counts(r["agency_id"]), r["channel"]
                c[f"in_progress_overdue_{ch}"] += r["overdue"]
                c[f"in_progress_on_time_{ch}"] += r["n"] - r["overdue"]
    return {a: dict(c) for a, c in result.items()}
