"""Synthetic dossier volume for load tests and benchmarks (``tinhso demo --scale N``).

``synthetic_generate`` adds ``n`` dossiers spread over the last 24 months across every receiving
agency of the published procedures (commune People's Committees for commune-level procedures,
the departments in charge otherwise), with a realistic mix: finished early / on time / late, in
progress within the deadline or overdue, refused, withdrawn, a few waiting for receipt; ~70 %
online and ~30 % at the counter; fees paid online (with a paid payment intent) for most online
dossiers with a fee; steps copied from the procedure with their deadlines; ratings for some
returned dossiers; a paper (not digitised) document for counter dossiers.

Rows are written with ``bulk_create`` in batches (default 5,000 dossiers), in day order, so a
batch touches only a few code counters. Codes are real ``<agency code>-<YYMMDD>-<NNNN>`` codes
numbered after the agency's ``DossierCounter`` of that day, and the counters are advanced in the
same transaction as each batch: a real submission made later never collides with a synthetic
code, even if the generation is interrupted.

No audit events, notifications or workflow transition logs are written: synthetic bulk data is
not a user action (an audit trail of a million invented actions would only drown the real one
and break nothing that the benchmarks measure). Synthetic rows are marked instead — every
applicant belongs to a pool of users whose e-mail ends with ``@`` + ``SYNTHETIC_DOMAIN`` (unusable
passwords, never able to log in) and every dossier carries ``form_data["synthetic"] = True`` — so
``synthetic_purge`` (``tinhso demo --scale 0 --purge-synthetic``) removes exactly them.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from tinhso.workflow.calendar import to_local

from . import deadlines
from .models import (
    ApologySlip,
    Channel,
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierStatsEntry,
    DossierStep,
    FeeStatus,
    Rating,
    Refusal,
    ResultMethod,
    Status,
    SupplementRequest,
)
from .stats_store import stats_rebuild

SYNTHETIC_DOMAIN = "synthetic.tinhso.invalid"
SYNTHETIC_MARKER = "synthetic"
BILL_PREFIX = "SYN"
DEFAULT_BATCH = 5_000
SPAN_DAYS = 730  # 24 months
USERS_PER_DOSSIER = 1 / 20

_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô",
           "Hồ", "Dương", "Lý", "Tô", "Châu", "Lâm", "Quách")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoài", "Quốc", "Thu", "Bảo", "Gia", "Kim", "Hữu")
_GIVEN = ("An", "Bình", "Cúc", "Dũng", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Khánh", "Lan", "Linh",
          "Lộc", "Mai", "Nam", "Nga", "Nhân", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tú", "Vy",
          "Xuân", "Yến")
_B32 = string.ascii_uppercase + "234567"


@dataclass
class _Proc:
    obj: object
    fee: int
    steps: list  # ProcedureStep rows
    agencies: list  # Agency rows that receive it
    weight: float
    due_cache: dict = field(default_factory=dict)


@dataclass
class SyntheticResult:
    dossiers: int = 0
    steps: int = 0
    users: int = 0
    intents: int = 0
    ratings: int = 0
    documents: int = 0
    seconds: float = 0.0


def synthetic_pool():
    """The synthetic applicants (a queryset of users)."""
    return get_user_model().objects.filter(email__endswith="@" + SYNTHETIC_DOMAIN)


def synthetic_dossiers():
    return Dossier.objects.filter(applicant__in=synthetic_pool())


def _procedures() -> list[_Proc]:
    from tinhso.procedures.models import Procedure
    from tinhso.procedures.selectors import receiving_agencies

    out = []
    qs = Procedure.objects.filter(is_published=True).prefetch_related("steps", "fees").order_by("code")
    for p in qs:
        agencies = list(receiving_agencies(procedure=p))
        if not agencies:
            continue
        commune = p.implementing_level == "commune"
        out.append(_Proc(obj=p, fee=int(p.total_fee or 0), steps=sorted(p.steps.all(), key=lambda s: s.order),
                         agencies=agencies, weight=6.0 if commune else 1.0))
    return out


def _dues(proc: _Proc, day: dt.date) -> tuple[dt.datetime, list[dt.datetime]]:
    """Due date of the dossier and of its steps for a receipt on ``day`` (computed once per
    procedure and day from a morning receipt: the working-day calendar is not cheap)."""
    hit = proc.due_cache.get(day)
    if hit is None:
        start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone())
        due = deadlines.due_at_receipt(procedure=proc.obj, received_at=start)
        steps = deadlines.step_due_dates(procedure=proc.obj, start=start, days=[s.days for s in proc.steps])
        hit = proc.due_cache[day] = (due, steps)
    return hit


def _working_days(today: dt.date, span: int) -> list[dt.date]:
    days = [today - dt.timedelta(days=i) for i in range(span, -1, -1)]
    return [d for d in days if d.weekday() < 5]


def _per_day(n: int, days: list[dt.date], rng: random.Random) -> list[int]:
    """Spread ``n`` over ``days`` with a gentle upward trend and some noise; sums to ``n``."""
    if not days or n <= 0:
        return [0] * len(days)
    weights = [(1.0 + 0.6 * i / len(days)) * rng.uniform(0.8, 1.2) for i in range(len(days))]
    total = sum(weights)
    counts, acc, given = [], 0.0, 0
    for w in weights:
        acc += n * w / total
        k = round(acc) - given
        counts.append(k)
        given += k
    counts[-1] += n - given
    return counts


def _create_users(count: int, *, tag: str, batch: int, rng: random.Random) -> list[int]:
    User = get_user_model()
    ids: list[int] = []
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
            rows.append(User(email=f"cd-{tag}-{i:07d}@{SYNTHETIC_DOMAIN}", full_name=name, kind="citizen",
                             password="!" + secrets.token_urlsafe(30)))  # unusable password
        with transaction.atomic():
            created = User.objects.bulk_create(rows, batch_size=batch)
        if created and created[0].pk is None:  # a backend without RETURNING
            ids = list(synthetic_pool().filter(email__contains=f"cd-{tag}-").values_list("pk", flat=True))
        else:
            ids.extend(u.pk for u in created)
    return ids


def _secret(rng: random.Random) -> str:
    return "".join(rng.choice(_B32) for _ in range(8))


def _at(day: dt.date, hour: float) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) + dt.timedelta(hours=hour)


class _Builder:
    """Builds the rows of one dossier at a time; the caller flushes them per batch."""

    def __init__(self, *, now: dt.datetime, rng: random.Random, users: list[int]):
        self.now = now
        self.rng = rng
        self.users = users
        self.tz = timezone.get_current_timezone()

    def dossier(self, proc: _Proc, agency, day: dt.date) -> tuple[Dossier, dict]:
        rng, now = self.rng, self.now
        channel = Channel.ONLINE if rng.random() < 0.7 else Channel.COUNTER
        received = _at(day, rng.uniform(7.5, 16.5))
        if received > now:
            received = now - dt.timedelta(minutes=rng.uniform(1, 120))
        if channel == Channel.ONLINE:
            submitted = received - dt.timedelta(hours=rng.uniform(0.2, 20))
        else:
            submitted = received
        code_day = to_local(submitted).date()
        due, step_dues = _dues(proc, to_local(received).date())
        extra = {"step_dues": step_dues, "proc": proc}
        d = Dossier(
            tracking_secret=_secret(rng), procedure_id=proc.obj.pk, applicant_id=rng.choice(self.users),
            agency_id=agency.pk, current_agency_id=agency.pk, channel=channel,
            form_data={SYNTHETIC_MARKER: True}, created_at=submitted, submitted_at=submitted,
            fee_amount=proc.fee,
        )
        extra["code_day"] = code_day
        age_days = (now - received).total_seconds() / 86400
        u = rng.random()
        if channel == Channel.ONLINE and age_days < 2 and u < 0.25:
            d.status = Status.SUBMITTED  # waiting for the one-stop desk
            d.current_agency_id = None
            return d, extra
        if channel == Channel.ONLINE and u < 0.01:
            d.status = Status.WITHDRAWN
            d.current_agency_id = None
            d.finished_at = None
            return d, extra
        d.received_at, d.due_at = received, due
        if proc.fee > 0:
            d.fee_status = FeeStatus.PENDING
        if u < 0.04:
            d.status = Status.REFUSED
            d.finished_at = min(now, received + dt.timedelta(hours=rng.uniform(1, 48)))
            d.fee_status = FeeStatus.NOT_REQUIRED
            extra["done_steps"] = 1
            return d, extra
        finished = None
        if rng.random() < (0.96 if due < now else 0.35):
            r = rng.random()
            if r < 0.55 and to_local(due).date() > to_local(received).date():
                last = _at(to_local(due).date(), 0) - dt.timedelta(minutes=1)
                finished = received + (last - received) * rng.uniform(0.1, 1.0)
            elif r < 0.87:
                start = max(received, _at(to_local(due).date(), 7.5))
                finished = start + (due - start) * rng.uniform(0.0, 1.0) if due > start else due
            else:
                finished = due + dt.timedelta(hours=rng.uniform(2, 240))
            if finished > now:
                finished = None
        if finished is not None:
            d.finished_at = finished
            d.is_overdue = finished > due
            extra["done_steps"] = len(proc.steps)
            returned = finished + dt.timedelta(hours=rng.uniform(0.5, 72))
            if returned <= now and rng.random() < 0.95:
                d.status = Status.DONE
                d.returned_at = returned
                d.result_method = ResultMethod.ONLINE if channel == Channel.ONLINE else ResultMethod.COUNTER
            else:
                d.status = Status.RESULT_READY
        else:
            d.is_overdue = due < now
            r = rng.random()
            n_steps = len(proc.steps)
            if r < 0.15 and n_steps > 1:
                d.status = Status.AWAITING_APPROVAL
                extra["done_steps"] = n_steps - 1
            elif r < 0.20:
                d.status = Status.SUPPLEMENT_REQUESTED
                d.paused_at = received + (now - received) * rng.uniform(0.2, 0.9)
                extra["done_steps"] = 1 if n_steps > 1 else 0
            else:
                d.status = Status.PROCESSING
                extra["done_steps"] = 1 if n_steps > 1 else 0
        if proc.fee > 0 and d.status != Status.REFUSED:
            if channel == Channel.COUNTER:
                d.fee_status = FeeStatus.PAID  # cash at the counter: no payment intent
            elif finished is not None or rng.random() < 0.6:
                if rng.random() < 0.85:
                    d.fee_status = FeeStatus.PAID
                    d.payment_public_id = _uuid(rng)
                    extra["paid_at"] = received + dt.timedelta(hours=rng.uniform(0.1, 30))
        return d, extra

    def steps(self, d: Dossier, extra: dict) -> list[DossierStep]:
        proc: _Proc = extra["proc"]
        if d.received_at is None:
            return []
        done = extra.get("done_steps", 0)
        rows = []
        prev = d.received_at
        end = d.finished_at or self.now
        n = max(1, len(proc.steps))
        for i, (spec, due) in enumerate(zip(proc.steps, extra["step_dues"], strict=True)):
            agency_id = spec.agency_id if (spec.agency_rule == "specific" and spec.agency_id) else d.agency_id
            step = DossierStep(dossier_id=d.pk, order=spec.order, name=spec.name, agency_id=agency_id,
                               role_code=spec.role_code, days=spec.days, due_at=due)
            if i < done:
                step.started_at = prev
                step.finished_at = prev + (end - prev) * (1 / (n - i)) * self.rng.uniform(0.3, 1.0)
                prev = step.finished_at
            elif i == done and d.status in (Status.PROCESSING, Status.AWAITING_APPROVAL, Status.SUPPLEMENT_REQUESTED):
                step.started_at = prev
                d.current_agency_id = agency_id
            rows.append(step)
        return rows


def _uuid(rng: random.Random):
    import uuid

    return uuid.UUID(int=rng.getrandbits(128), version=4)


def synthetic_generate(*, n: int, batch_size: int = DEFAULT_BATCH, seed: int | None = None,
                       now: dt.datetime | None = None, span_days: int = SPAN_DAYS,
                       progress: Callable[[str], None] | None = None) -> SyntheticResult:
    """Add ``n`` synthetic dossiers (see the module docstring). Needs the demo catalogue and
    agencies (``tinhso demo``). Returns the numbers of rows written."""
    from tinhso.core.errors import ValidationFailed
    from tinhso.payments.models import PaymentIntent

    started = time.monotonic()
    result = SyntheticResult()
    if n <= 0:
        return result
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    now = now or timezone.now()
    procs = _procedures()
    if not procs:
        raise ValidationFailed("No published procedure with a receiving agency: run `tinhso demo` first.")
    report = progress or (lambda _msg: None)
    tag = f"{int(time.time()):x}{rng.randrange(16**3):03x}"
    n_users = max(1, int(n * USERS_PER_DOSSIER))
    report(f"Creating {n_users} synthetic applicants …")
    users = _create_users(n_users, tag=tag, batch=batch_size, rng=rng)
    result.users = len(users)

    today = to_local(now).date()
    days = _working_days(today, span_days)
    per_day = _per_day(n, days, rng)
    proc_weights = [p.weight for p in procs]
    counters: dict[tuple[int, dt.date], int] = {
        (c.agency_id, c.date): c.last_number
        for c in DossierCounter.objects.filter(date__gte=days[0] - dt.timedelta(days=2))
    }
    dossier_ct = ContentType.objects.get_for_model(Dossier)
    builder = _Builder(now=now, rng=rng, users=users)
    bill_seq = int(time.time() * 10) % 10**9

    def plan():
        for day, k in zip(days, per_day, strict=True):
            for _ in range(k):
                proc = rng.choices(procs, weights=proc_weights)[0]
                yield proc, rng.choice(proc.agencies), day

    pending: list[tuple[Dossier, dict]] = []

    def flush():
        nonlocal bill_seq
        if not pending:
            return
        touched = {(d.agency_id, extra["code_day"]) for d, extra in pending}
        with transaction.atomic():
            DossierCounter.objects.bulk_create(
                [DossierCounter(agency_id=a, date=day, last_number=counters[(a, day)]) for a, day in touched],
                update_conflicts=True, unique_fields=["agency", "date"], update_fields=["last_number"],
            )
            created = Dossier.objects.bulk_create([d for d, _e in pending], batch_size=batch_size)
            if created and created[0].pk is None:  # no RETURNING: look the ids up by code
                ids = dict(Dossier.objects.filter(code__in=[d.code for d in created]).values_list("code", "pk"))
                for d in created:
                    d.pk = d.id = ids[d.code]
            steps, intents, ratings, docs = [], [], [], []
            for d, extra in pending:
                steps.extend(builder.steps(d, extra))
                if d.payment_public_id:
                    bill_seq += 1
                    intents.append(PaymentIntent(
                        public_id=d.payment_public_id, payer_id=d.applicant_id, payee_agency_id=d.agency_id,
                        amount=d.fee_amount, purpose="dossier_fee", description=f"Phí, lệ phí hồ sơ {d.code}",
                        content_type=dossier_ct, object_id=str(d.pk), status="paid",
                        bill_number=f"{BILL_PREFIX}{bill_seq:012d}", gateway="sandbox",
                        payee_bank_bin="970405", payee_bank_name="Synthetic", payee_account_number="0000000000",
                        payee_account_name="SYNTHETIC", vietqr_payload="", created_at=d.received_at,
                        expires_at=d.received_at + dt.timedelta(days=7), paid_at=extra["paid_at"],
                        closed_at=extra["paid_at"],
                    ))
                if d.status == Status.DONE and rng.random() < 0.3:
                    score = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 10, 6, 4))[0]
                    ratings.append(Rating(dossier_id=d.pk, score=score, created_at=d.returned_at))
                if d.channel == Channel.COUNTER and d.received_at is not None:
                    docs.append(DossierDocument(dossier_id=d.pk, requirement_code="giay-to", name="Giấy tờ (bản giấy)",
                                                uploaded_by_id=d.applicant_id, is_digitised=False,
                                                created_at=d.received_at))
            DossierStep.objects.bulk_create(steps, batch_size=batch_size)
            PaymentIntent.objects.bulk_create(intents, batch_size=batch_size)
            Rating.objects.bulk_create(ratings, batch_size=batch_size)
            DossierDocument.objects.bulk_create(docs, batch_size=batch_size)
        result.dossiers += len(pending)
        result.steps += len(steps)
        result.intents += len(intents)
        result.ratings += len(ratings)
        result.documents += len(docs)
        pending.clear()
        report(f"  {100 * result.dossiers / n:5.1f} %  {result.dossiers:,} / {n:,} synthetic dossiers "
               f"({time.monotonic() - started:.0f} s)")

    for proc, agency, day in plan():
        d, extra = builder.dossier(proc, agency, day)
        key = (agency.pk, extra["code_day"])
        counters[key] = counters.get(key, 0) + 1
        d.code = f"{agency.code}-{extra['code_day']:%y%m%d}-{counters[key]:04d}"
        pending.append((d, extra))
        if len(pending) >= batch_size:
            flush()
    flush()
    # Bulk rows bypass the services: bring the statistics read model in step (a few grouped
    # queries; if a run is interrupted before this, `tinhso stats_rebuild` does the same).
    report("Rebuilding the statistics …")
    stats_rebuild(progress=report)
    result.seconds = round(time.monotonic() - started, 1)
    return result


def synthetic_purge(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Delete every synthetic dossier (with its steps, documents, ratings, payment intents) and
    the synthetic applicants. Code counters are left as they are: numbers are never reused."""
    from tinhso.payments.models import PaymentIntent

    report = progress or (lambda _msg: None)
    pool = synthetic_pool()
    dossiers = Dossier.objects.filter(applicant__in=pool)
    counts: dict[str, int] = {}
    with transaction.atomic():
        for label, model in (("ratings", Rating), ("documents", DossierDocument), ("steps", DossierStep),
                             ("supplement_requests", SupplementRequest), ("refusals", Refusal),
                             ("apologies", ApologySlip)):
            qs = model.objects.filter(dossier__in=dossiers)
            counts[label] = qs._raw_delete(qs.db)  # no signals, no cascade collection: bulk data
            report(f"  {counts[label]:,} {label}")
        intents = PaymentIntent.objects.filter(payer__in=pool, bill_number__startswith=BILL_PREFIX)
        counts["payment_intents"] = intents._raw_delete(intents.db)
        # The statistics entries point at the dossiers: removed first, counters rebuilt below.
        entries = DossierStatsEntry.objects.filter(dossier__in=dossiers)
        counts["stats_entries"] = entries._raw_delete(entries.db)
        counts["dossiers"] = dossiers._raw_delete(dossiers.db)
        users = synthetic_pool()
        counts["users"] = users._raw_delete(users.db)
        stats_rebuild(progress=report)
    report(f"  {counts['payment_intents']:,} payment intents, {counts['dossiers']:,} dossiers, "
           f"{counts['users']:,} synthetic applicants removed")
    return counts
