"""Concurrent callbacks for one bill: exactly one wins (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from tests.factories import AgencyFactory, UserFactory
from tinhso.payments import services
from tinhso.payments.gateways.sandbox import sign
from tinhso.payments.models import EventKind, PayeeAccount, PaymentIntent
from tinhso.payments.registry import on_paid, remove_on_paid

from .conftest import callback_body

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_parallel_callbacks_pay_once():
    agency = AgencyFactory()
    PayeeAccount.objects.create(agency=agency, bank_bin="970403", bank_name="Ngân hàng Thử",
                                account_number="0011012345678", account_name="UBND")
    intent = services.payment_intent_create(payer=UserFactory(), payee_agency=agency, amount=50_000,
                                            purpose="test_fee", description="Lệ phí")
    calls = []

    def handler(paid):
        calls.append(paid.pk)

    on_paid("test_fee", handler)
    same = callback_body(intent, event_id=str(uuid.uuid4()))
    bodies = [same, same, callback_body(intent), callback_body(intent), callback_body(intent, status="failed")]
    barrier = threading.Barrier(len(bodies))
    replies, errors = [], []

    def worker(body):
        try:
            barrier.wait(timeout=10)
            replies.append(services.payment_callback_process(
                gateway_name="sandbox", body=body, headers={"X-Tinhso-Signature": sign(body)}))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(b,)) for b in bodies]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        remove_on_paid("test_fee", handler)
    assert not errors, errors
    intent = PaymentIntent.objects.get(pk=intent.pk)
    assert intent.status in ("paid", "failed")
    changed = intent.events.filter(kind__in=[EventKind.PAID, EventKind.FAILED]).count()
    assert changed == 1
    assert calls == ([intent.pk] if intent.status == "paid" else [])
    assert sum(1 for r in replies if r.code == "processed") == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_creates_with_one_key_make_one_intent():
    agency = AgencyFactory()
    PayeeAccount.objects.create(agency=agency, bank_bin="970403", bank_name="Ngân hàng Thử",
                                account_number="0011012345678", account_name="UBND")
    payer = UserFactory()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(services.payment_intent_create(
                payer=payer, payee_agency=agency, amount=20_000, purpose="test_fee", description="Lệ phí",
                idempotency_key="same-key").pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert PaymentIntent.objects.count() == 1
    assert set(results) == {PaymentIntent.objects.get().pk}
