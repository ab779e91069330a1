"""/api/v1/payments: a payer's own intents only, with the one error shape."""

from __future__ import annotations

import pytest

from tests.matrix import assert_matrix, snapshot
from tinhso.payments import services, vietqr
from tinhso.payments.models import PayeeAccount, PaymentEvent, PaymentIntent

DENIED_404 = {"anonymous": 401, "citizen_a": 200, "citizen_b": 404, "official_other_agency": 404,
              "official_with_role": 404}


@pytest.fixture
def owned(actors):
    PayeeAccount.objects.create(agency=actors.agency, bank_bin="970403", bank_name="Ngân hàng Thử",
                                account_number="0011012345678", account_name="UBND XA TAN THU")
    return services.payment_intent_create(payer=actors.citizen_a.user, payee_agency=actors.agency, amount=150_000,
                                          purpose="test_fee", description="Lệ phí")


def test_list_only_mine(actors, owned):
    assert actors.anonymous.client.get("/api/v1/payments").status_code == 401
    mine = actors.citizen_a.client.get("/api/v1/payments").json()
    assert [item["bill_number"] for item in mine["items"]] == [owned.bill_number]
    assert mine["items"][0]["amount"] == 150_000 and mine["items"][0]["status"] == "pending"
    assert actors.citizen_b.client.get("/api/v1/payments").json()["items"] == []
    assert actors.citizen_a.client.get("/api/v1/payments?status=paid").json()["items"] == []


def test_detail_matrix_and_payload(actors, owned):
    url = f"/api/v1/payments/{owned.public_id}"
    assert_matrix(actors, lambda a: a.client.get(url), DENIED_404)
    data = actors.citizen_a.client.get(url).json()
    assert data["id"] == str(owned.public_id)
    assert vietqr.parse(data["vietqr_payload"])["amount"] == 150_000
    assert data["payee_account"]["account_number"] == "0011012345678"
    assert data["receipt_url"] is None
    denied = actors.citizen_b.client.get(url).json()
    assert denied["error"]["code"] == "not_found" and denied["error"]["message"]


def test_detail_bad_uuid(actors, owned):
    response = actors.citizen_a.client.get("/api/v1/payments/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_cancel_matrix(actors, owned):
    url = f"/api/v1/payments/{owned.public_id}/cancel"
    expected = {**DENIED_404, "anonymous": 401}
    assert_matrix(actors, lambda a: a.client.post(url, {}, content_type="application/json"), expected,
                  snapshot(PaymentIntent.objects.all(), PaymentEvent.objects.all()))
    owned.refresh_from_db()
    assert owned.status == "cancelled"


def test_cancel_paid_conflict(actors, owned):
    services.payment_confirm(intent=owned, gateway="sandbox")
    response = actors.citizen_a.client.post(f"/api/v1/payments/{owned.public_id}/cancel", {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_pending"
    owned.refresh_from_db()
    assert owned.status == "paid"
    detail = actors.citizen_a.client.get(f"/api/v1/payments/{owned.public_id}").json()
    assert detail["receipt_url"] == f"/thanh-toan/{owned.public_id}/bien-lai.pdf"


def test_openapi_documents_payments(db):
    # The payments router on its own (the whole document also depends on the other apps' routers).
    from ninja import NinjaAPI

    from tinhso.payments.api import router

    api = NinjaAPI(urls_namespace="payments-openapi-test")
    api.add_router("/payments", router, url_name_prefix="openapi-test")
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    assert {"/api/v1/payments", "/api/v1/payments/{public_id}", "/api/v1/payments/{public_id}/cancel",
            "/api/v1/payments/{public_id}/reissue"} <= set(paths)


def test_reissue(actors, owned):
    services.payment_fail(intent=owned, gateway="sandbox")
    url = f"/api/v1/payments/{owned.public_id}/reissue"
    assert actors.citizen_b.client.post(url).status_code == 404
    response = actors.citizen_a.client.post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "pending" and response.json()["id"] != str(owned.public_id)
    assert PaymentIntent.objects.count() == 2
