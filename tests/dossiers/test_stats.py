"""Statistics buckets on a small crafted dataset, scope, the page, the Excel exports."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.dossiers.test_staff_support import make_procedure, pdf_upload, world_fixture  # noqa: F401 - fixture
from tests.factories import AgencyFactory, MembershipFactory, OfficialFactory, UserFactory, role
from tests.matrix import login_as
from tinhso.dossiers import services, stats
from tinhso.dossiers.models import Dossier, Rating
from tinhso.dossiers.stats_store import stats_rebuild
from tinhso.orgs.models import AgencyKind, AgencyLevel
from tinhso.payments.models import PaymentIntent

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=TZ)
YEAR = stats.Period(kind="year", year=2026)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def at(y, m, d, h=10, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=TZ)


def _shape(dossier, **fields):
    Dossier.objects.filter(pk=dossier.pk).update(**fields)
    dossier.refresh_from_db()
    return dossier


def _paid_intent(dossier):
    intent = PaymentIntent.objects.create(
        payer=dossier.applicant, payee_agency=dossier.agency, amount=50000, purpose="dossier_fee",
        status="paid", bill_number=uuid.uuid4().hex[:12], gateway="sandbox", payee_bank_bin="970403",
        payee_bank_name="Ngân hàng thử", payee_account_number="0123456789", payee_account_name="KHO BAC",
        vietqr_payload="x", created_at=timezone.now(), expires_at=timezone.now(), paid_at=timezone.now(),
    )
    return intent.public_id


@pytest.fixture
def crafted(world):
    """A–H as in the module docstring of stats: one dossier per bucket, fixed dates."""
    w = world
    due = at(2026, 3, 5, 17)
    a = _shape(w.received(), status="done", received_at=at(2026, 3, 2), due_at=due, finished_at=at(2026, 3, 4, 9),
               fee_amount=50000, fee_status="paid")
    _shape(a, payment_public_id=_paid_intent(a))
    Rating.objects.create(dossier=a, score=5)
    b = _shape(w.received(), status="result_ready", received_at=at(2026, 3, 2), due_at=due,
               finished_at=at(2026, 3, 5, 16), fee_amount=50000, fee_status="pending")
    Rating.objects.create(dossier=b, score=2)
    counter = {"clerk": w.clerk, "agency": w.agency, "procedure": w.procedure, "applicant": w.citizen,
               "form_data": {"ho_ten": "Trần Thị Bình"}}
    c = _shape(services.dossier_record_at_counter(**counter), status="done", received_at=at(2026, 3, 2), due_at=due,
               finished_at=at(2026, 3, 6, 9), fee_amount=20000, fee_status="paid")
    d = _shape(services.dossier_record_at_counter(**counter), received_at=at(2026, 3, 2), due_at=due)
    e = _shape(w.received(), received_at=at(2026, 5, 10), due_at=at(2026, 12, 31, 17))
    f = _shape(w.received(), received_at=at(2025, 12, 20), due_at=at(2026, 12, 31, 17))
    h = w.received()
    services.dossier_refuse(dossier=h, actor=w.clerk, reason="Giấy tờ giả")
    h = _shape(h, received_at=at(2026, 4, 1), finished_at=at(2026, 4, 2))
    other_procedure = make_procedure(agency=w.other_agency, code="1.000002")
    g = services.dossier_create_and_submit(
        applicant=w.citizen, procedure=other_procedure, agency=w.other_agency, form_data={"ho_ten": "X"},
        uploads={"to-khai": pdf_upload()},
        idempotency_key=None,
    )
    g = services.dossier_receive(dossier=g, actor=w.other_clerk)
    g = _shape(g, received_at=at(2026, 2, 1), due_at=at(2026, 12, 31, 17))
    # The rows above were shaped by direct UPDATEs (bypassing the services, as bulk data does):
    # bring the statistics read model back in step, as an operator would (tinhso stats_rebuild).
    stats_rebuild()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h}


def test_buckets_of_a_crafted_year(world, crafted):
    report = stats.dossier_statistics(user=world.clerk, period=YEAR, now=NOW)
    t = report.total
    assert t.get("received", "online") == 4  # a, b, e, h (f was received in 2025, g elsewhere)
    assert t.get("received", "counter") == 2  # c, d
    assert t.get("finished_early", "online") == 1  # a: the day before the due day
    assert t.get("finished_on_time", "online") == 1  # b: the due day, before 17:00
    assert t.get("finished_late", "counter") == 1  # c: after the due time
    assert t.finished == 3  # the refused h is not "finished"
    assert t.get("in_progress_overdue", "counter") == 1  # d
    assert t.get("in_progress_on_time", "online") == 2  # e, and f from last year
    assert t.get("in_progress_overdue", "online") == 0
    assert t.on_time_rate == pytest.approx(66.7)
    assert t.online_rate == pytest.approx(66.7)
    assert t.counts["with_fee"] == 3 and t.counts["paid_online"] == 1  # c paid cash at the counter
    assert t.counts["digitised"] == 4  # the online ones; counter paper documents are not scanned
    assert t.digitised_rate == pytest.approx(66.7)
    assert (t.counts["rated"], t.counts["satisfied"]) == (2, 1)
    assert [f.label for f in report.agencies] == [world.agency.name]


def test_quarter_counts_what_was_in_progress_at_its_end(world, crafted):
    q1 = stats.Period(kind="quarter", year=2026, number=1)
    t = stats.dossier_statistics(user=world.clerk, period=q1, now=NOW).total
    assert t.received == 4  # a, b, c, d
    assert t.in_progress == 2  # d (overdue at 31/3), f (received in 2025)
    assert t.get("in_progress_overdue") == 1
    assert t.finished == 3


def test_scope_other_agency_sees_only_its_own_and_superuser_sees_all(world, crafted):
    other = stats.dossier_statistics(user=world.other_clerk, period=YEAR, now=NOW).total
    assert other.received == 1 and other.get("received", "online") == 1
    admin = OfficialFactory(is_superuser=True, is_staff=True)
    everything = stats.dossier_statistics(user=admin, period=YEAR, now=NOW)
    assert everything.scope_all and everything.total.received == 7
    assert stats.dossier_statistics(user=UserFactory(), period=YEAR, now=NOW).total.received == 0


def test_provincial_committee_leader_sees_all(world, crafted):
    committee = AgencyFactory(kind=AgencyKind.PEOPLES_COMMITTEE, level=AgencyLevel.PROVINCE)
    chair = MembershipFactory(agency=committee, role=role("leader")).user
    assert stats.stats_scope(user=chair) is None
    assert stats.dossier_statistics(user=chair, period=YEAR, now=NOW).total.received == 7


def test_commune_rows_group_commune_agencies(db):
    commune_agency = AgencyFactory(commune=True)
    clerk = MembershipFactory(agency=commune_agency, role=role("clerk")).user
    MembershipFactory(agency=commune_agency, role=role("specialist"))
    MembershipFactory(agency=commune_agency, role=role("leader"))
    procedure = make_procedure(agency=commune_agency, code="2.000001")
    dossier = services.dossier_create_and_submit(
        applicant=UserFactory(), procedure=procedure, agency=commune_agency, form_data={"ho_ten": "A"},
        uploads={"to-khai": pdf_upload()}, idempotency_key=None,
    )
    services.dossier_receive(dossier=dossier, actor=clerk)
    period = stats.Period(kind="year", year=timezone.localdate().year)
    report = stats.dossier_statistics(user=clerk, period=period)
    assert [(c.label, c.received) for c in report.communes] == [(commune_agency.admin_unit.full_name, 1)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, stats.Period("year", 2026)),
        ({"period": "quarter"}, stats.Period("quarter", 2026, 2)),
        ({"period": "month", "year": "2025", "number": "12"}, stats.Period("month", 2025, 12)),
    ],
)
def test_parse_period(params, expected):
    assert stats.parse_period(params, today=dt.date(2026, 5, 20)) == expected


@pytest.mark.parametrize("params", [{"period": "week"}, {"year": "abc"}, {"period": "month", "number": "13"}])
def test_parse_period_rejects_bad_input(params):
    from tinhso.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        stats.parse_period(params)


def test_period_bounds():
    p = stats.Period("month", 2026, 12)
    assert (p.start_date, p.end_date) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    q = stats.Period("quarter", 2026, 4)
    assert (q.start_date, q.end_date) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))


def test_page_shows_figures_formulas_and_an_svg_chart(world, crafted):
    client = login_as(Client(), world.clerk)
    response = client.get("/staff/dossiers/thong-ke/", {"period": "year", "year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "style=" not in html and "<script" not in html.split("</header>", 1)[1]
    assert "(đúng hạn 1 + trước hạn 1) / đã giải quyết 3 × 100" in html
    assert world.agency.name in html and world.other_agency.name not in html


def test_page_refuses_citizens_and_out_of_scope_agency(world, crafted):
    citizen = login_as(Client(), world.citizen, mfa=False)
    assert citizen.get("/staff/dossiers/thong-ke/").status_code == 403
    assert Client().get("/staff/dossiers/thong-ke/").status_code == 302
    clerk = login_as(Client(), world.clerk)
    response = clerk.get("/staff/dossiers/thong-ke/", {"agency": str(world.other_agency.public_id)})
    assert response.status_code == 404
    assert clerk.get("/staff/dossiers/thong-ke/", {"period": "week"}).status_code == 200  # falls back, says why


def test_excel_export_has_the_figures(world, crafted):
    client = login_as(Client(), world.clerk)
    response = client.get("/staff/dossiers/thong-ke/excel/", {"period": "year", "year": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Chỉ số 766", "Theo cơ quan", "Theo xã, phường"]
    rows = list(wb["Chỉ số 766"].iter_rows(values_only=True))
    by_name = {r[1]: r for r in rows if r and len(r) > 3}
    assert by_name["Tỷ lệ hồ sơ giải quyết đúng hạn"][2] == pytest.approx(66.7)
    assert ("Tiếp nhận trong kỳ", 4, 2, 6) in [tuple(r[:4]) for r in rows if r]
    agencies = list(wb["Theo cơ quan"].iter_rows(values_only=True))
    assert any(r and r[0] == world.agency.name for r in agencies)
    assert not any(r and r[0] == world.other_agency.name for r in agencies)


def test_log_book_page_and_excel(world, crafted):
    client = login_as(Client(), world.clerk)
    params = {"period": "year", "year": "2026", "agency": str(world.agency.public_id)}
    page = client.get("/staff/dossiers/so-theo-doi/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert crafted["a"].code in html and crafted["f"].code not in html and crafted["g"].code not in html
    response = client.get("/staff/dossiers/so-theo-doi/excel/", params)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    codes = {r[1] for r in rows[4:]}
    assert codes == {crafted[k].code for k in "abcdeh"}
    assert client.get("/staff/dossiers/so-theo-doi/", {"agency": str(world.other_agency.public_id)}).status_code == 404


def test_cached_page_shows_a_change_at_once(world):
    client = login_as(Client(), world.clerk)
    year = {"period": "year", "year": str(timezone.localdate().year)}

    def received_total() -> int:
        html = client.get("/staff/dossiers/thong-ke/", year).content.decode()
        row = html.split('id="bucket-received"', 1)[1].split("</tr>", 1)[0]
        return int(row.rsplit("<td>", 1)[1].split("</td>", 1)[0])

    assert received_total() == 0
    world.received()
    assert received_total() == 1
