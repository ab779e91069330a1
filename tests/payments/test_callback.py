"""The gateway callback endpoint: signed, exactly-once, and every rejection changes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.matrix import snapshot
from tinhso.payments.gateways.sandbox import SandboxGateway
from tinhso.payments.models import CallbackOutcome, EventKind, PaymentEvent, PaymentIntent
from tinhso.payments.registry import on_paid, remove_on_paid

from .conftest import CALLBACK_URL, callback_body, post_callback


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def handler_calls():
    calls = []

    def handler(intent):
        calls.append(intent.pk)

    on_paid("test_fee", handler)
    yield calls
    remove_on_paid("test_fee", handler)


def intent_state():
    return snapshot(PaymentIntent.objects.all())


def test_valid_callback_marks_paid_once(client, intent, handler_calls):
    body = callback_body(intent)
    response = post_callback(client, body)
    assert response.status_code == 200, response.content
    assert response.json()["result"] == "processed"
    intent.refresh_from_db()
    assert intent.status == "paid" and intent.gateway_reference == "SBXTEST" and intent.paid_at

    replay = post_callback(client, body)
    assert replay.status_code == 200
    assert replay.json()["result"] == "already_processed"
    # A second, different "paid" notification for the same bill: no effect either.
    again = post_callback(client, callback_body(intent))
    assert again.status_code == 200 and again.json()["result"] == "already_processed"

    assert handler_calls == [intent.pk]
    assert intent.events.filter(kind=EventKind.PAID).count() == 1
    callbacks = intent.events.filter(kind=EventKind.CALLBACK)
    assert sorted(callbacks.values_list("outcome", flat=True)) == sorted(
        [CallbackOutcome.ACCEPTED, CallbackOutcome.DUPLICATE, CallbackOutcome.DUPLICATE]
    )
    assert all(callbacks.values_list("signature_valid", flat=True))


def test_failed_callback(client, intent, handler_calls):
    response = post_callback(client, callback_body(intent, status="failed"))
    assert response.status_code == 200
    intent.refresh_from_db()
    assert intent.status == "failed"
    assert handler_calls == []
    # Then a "paid" for the failed intent: kept for reconciliation, nothing changes.
    late = post_callback(client, callback_body(intent))
    assert late.status_code == 409
    intent.refresh_from_db()
    assert intent.status == "failed"


def test_bad_signature_rejected_and_stored(client, intent, handler_calls):
    before = intent_state()()
    body = callback_body(intent)
    response = post_callback(client, body, signature="sha256=" + "0" * 64)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    missing = client.post(CALLBACK_URL, body, content_type="application/json")
    assert missing.status_code == 403
    # Signed for another body.
    assert post_callback(client, body, signature=SandboxGateway().simulate(intent, outcome="paid")[1]["X-Tinhso-Signature"]).status_code == 403
    assert intent_state()() == before
    rejected = PaymentEvent.objects.filter(kind=EventKind.CALLBACK, signature_valid=False)
    assert rejected.count() == 3
    assert all(e.outcome == CallbackOutcome.REJECTED and e.external_event_id is None for e in rejected)
    assert rejected.first().payload["bill_number"] == intent.bill_number
    assert handler_calls == []
    # The event id of a rejected callback is not consumed: the genuine one still goes through.
    assert post_callback(client, body).status_code == 200


def test_wrong_amount_rejected(client, intent, handler_calls):
    before = intent_state()()
    response = post_callback(client, callback_body(intent, amount=intent.amount - 1))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "amount_mismatch"
    assert intent_state()() == before
    assert intent.events.filter(kind=EventKind.CALLBACK, outcome=CallbackOutcome.REJECTED).count() == 1
    assert handler_calls == []


def test_unknown_bill_rejected(client, intent):
    before = intent_state()()
    response = post_callback(client, callback_body(intent, bill_number="TSAAAAAAAAAA"))
    assert response.status_code == 404
    assert intent_state()() == before
    event = PaymentEvent.objects.get(kind=EventKind.CALLBACK)
    assert event.intent is None and event.outcome == CallbackOutcome.REJECTED and event.signature_valid


def test_cancelled_intent_not_paid(client, intent, payer):
    from tinhso.payments import services

    services.payment_intent_cancel(intent=intent, actor=payer)
    response = post_callback(client, callback_body(intent))
    assert response.status_code == 409
    intent.refresh_from_db()
    assert intent.status == "cancelled"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1,2]", json.dumps({"bill_number": "X"}).encode(),
     json.dumps({"event_id": "e", "bill_number": "X", "amount": "100", "status": "paid"}).encode(),
     json.dumps({"event_id": "e", "bill_number": "X", "amount": 100, "status": "refunded"}).encode()],
)
def test_malformed_signed_body_rejected(client, intent, body):
    before = intent_state()()
    response = post_callback(client, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert intent_state()() == before


def test_oversized_body_rejected(client, intent):
    before = intent_state()()
    body = callback_body(intent, padding="x" * 20_000)
    response = post_callback(client, body)
    assert response.status_code == 413
    assert intent_state()() == before
    assert not PaymentEvent.objects.filter(kind=EventKind.CALLBACK).exists()


def test_only_post_json(client, intent):
    body = callback_body(intent)
    assert client.get(CALLBACK_URL).status_code == 405
    form = client.post(CALLBACK_URL, {"a": "b"}, HTTP_X_TINHSO_SIGNATURE="x")
    assert form.status_code == 415
    intent.refresh_from_db()
    assert intent.status == "pending"
    assert post_callback(client, body).status_code == 200


def test_disabled_gateway(client, intent, settings):
    settings.TINHSO_PAYMENT_GATEWAYS = []
    response = post_callback(client, callback_body(intent))
    assert response.status_code == 404
    intent.refresh_from_db()
    assert intent.status == "pending"


def test_configured_secret(client, intent, settings):
    settings.TINHSO_PAYMENT_SANDBOX_SECRET = "another-secret-for-tests"
    import hashlib
    import hmac

    body = callback_body(intent)
    good = "sha256=" + hmac.new(b"another-secret-for-tests", body, hashlib.sha256).hexdigest()
    assert post_callback(client, body, signature=good).status_code == 200
