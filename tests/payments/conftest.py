"""Fixtures of the payments tests: an agency with a receiving account, payers, intents, and a
helper that posts a signed sandbox callback."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.factories import AgencyFactory, UserFactory
from tinhso.payments import services
from tinhso.payments.gateways.sandbox import SIGNATURE_HEADER, sign
from tinhso.payments.models import PayeeAccount

CALLBACK_URL = "/thanh-toan/callback/sandbox/"


@pytest.fixture
def payee(db):
    agency = AgencyFactory(name="Ủy ban nhân dân xã Tân Thử")
    PayeeAccount.objects.create(
        agency=agency, bank_bin="970403", bank_name="Ngân hàng Thử", account_number="0011012345678",
        account_name="UBND XA TAN THU",
    )
    return agency


@pytest.fixture
def payer(db):
    return UserFactory(full_name="Nguyễn Văn An")


@pytest.fixture
def make_intent(payee, payer):
    def make(**overrides):
        values = {"payer": payer, "payee_agency": payee, "amount": 150_000, "purpose": "test_fee",
                  "description": "Lệ phí đăng ký khai sinh"}
        values.update(overrides)
        return services.payment_intent_create(**values)

    return make


@pytest.fixture
def intent(make_intent):
    return make_intent()


def callback_body(intent, **overrides) -> bytes:
    data = {"event_id": str(uuid.uuid4()), "bill_number": intent.bill_number, "amount": intent.amount,
            "status": "paid", "reference": "SBXTEST"}
    data.update(overrides)
    return json.dumps(data).encode()


def post_callback(client, body: bytes, *, signature: str | None = None, **extra):
    headers = {"HTTP_X_TINHSO_SIGNATURE": sign(body) if signature is None else signature}
    headers.update(extra)
    return client.post(CALLBACK_URL, body, content_type="application/json", **headers)


__all__ = ["CALLBACK_URL", "SIGNATURE_HEADER", "callback_body", "post_callback"]
