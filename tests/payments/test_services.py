"""Creating, cancelling and expiring intents through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AgencyFactory, UserFactory
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.payments import selectors, services, vietqr
from tinhso.payments.models import EventKind, PayeeAccount, PaymentEvent, PaymentIntent


def test_create_issues_a_pending_bill_with_vietqr(intent, payee, payer):
    assert intent.status == "pending"
    assert intent.payer == payer and intent.payee_agency == payee
    assert intent.amount == 150_000 and intent.currency == "VND"
    assert intent.gateway == "sandbox"
    assert len(intent.bill_number) == 12 and intent.bill_number.startswith("TS")
    assert intent.bill_number.isalnum() and intent.bill_number.isupper()
    assert timedelta(days=6) < intent.expires_at - intent.created_at <= timedelta(days=7)
    parsed = vietqr.parse(intent.vietqr_payload)
    assert parsed["bank_bin"] == "970403" and parsed["account"] == "0011012345678"
    assert parsed["amount"] == 150_000 and parsed["bill_number"] == intent.bill_number
    assert parsed["purpose"] == f"{intent.bill_number} Le phi dang ky khai sinh"
    assert list(intent.events.values_list("kind", flat=True)) == [EventKind.CREATED]
    assert AuditEvent.objects.filter(action="payment.intent_create", object_id=str(intent.pk)).count() == 1


def test_bill_numbers_are_unique_and_not_sequential(make_intent):
    bills = {make_intent().bill_number for _ in range(20)}
    assert len(bills) == 20


def test_object_link(make_intent, payee):
    intent = make_intent(obj=payee)
    assert intent.object_id == str(payee.pk)
    assert list(selectors.intents_for_object(obj=payee)) == [intent]


@pytest.mark.parametrize("amount", [0, -1, 1_000_000_001, 1.5, "1000", True, None])
def test_bad_amount_rejected_and_nothing_stored(make_intent, amount):
    with pytest.raises(ValidationFailed) as err:
        make_intent(amount=amount)
    assert err.value.code == "invalid_amount"
    assert not PaymentIntent.objects.exists() and not PaymentEvent.objects.exists()


def test_maximum_amount_accepted(make_intent):
    assert make_intent(amount=1_000_000_000).amount == 1_000_000_000


@pytest.mark.parametrize("purpose", ["", "Dossier fee", "x" * 51])
def test_bad_purpose_rejected(make_intent, purpose):
    with pytest.raises(ValidationFailed):
        make_intent(purpose=purpose)
    assert not PaymentIntent.objects.exists()


def test_payee_without_active_account_rejected(make_intent, payee):
    PayeeAccount.objects.filter(agency=payee).update(is_active=False)
    with pytest.raises(ValidationFailed) as err:
        make_intent()
    assert err.value.code == "no_payee_account"
    with pytest.raises(ValidationFailed):
        make_intent(payee_agency=AgencyFactory())
    assert not PaymentIntent.objects.exists()


def test_idempotency_same_payload_same_intent(make_intent):
    first = make_intent(idempotency_key="k-1")
    again = make_intent(idempotency_key="k-1")
    assert again.pk == first.pk
    assert PaymentIntent.objects.count() == 1
    assert PaymentEvent.objects.count() == 1


def test_idempotency_key_is_per_payer(make_intent):
    first = make_intent(idempotency_key="k-1")
    other = make_intent(idempotency_key="k-1", payer=UserFactory())
    assert other.pk != first.pk


def test_idempotency_conflict_on_other_payload(make_intent):
    make_intent(idempotency_key="k-1")
    with pytest.raises(ValidationFailed) as err:
        make_intent(idempotency_key="k-1", amount=200_000)
    assert err.value.code == "idempotency_conflict" and err.value.status == 422
    assert PaymentIntent.objects.count() == 1


def test_without_key_every_call_is_new(make_intent):
    make_intent()
    make_intent()
    assert PaymentIntent.objects.count() == 2


def test_payer_cancels(intent, payer):
    cancelled = services.payment_intent_cancel(intent=intent, actor=payer, reason="đổi ý")
    assert cancelled.status == "cancelled" and cancelled.closed_at is not None
    assert intent.events.filter(kind=EventKind.CANCELLED).count() == 1
    assert AuditEvent.objects.filter(action="payment.intent_cancel").count() == 1
    # Again: unchanged, no second event.
    services.payment_intent_cancel(intent=intent, actor=payer)
    assert intent.events.filter(kind=EventKind.CANCELLED).count() == 1


def test_other_user_cannot_cancel(intent):
    with pytest.raises(NotAllowed):
        services.payment_intent_cancel(intent=intent, actor=UserFactory())
    intent.refresh_from_db()
    assert intent.status == "pending"


def test_paid_intent_cannot_be_cancelled(intent, payer):
    assert services.payment_confirm(intent=intent, gateway="sandbox", reference="R1")
    with pytest.raises(Conflict):
        services.payment_intent_cancel(intent=intent, actor=payer)
    intent.refresh_from_db()
    assert intent.status == "paid"


def test_expire_overdue(make_intent):
    overdue = make_intent()
    fresh = make_intent()
    paid = make_intent()
    services.payment_confirm(intent=paid, gateway="sandbox")
    later = timezone.now() + timedelta(days=7, minutes=1)
    PaymentIntent.objects.filter(pk=fresh.pk).update(expires_at=later + timedelta(days=1))
    assert services.payment_expire_overdue(now=later) == 1
    assert services.payment_expire_overdue(now=later) == 0  # idempotent
    statuses = dict(PaymentIntent.objects.values_list("pk", "status"))
    assert statuses == {overdue.pk: "expired", fresh.pk: "pending", paid.pk: "paid"}
    assert overdue.events.filter(kind=EventKind.EXPIRED).count() == 1
    assert AuditEvent.objects.filter(action="payment.expired").count() == 1


def test_expire_task(make_intent):
    from tinhso.payments.tasks import expire_overdue

    intent = make_intent()
    PaymentIntent.objects.filter(pk=intent.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert expire_overdue() == 1


def test_confirm_runs_handler_once_and_notifies(intent, payer):
    from tinhso.notify.models import Notification
    from tinhso.payments.registry import on_paid, remove_on_paid

    seen = []

    def handler(paid_intent):
        seen.append((paid_intent.pk, paid_intent.status))

    on_paid("test_fee", handler)
    try:
        assert services.payment_confirm(intent=intent, gateway="sandbox", reference="R1") is True
        assert services.payment_confirm(intent=intent, gateway="sandbox", reference="R2") is False
    finally:
        remove_on_paid("test_fee", handler)
    assert seen == [(intent.pk, "paid")]
    intent.refresh_from_db()
    assert intent.status == "paid" and intent.paid_at and intent.gateway_reference == "R1"
    assert intent.events.filter(kind=EventKind.PAID).count() == 1
    note = Notification.objects.get(recipient=payer, channel="in_app", event="payment.paid")
    assert intent.bill_number in note.subject and "150.000 đ" in note.body


def test_failing_handler_rolls_back_the_payment(intent):
    from tinhso.payments.registry import on_paid, remove_on_paid

    def broken(paid_intent):
        raise RuntimeError("boom")

    on_paid("test_fee", broken)
    try:
        with pytest.raises(RuntimeError):
            services.payment_confirm(intent=intent, gateway="sandbox")
    finally:
        remove_on_paid("test_fee", broken)
    intent.refresh_from_db()
    assert intent.status == "pending"
    assert not intent.events.filter(kind=EventKind.PAID).exists()


def test_payee_account_save_needs_permission(payee):
    account = PayeeAccount.objects.get(agency=payee)
    account.account_number = "999"
    with pytest.raises(NotAllowed):
        services.payee_account_save(actor=UserFactory(), account=account)
    admin = UserFactory(is_superuser=True, is_staff=True)
    services.payee_account_save(actor=admin, account=account)
    assert PayeeAccount.objects.get(agency=payee).account_number == "999"
    assert AuditEvent.objects.filter(action="payment.payee_account_change").count() == 1


def test_issued_bill_keeps_its_account(intent, payee):
    PayeeAccount.objects.filter(agency=payee).update(account_number="555")
    intent.refresh_from_db()
    assert intent.payee_account_number == "0011012345678"
    assert vietqr.parse(intent.vietqr_payload)["account"] == "0011012345678"


def test_demo_loader_gives_every_agency_a_fake_account(db):
    from tinhso.payments import demo

    agencies = [AgencyFactory(), AgencyFactory()]
    lines = []
    demo.load(province_code=96, log=lines.append)
    demo.load(province_code=96, log=lines.append)
    for agency in agencies:
        account = PayeeAccount.objects.get(agency=agency)
        assert account.bank_bin == "999999" and "THU NGHIEM" in account.account_name
        account.full_clean()
    assert PayeeAccount.objects.count() == 2
    assert lines[1].startswith("✓ 0 ")


def test_reissue_after_failure(make_intent, payer, payee):
    failed = make_intent(obj=payee)
    services.payment_fail(intent=failed, gateway="sandbox")
    new = services.payment_intent_reissue(intent=failed, actor=payer)
    assert new.pk != failed.pk and new.status == "pending"
    assert new.bill_number != failed.bill_number
    assert (new.amount, new.purpose, new.object_id, new.payee_agency) == (150_000, "test_fee", str(payee.pk), payee)
    # Asked again: the open one comes back, no third intent.
    assert services.payment_intent_reissue(intent=failed, actor=payer).pk == new.pk
    services.payment_confirm(intent=new, gateway="sandbox")
    with pytest.raises(Conflict):
        services.payment_intent_reissue(intent=failed, actor=payer)
    assert PaymentIntent.objects.count() == 2


def test_reissue_refused(intent, payer):
    with pytest.raises(Conflict):
        services.payment_intent_reissue(intent=intent, actor=payer)  # still pending
    services.payment_fail(intent=intent, gateway="sandbox")
    with pytest.raises(NotAllowed):
        services.payment_intent_reissue(intent=intent, actor=UserFactory())
    assert PaymentIntent.objects.count() == 1
