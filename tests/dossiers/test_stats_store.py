"""The statistics read model (``stats_store``) against the direct computation
(``stats.dossier_statistics_raw``): after real service calls, after a rebuild of random bulk
data, and under concurrent increments (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dossiers.factories import FORM_DATA, ProcedureFactory, Team, payee_account, upload, uploads
from tests.dossiers.test_staff_support import world_fixture  # noqa: F401 - fixture
from tests.dossiers.test_stats import crafted  # noqa: F401 - fixture
from tests.factories import AgencyFactory, UserFactory
from tinhso.dossiers import services, stats, stats_store
from tinhso.dossiers.models import Dossier, DossierStatsDay, DossierStatsEntry, FeeStatus, Status

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FORM = FORM_DATA


def at(y, m, d, h=10, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=TZ)


class Clock:
    """``timezone.now`` for the services, moved by the test."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def go(self, when: dt.datetime) -> None:
        assert when >= self.now
        self.now = when


@pytest.fixture
def clock():
    c = Clock(at(2025, 11, 3, 8))
    with mock.patch("django.utils.timezone.now", c):
        yield c


def _active(figures: list[stats.Figures]) -> dict[str, dict[str, int]]:
    return {f.key: dict(f.counts) for f in figures if f.has_activity}


def assert_same(user, period: stats.Period, now: dt.datetime, agency_ids=None) -> stats.Report:
    agg = stats.dossier_statistics(user=user, period=period, now=now, agency_ids=agency_ids)
    raw = stats.dossier_statistics_raw(user=user, period=period, now=now, agency_ids=agency_ids)
    where = f"{period.slug} at {now.isoformat()}"
    assert dict(agg.total.counts) == dict(raw.total.counts), where
    assert _active(agg.agencies) == _active(raw.agencies), where
    assert _active(agg.communes) == _active(raw.communes), where
    return agg


PERIODS = [
    *(stats.Period(kind="month", year=y, number=m) for y, m in ((2025, 10), (2025, 11), (2025, 12), (2026, 1),
                                                                (2026, 2), (2026, 3))),
    stats.Period(kind="quarter", year=2025, number=4),
    stats.Period(kind="quarter", year=2026, number=1),
    stats.Period(kind="quarter", year=2026, number=2),
    stats.Period(kind="year", year=2025),
    stats.Period(kind="year", year=2026),
]


def assert_all_periods(user, now: dt.datetime) -> None:
    for period in PERIODS:
        assert_same(user, period, now)


def assert_rebuild_changes_nothing() -> None:
    before_days = set(DossierStatsDay.objects.exclude(
        received=0, finished_early=0, finished_on_time=0, finished_late=0, with_fee=0, paid_online=0, digitised=0,
        rated=0, satisfied=0, pending_in=0, pending_out=0, overdue_in=0, overdue_out=0,
    ).values_list("agency_id", "day", "channel", *stats_store.METRICS))
    before_entries = set(DossierStatsEntry.objects.values_list())
    stats_store.stats_rebuild()
    assert set(DossierStatsDay.objects.values_list("agency_id", "day", "channel", *stats_store.METRICS)) == before_days
    assert set(DossierStatsEntry.objects.values_list()) == before_entries


# --- (1) a realistic sequence of service calls ----------------------------------------------------


@pytest.mark.django_db
def test_read_model_follows_every_service_call(clock):
    from tinhso.payments import services as pay
    from tinhso.payments.models import PaymentIntent

    a, b = AgencyFactory(), AgencyFactory()
    payee_account(a)  # a's fees are paid online; b has no account: cash at the counter
    ta, tb = Team(a), Team(b)
    proc_a, free_a = ProcedureFactory(agency=a), ProcedureFactory(agency=a, fee=0)
    proc_b = ProcedureFactory(agency=b)
    admin = UserFactory(is_superuser=True, is_staff=True)
    citizens = [UserFactory() for _ in range(4)]

    def submit(proc, agency, who):
        return services.dossier_create_and_submit(applicant=who, procedure=proc, agency=agency,
                                                  form_data=dict(FORM), uploads=uploads(), idempotency_key=None)

    def check():
        assert_same(admin, stats.Period(kind="month", year=clock.now.year, number=clock.now.month), clock.now)
        assert_same(admin, stats.Period(kind="year", year=clock.now.year), clock.now)
        assert_same(ta.clerk, stats.Period(kind="year", year=clock.now.year), clock.now)

    # d1: online at a, fee paid online, early, rated 5.
    d1 = submit(proc_a, a, citizens[0])
    clock.go(at(2025, 11, 3, 9))
    d1 = services.dossier_receive(dossier=d1, actor=ta.clerk)
    check()
    clock.go(at(2025, 11, 4, 10))
    d1 = services.dossier_step_complete(dossier=d1, actor=ta.specialist)
    d1 = services.dossier_approve(dossier=d1, actor=ta.leader, result_file=upload("kq.pdf"))
    check()
    assert pay.payment_confirm(intent=PaymentIntent.objects.get(public_id=d1.payment_public_id),
                               gateway="sandbox", reference="T1")
    d1.refresh_from_db()
    d1 = services.dossier_return_result(dossier=d1, actor=ta.clerk, method="online")
    services.dossier_rate(dossier=d1, actor=citizens[0], score=5)
    check()

    # d2: online at a, supplements before and after receipt, approval rejected, late, cash, rated 2.
    d2 = submit(proc_a, a, citizens[1])
    d2 = services.dossier_request_supplement(dossier=d2, actor=ta.clerk, reason="Thiếu bản sao")
    d2 = services.dossier_resubmit(dossier=d2, actor=citizens[1])
    clock.go(at(2025, 11, 5, 14))
    d2 = services.dossier_receive(dossier=d2, actor=ta.clerk)
    d2 = services.dossier_request_supplement(dossier=d2, actor=ta.clerk, reason="Bổ sung tờ khai")
    check()
    clock.go(at(2025, 11, 20, 9))
    services.dossier_attach(dossier=d2, actor=citizens[1], requirement_code="don", uploaded=upload("don2.pdf"))
    d2 = services.dossier_resubmit(dossier=d2, actor=citizens[1])
    d2 = services.dossier_step_complete(dossier=d2, actor=ta.specialist)
    d2 = services.dossier_reject_approval(dossier=d2, actor=ta.leader, reason="Thẩm định lại")
    check()

    # d3: at b's counter, paper documents, later scanned; overdue, apology; still in progress.
    clock.go(at(2025, 11, 24, 8))
    d3 = services.dossier_record_at_counter(clerk=tb.clerk, agency=b, procedure=proc_b, applicant=citizens[2],
                                            form_data=dict(FORM))
    check()
    clock.go(at(2025, 11, 25, 9))
    services.dossier_attach(dossier=d3, actor=tb.clerk, requirement_code="don", uploaded=upload("scan1.pdf"))
    services.dossier_attach(dossier=d3, actor=tb.clerk, requirement_code="cccd", uploaded=upload("scan2.pdf"))
    check()

    # d4: online at b, withdrawn before receipt. d5: online at a, refused after receipt.
    d4 = submit(proc_b, b, citizens[3])
    services.dossier_withdraw(dossier=d4, actor=citizens[3], reason="Nộp nhầm")
    d5 = services.dossier_receive(dossier=submit(free_a, a, citizens[3]), actor=ta.clerk)
    clock.go(at(2025, 12, 2, 9))
    services.dossier_refuse(dossier=d5, actor=ta.clerk, reason="Không đủ điều kiện")
    check()

    # d2 goes on: late result in December, cash recorded at the counter, returned, rated 2.
    clock.go(at(2025, 12, 10, 15))
    d2 = services.dossier_step_complete(dossier=d2, actor=ta.specialist)
    d2 = services.dossier_approve(dossier=d2, actor=ta.leader)
    assert d2.fee_status == FeeStatus.PENDING
    d2 = services.dossier_fee_record_at_counter(dossier=d2, actor=ta.clerk)
    d2 = services.dossier_return_result(dossier=d2, actor=ta.clerk, method="counter")
    services.dossier_rate(dossier=d2, actor=citizens[1], score=2)
    check()

    # d3 is overdue by now: apology with a new date in January.
    services.dossier_apologise(dossier=d3, actor=tb.clerk, reason="Chờ xác minh", new_due_at=at(2026, 1, 15, 17))
    check()

    # d6: online at b, received on the last day of the year, still in progress (overdue later).
    clock.go(at(2025, 12, 31, 16))
    d6 = services.dossier_receive(dossier=submit(proc_b, b, citizens[0]), actor=tb.clerk)
    check()

    # d7: at a's counter in January, free, finished early, rated 4.
    clock.go(at(2026, 1, 5, 9))
    d7 = services.dossier_record_at_counter(clerk=ta.clerk, agency=a, procedure=free_a, applicant=citizens[2],
                                            form_data=dict(FORM))
    d7 = services.dossier_step_complete(dossier=d7, actor=ta.specialist)
    d7 = services.dossier_approve(dossier=d7, actor=ta.leader)
    d7 = services.dossier_return_result(dossier=d7, actor=ta.clerk, method="counter")
    services.dossier_rate(dossier=d7, actor=citizens[2], score=4)
    check()

    # d3 finishes late in February; d6 stays overdue.
    clock.go(at(2026, 2, 16, 10))
    d3 = services.dossier_step_complete(dossier=d3, actor=tb.specialist)
    d3 = services.dossier_approve(dossier=d3, actor=tb.leader)
    check()
    assert {Dossier.objects.get(pk=d.pk).status for d in (d1, d2, d3, d4, d5, d6, d7)} == {
        Status.DONE, Status.RESULT_READY, Status.WITHDRAWN, Status.REFUSED, Status.PROCESSING}

    for now in (clock.now, at(2026, 6, 1, 9)):
        assert_all_periods(admin, now)
    year = assert_same(admin, stats.Period(kind="year", year=2025), clock.now)
    t = year.total
    # received d1 d2 d3 d5 (refused later) d6; finished d1 d2; in progress at 1/1: d3 (new date), d6.
    assert (t.received, t.finished, t.in_progress, t.get("in_progress_overdue")) == (5, 2, 2, 0)
    assert (t.counts["with_fee"], t.counts["paid_online"], t.counts["rated"], t.counts["satisfied"]) == (4, 1, 2, 1)
    assert_same(tb.clerk, stats.Period(kind="quarter", year=2025, number=4), clock.now)
    assert_same(admin, stats.Period(kind="year", year=2025), clock.now, agency_ids=[b.pk])
    assert_rebuild_changes_nothing()


# --- (2) random bulk data, rebuilt -----------------------------------------------------------------

MOMENTS = st.builds(
    lambda day, minute: at(2025, 12, 1, 0) + dt.timedelta(days=day, minutes=minute),
    st.integers(min_value=0, max_value=130), st.integers(min_value=0, max_value=24 * 60 - 1),
)
# Offsets in minutes from receipt: mostly within hours (same day / day boundaries), some weeks,
# a few negative (data the services never write, still counted exactly).
OFFSET = st.one_of(st.integers(min_value=-600, max_value=3000), st.integers(min_value=-3000, max_value=40 * 1440))
DOSSIER = st.fixed_dictionaries({
    "agency": st.integers(min_value=0, max_value=1),
    "channel": st.sampled_from(["online", "counter"]),
    "status": st.sampled_from(["submitted", "supplement_requested", "processing", "awaiting_approval",
                               "result_ready", "done", "refused", "withdrawn"]),
    "received": MOMENTS,
    "late_by": st.one_of(st.none(), OFFSET),
    "due_in": st.one_of(st.none(), OFFSET),
    "fee": st.sampled_from([0, 0, 20000]),
    "fee_status": st.sampled_from(["pending", "paid"]),
    "intent_paid": st.booleans(),
    "docs": st.lists(st.sampled_from(["scan", "flag_only", "paper"]), max_size=2),
    "score": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
})


@pytest.fixture
def bulk_world(db):
    """Set up once per test function; every hypothesis example runs in a savepoint rolled back."""
    agencies = [AgencyFactory(), AgencyFactory()]
    procedure = ProcedureFactory(agency=agencies[0], fee=0)
    procedure.agencies.add(agencies[1])
    applicant = UserFactory()
    return {"agencies": agencies, "procedure": procedure, "applicant": applicant,
            "admin": UserFactory(is_superuser=True, is_staff=True), "file": _stored_file(applicant)}


def _stored_file(owner):
    from tinhso.files.services import file_upload

    return file_upload(owner=owner, uploaded=upload("scan.pdf"), purpose=services.DOCUMENT_PURPOSE)


def _bulk(world, specs) -> None:
    """Rows as bulk loads write them (no services), then the rebuild."""
    import uuid

    from tinhso.dossiers.models import DossierDocument, Rating
    from tinhso.payments.models import PaymentIntent

    for i, s in enumerate(specs):
        received = s["received"] if s["status"] != "submitted" else None
        finished = None
        if s["status"] in ("result_ready", "done", "refused", "withdrawn") and s["late_by"] is not None:
            finished = s["received"] + dt.timedelta(minutes=s["late_by"])
        if s["status"] == "withdrawn":
            received = None
        due = s["received"] + dt.timedelta(minutes=s["due_in"]) if s["due_in"] is not None and received else None
        pay_id = uuid.uuid4() if s["fee"] else None
        d = Dossier.objects.create(
            procedure=world["procedure"], applicant=world["applicant"], agency=world["agencies"][s["agency"]],
            code=f"T-{uuid.uuid4().hex[:12]}-{i}", channel=s["channel"], status=s["status"], received_at=received,
            finished_at=finished, due_at=due, fee_amount=s["fee"], fee_status=s["fee_status"] if s["fee"] else
            "not_required", payment_public_id=pay_id,
        )
        if pay_id:
            PaymentIntent.objects.create(
                public_id=pay_id, payer=world["applicant"], payee_agency=d.agency, amount=s["fee"],
                purpose="dossier_fee", status="paid" if s["intent_paid"] else "cancelled",
                bill_number=uuid.uuid4().hex[:12], gateway="sandbox", payee_bank_bin="970403",
                payee_bank_name="X", payee_account_number="1", payee_account_name="X", vietqr_payload="x",
                created_at=s["received"], expires_at=s["received"],
            )
        for j, kind in enumerate(s["docs"]):
            DossierDocument.objects.create(dossier=d, requirement_code=f"r{j}", uploaded_by=world["applicant"],
                                           file=world["file"] if kind == "scan" else None,
                                           is_digitised=kind != "paper")
        if s["score"] is not None:
            Rating.objects.create(dossier=d, score=s["score"])
    stats_store.stats_rebuild()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(specs=st.lists(DOSSIER, max_size=12), now_day=st.integers(min_value=0, max_value=150))
def test_rebuild_of_random_bulk_data_equals_raw(bulk_world, specs, now_day):
    sid = transaction.savepoint()
    try:
        _bulk(bulk_world, specs)
        now = at(2025, 12, 1, 12) + dt.timedelta(days=now_day)
        admin = bulk_world["admin"]
        for period in (stats.Period(kind="month", year=2026, number=1), stats.Period(kind="quarter", year=2026,
                                                                                     number=1),
                       stats.Period(kind="year", year=2025), stats.Period(kind="year", year=2026),
                       stats.Period(kind="month", year=2026, number=3)):
            assert_same(admin, period, now)
        assert_same(admin, stats.Period(kind="year", year=2026), now, agency_ids=[bulk_world["agencies"][1].pk])
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.django_db
def test_rebuild_after_synthetic_data_and_purge(db):
    from django.core.management import call_command

    from tinhso.dossiers import synthetic

    agency = AgencyFactory()
    ProcedureFactory(agency=agency)
    admin = UserFactory(is_superuser=True, is_staff=True)
    now = dt.datetime.now(tz=TZ)
    synthetic.synthetic_generate(n=300, seed=7, batch_size=100, span_days=120)
    assert DossierStatsEntry.objects.exists()
    for period in (stats.Period(kind="year", year=now.year), stats.Period(kind="year", year=now.year - 1),
                   stats.Period(kind="month", year=now.year, number=now.month)):
        assert_same(admin, period, now)
    synthetic.synthetic_purge()
    assert not DossierStatsEntry.objects.exists()
    assert stats.dossier_statistics(user=admin, period=stats.Period(kind="year", year=now.year)).total.received == 0
    call_command("stats_rebuild")  # the operators' command runs and keeps the (empty) figures
    assert not DossierStatsDay.objects.exists()


# --- (3) concurrent increments ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_transactions_incrementing_one_counter_lose_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    agency = AgencyFactory()
    key = (agency.pk, dt.date(2026, 3, 2), "online")
    barrier = threading.Barrier(2)
    errors: list = []

    def bump():
        try:
            with transaction.atomic():
                barrier.wait(timeout=30)
                stats_store.add_to_counters({key: {"received": 1, "with_fee": 1}})
                time.sleep(0.2)  # both transactions are open at once, one waiting on the other
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    for _round in range(3):
        threads = [threading.Thread(target=bump) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    row = DossierStatsDay.objects.get(agency=agency, day=key[1], channel="online")
    assert (row.received, row.with_fee) == (6, 6)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_receiving_at_once_are_both_counted():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    agency = AgencyFactory()
    proc = ProcedureFactory(agency=agency, fee=0)
    team = Team(agency)
    from tests.factories import MembershipFactory, role

    second = MembershipFactory(agency=agency, role=role("clerk")).user
    dossiers = [services.dossier_create_and_submit(applicant=UserFactory(), procedure=proc, agency=agency,
                                                   form_data=dict(FORM), uploads=uploads(), idempotency_key=None)
                for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list = []

    def receive(d, clerk):
        try:
            barrier.wait(timeout=30)
            services.dossier_receive(dossier=d, actor=clerk)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive, args=(d, c)) for d, c in zip(dossiers, (team.clerk, second),
                                                                              strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    admin = UserFactory(is_superuser=True)
    from django.utils import timezone

    now = timezone.now()
    report = assert_same(admin, stats.Period(kind="year", year=timezone.localdate().year), now)
    assert report.total.received == 2 and report.total.in_progress == 2


# --- the crafted dataset of test_stats (rows shaped by direct updates, then rebuilt) -------------


def test_crafted_dataset_agrees_with_raw(world, crafted):  # noqa: F811 - the imported fixture
    admin = UserFactory(is_superuser=True, is_staff=True)
    for now in (at(2026, 6, 1, 9), at(2026, 3, 5, 16, 30), at(2027, 1, 10)):
        assert_all_periods(admin, now)
        assert_same(world.clerk, stats.Period(kind="year", year=2026), now)
