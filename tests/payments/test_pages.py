"""The payer's pages: bill with QR, live status, receipt, sandbox bank, my-page section."""

from __future__ import annotations

import pytest

from tests.matrix import assert_matrix, snapshot
from tests.portal.helpers import csp_problems, external_urls
from tinhso.payments import services
from tinhso.payments.models import PayeeAccount, PaymentEvent, PaymentIntent

ANON_REDIRECT = {"anonymous": 302, "citizen_a": 200, "citizen_b": 404, "official_other_agency": 404,
                 "official_with_role": 404}


@pytest.fixture
def owned(actors):
    PayeeAccount.objects.create(agency=actors.agency, bank_bin="970403", bank_name="Ngân hàng Thử",
                                account_number="0011012345678", account_name="UBND XA TAN THU")
    return services.payment_intent_create(payer=actors.citizen_a.user, payee_agency=actors.agency, amount=150_000,
                                          purpose="test_fee", description="Lệ phí đăng ký khai sinh")


def unchanged():
    return snapshot(PaymentIntent.objects.all(), PaymentEvent.objects.all())


def test_pay_page_matrix(actors, owned):
    assert_matrix(actors, lambda a: a.client.get(f"/thanh-toan/{owned.public_id}/"), ANON_REDIRECT)


def test_pay_page_content(actors, owned):
    response = actors.citizen_a.client.get(f"/thanh-toan/{owned.public_id}/")
    html = response.content.decode()
    assert "150.000 đ" in html
    assert owned.bill_number in html
    assert actors.agency.name in html
    assert "<svg" in html and "<script" not in html.split("</head>")[1]
    assert "0011012345678" in html and "UBND XA TAN THU" in html
    assert f"/thanh-toan/sandbox/{owned.bill_number}/" in html
    assert 'hx-trigger="every 5s"' in html
    assert "Chờ thanh toán" in html
    assert response["Cache-Control"] == "private, no-store"
    assert csp_problems(html) == [] and external_urls(html) == []


def test_status_fragment(actors, owned):
    url = f"/thanh-toan/{owned.public_id}/trang-thai/"
    assert_matrix(actors, lambda a: a.client.get(url), ANON_REDIRECT)
    pending = actors.citizen_a.client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 5s"' in pending.content.decode() and "HX-Refresh" not in pending
    services.payment_confirm(intent=owned, gateway="sandbox")
    paid = actors.citizen_a.client.get(url, HTTP_HX_REQUEST="true")
    html = paid.content.decode()
    assert "Đã thanh toán" in html and "hx-trigger" not in html
    assert paid["HX-Refresh"] == "true"


def test_paid_page_hides_qr_and_links_receipt(actors, owned):
    services.payment_confirm(intent=owned, gateway="sandbox")
    html = actors.citizen_a.client.get(f"/thanh-toan/{owned.public_id}/").content.decode()
    assert "<svg" not in html
    assert f"/thanh-toan/{owned.public_id}/bien-lai.pdf" in html


def test_receipt_only_when_paid(actors, owned):
    url = f"/thanh-toan/{owned.public_id}/bien-lai.pdf"
    assert actors.citizen_a.client.get(url).status_code == 404
    services.payment_confirm(intent=owned, gateway="sandbox", reference="SBX1")
    assert_matrix(actors, lambda a: a.client.get(url), ANON_REDIRECT)
    response = actors.citizen_a.client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert owned.bill_number in response["Content-Disposition"]


def test_cancel_matrix(actors, owned):
    url = f"/thanh-toan/{owned.public_id}/huy/"
    expected = {"anonymous": 302, "citizen_a": 302, "citizen_b": 404, "official_other_agency": 404,
                "official_with_role": 404}
    assert_matrix(actors, lambda a: a.client.post(url), expected, unchanged(),
                  only=["anonymous", "citizen_b", "official_other_agency", "official_with_role"])
    owned.refresh_from_db()
    assert owned.status == "pending"
    response = actors.citizen_a.client.post(url)
    assert response.status_code == 302
    owned.refresh_from_db()
    assert owned.status == "cancelled"


def test_sandbox_page(actors, owned):
    url = f"/thanh-toan/sandbox/{owned.bill_number}/"
    assert_matrix(actors, lambda a: a.client.get(url), ANON_REDIRECT)
    html = actors.citizen_a.client.get(url).content.decode()
    assert "Cổng thanh toán thử nghiệm — không có tiền thật" in html
    assert csp_problems(html) == []
    assert "Thanh toán thành công" in html and "Thất bại" in html


def test_sandbox_pay_by_others_denied(actors, owned):
    url = f"/thanh-toan/sandbox/{owned.bill_number}/"
    assert_matrix(
        actors, lambda a: a.client.post(url, {"outcome": "paid"}),
        {"anonymous": 302, "citizen_b": 404, "official_other_agency": 404, "official_with_role": 404},
        unchanged(), only=["anonymous", "citizen_b", "official_other_agency", "official_with_role"],
    )


def test_sandbox_success_goes_through_signed_callback(actors, owned):
    client = actors.citizen_a.client
    response = client.post(f"/thanh-toan/sandbox/{owned.bill_number}/", {"outcome": "paid"})
    assert response.status_code == 302 and response["Location"] == f"/thanh-toan/{owned.public_id}/"
    owned.refresh_from_db()
    assert owned.status == "paid" and owned.gateway_reference.startswith("SBX")
    callback = owned.events.get(kind="callback")
    assert callback.signature_valid and callback.outcome == "accepted" and callback.external_event_id
    # Pressing again: nothing more happens.
    client.post(f"/thanh-toan/sandbox/{owned.bill_number}/", {"outcome": "paid"})
    assert owned.events.filter(kind="paid").count() == 1


def test_sandbox_failure(actors, owned):
    actors.citizen_a.client.post(f"/thanh-toan/sandbox/{owned.bill_number}/", {"outcome": "failed"})
    owned.refresh_from_db()
    assert owned.status == "failed"


def test_sandbox_bad_outcome_changes_nothing(actors, owned):
    before = unchanged()()
    actors.citizen_a.client.post(f"/thanh-toan/sandbox/{owned.bill_number}/", {"outcome": "refund"})
    assert unchanged()() == before


def test_sandbox_hidden_when_disabled(actors, owned, settings):
    settings.TINHSO_PAYMENT_GATEWAYS = []
    assert actors.citizen_a.client.get(f"/thanh-toan/sandbox/{owned.bill_number}/").status_code == 404
    html = actors.citizen_a.client.get(f"/thanh-toan/{owned.public_id}/").content.decode()
    assert "/thanh-toan/sandbox/" not in html


def test_unknown_ids_404(actors, owned):
    client = actors.citizen_a.client
    assert client.get("/thanh-toan/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/thanh-toan/sandbox/TSNOTHING/").status_code == 404


def test_my_payments_list_and_section(actors, owned):
    html = actors.citizen_a.client.get("/thanh-toan/").content.decode()
    assert owned.bill_number in html and "150.000 đ" in html
    other = actors.citizen_b.client.get("/thanh-toan/").content.decode()
    assert owned.bill_number not in other
    me = actors.citizen_a.client.get("/me/")
    assert me.status_code == 200
    assert owned.bill_number in me.content.decode()
    assert owned.bill_number not in actors.citizen_b.client.get("/me/").content.decode()


def test_reissue_from_page(actors, owned):
    services.payment_fail(intent=owned, gateway="sandbox")
    client = actors.citizen_a.client
    html = client.get(f"/thanh-toan/{owned.public_id}/").content.decode()
    assert f"/thanh-toan/{owned.public_id}/tao-lai/" in html
    url = f"/thanh-toan/{owned.public_id}/tao-lai/"
    assert_matrix(actors, lambda a: a.client.post(url),
                  {"anonymous": 302, "citizen_b": 404, "official_other_agency": 404, "official_with_role": 404},
                  unchanged(), only=["anonymous", "citizen_b", "official_other_agency", "official_with_role"])
    response = client.post(url)
    new = PaymentIntent.objects.exclude(pk=owned.pk).get()
    assert response["Location"] == f"/thanh-toan/{new.public_id}/"
    assert new.status == "pending"


def test_list_query_count_does_not_grow(actors, owned):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = actors.citizen_a.client

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/thanh-toan/").status_code == 200
        # Session bookkeeping (idle-timeout refresh) is not the page's own work.
        return len([q for q in ctx.captured_queries if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]])

    few = count()
    for _ in range(5):
        services.payment_intent_create(payer=actors.citizen_a.user, payee_agency=actors.agency, amount=1000,
                                       purpose="test_fee", description="")
    assert count() == few
