"""Fees of dossiers: computing them from the catalogue, the payment intent, paying online or at the counter.

See the package docstring and docs/dossiers.md.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed

from ..machine import CLERK, is_clerk
from ..models import (
    Dossier,
    FeeStatus,
)
from ._base import FEE_PURPOSE, _lock, _send, _sync, officials_with_role

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)


def _create_fee_intent(dossier: Dossier, *, request=None, key_suffix: str = "") -> None:
    if dossier.fee_amount <= 0:
        dossier.fee_status = FeeStatus.NOT_REQUIRED
        return
    dossier.fee_status = FeeStatus.PENDING
    try:
        from tinhso.payments import services as pay
    except ImportError:  # the payments building block is not installed: the fee stays pending
        logger.warning("payments app unavailable: no payment intent for dossier %s", dossier.pk)
        return
    try:
        intent = pay.payment_intent_create(
            payer=dossier.applicant, payee_agency=dossier.agency, amount=dossier.fee_amount, purpose=FEE_PURPOSE,
            description=_("Phí, lệ phí hồ sơ %(code)s") % {"code": dossier.code}, obj=dossier,
            idempotency_key=f"dossier_fee:{dossier.public_id}{key_suffix}", request=request,
        )
    except ValidationFailed as exc:
        if exc.code != "no_payee_account":
            raise
        # No online account for this agency: the fee is paid at the counter
        # (dossier_fee_record_at_counter).
        return
    dossier.payment_public_id = intent.public_id


def _cancel_fee(dossier: Dossier, *, actor, reason: str) -> None:
    if dossier.fee_status != FeeStatus.PENDING:
        return
    dossier.fee_status = FeeStatus.NOT_REQUIRED
    if dossier.payment_public_id is None:
        return
    try:
        from tinhso.payments import selectors as pay_sel
        from tinhso.payments import services as pay
    except ImportError:
        return
    for intent in pay_sel.intents_for_object(obj=dossier):
        if intent.status == "pending":
            pay.payment_intent_cancel(intent=intent, actor=None, reason=reason[:255])


def compute_dossier_fee(dossier: Dossier) -> int:
    """The fee of ``dossier`` by the catalogue's fee rules and its form (e.g. 8.000 đ × the number
    of paper copies asked for)."""
    from tinhso.procedures.fees import compute_fee

    return compute_fee(procedure=dossier.procedure, form_data=dossier.form_data).total


def _refresh_fee(dossier: Dossier, *, actor, request=None) -> bool:
    """After a supplement the form may ask for another quantity: recompute the fee while nothing
    has been paid, replacing a pending payment intent by one for the new amount. Returns whether
    the fee changed (the caller saves ``fee_amount``, ``fee_status``, ``payment_public_id``)."""
    if dossier.fee_status == FeeStatus.PAID:
        return False
    amount = compute_dossier_fee(dossier)
    if amount == dossier.fee_amount:
        return False
    old = dossier.fee_amount
    received = dossier.received_at is not None
    if received:
        _cancel_fee(dossier, actor=actor, reason=str(_("Số tiền phí, lệ phí thay đổi sau khi bổ sung hồ sơ.")))
        dossier.payment_public_id = None
    dossier.fee_amount = amount
    if received:
        # A new key per supplement round: an earlier (cancelled) intent must not be replayed.
        _create_fee_intent(dossier, request=request, key_suffix=f":s{dossier.supplement_requests.count()}")
    record_event(actor=actor, action="dossier.fee_recomputed", obj=dossier, request=request,
                 details={"from": old, "to": amount})
    return True


def on_fee_paid(intent) -> None:
    """payments ``on_paid("dossier_fee", …)`` handler, called inside the paying transaction."""
    from django.contrib.contenttypes.models import ContentType

    qs = Dossier.objects.select_for_update()
    dossier = qs.filter(payment_public_id=intent.public_id).first()
    if dossier is None and getattr(intent, "content_type_id", None) == ContentType.objects.get_for_model(Dossier).pk:
        dossier = qs.filter(pk=intent.object_id).first()
    if dossier is None:
        logger.warning("dossier_fee paid for an unknown dossier (intent %s)", intent.public_id)
        return
    if dossier.fee_status == FeeStatus.PAID:
        return
    dossier.fee_status = FeeStatus.PAID
    dossier.save(update_fields=["fee_status", "updated_at"])
    from ..stats_store import stats_sync
    stats_sync(dossier=dossier)
    record_event(actor=None, action="dossier.fee_paid", obj=dossier,
                 details={"intent": str(intent.public_id), "amount": dossier.fee_amount})
    _send(dossier, "fee_paid", intent.public_id,
          subject=_("Đã thanh toán phí, lệ phí hồ sơ %(code)s") % {"code": dossier.code},
          officials=officials_with_role(agency_id=dossier.agency_id, role=CLERK))


def dossier_fee_record_at_counter(*, dossier: Dossier, actor, request=None) -> Dossier:
    """A clerk of the receiving agency records a fee paid in cash at the counter (the online
    intent, if any, is cancelled)."""
    original = dossier
    with transaction.atomic():
        dossier = _lock(dossier)
        if not is_clerk(actor, dossier):
            raise NotAllowed(_("Chỉ công chức một cửa của cơ quan tiếp nhận mới ghi nhận thu phí."))
        if dossier.fee_status != FeeStatus.PENDING:
            raise Conflict(_("Hồ sơ không có khoản phí chờ thanh toán."), code="fee_not_pending")
        _cancel_fee(dossier, actor=actor, reason=str(_("Đã nộp tiền mặt tại bộ phận một cửa.")))
        dossier.fee_status = FeeStatus.PAID
        dossier.save(update_fields=["fee_status", "updated_at"])
        from ..stats_store import stats_sync
        stats_sync(dossier=dossier)
        record_event(actor=actor, action="dossier.fee_paid_at_counter", obj=dossier, request=request,
                     details={"amount": dossier.fee_amount})
    return _sync(original, dossier)
