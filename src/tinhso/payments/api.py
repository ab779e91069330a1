"""REST API of the signed-in user's payments, mounted at /api/v1/payments."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from . import selectors, services
from .models import PaymentIntent

router = Router(tags=["payments"])


class PaymentOut(Schema):
    id: uuid.UUID
    bill_number: str
    amount: int
    currency: str
    purpose: str
    description: str
    status: str
    payee_agency: str
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None

    @staticmethod
    def resolve_id(obj: PaymentIntent) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_payee_agency(obj: PaymentIntent) -> str:
        return obj.payee_agency.name


class BankAccountOut(Schema):
    bank_bin: str
    bank_name: str
    account_number: str
    account_name: str


class PaymentDetailOut(PaymentOut):
    vietqr_payload: str
    payee_account: BankAccountOut
    pay_url: str
    receipt_url: str | None

    @staticmethod
    def resolve_payee_account(obj: PaymentIntent) -> dict:
        return {
            "bank_bin": obj.payee_bank_bin,
            "bank_name": obj.payee_bank_name,
            "account_number": obj.payee_account_number,
            "account_name": obj.payee_account_name,
        }

    @staticmethod
    def resolve_pay_url(obj: PaymentIntent) -> str:
        from django.urls import reverse

        return reverse("payments:pay", kwargs={"public_id": obj.public_id})

    @staticmethod
    def resolve_receipt_url(obj: PaymentIntent) -> str | None:
        from django.urls import reverse

        return reverse("payments:receipt", kwargs={"public_id": obj.public_id}) if obj.is_paid else None


class CancelIn(Schema):
    reason: str = ""


@router.get("", response=list[PaymentOut], summary="My payment intents, newest first")
@paginate(PageNumberPagination, page_size=20)
def list_payments(request, status: str | None = None):
    qs = selectors.intents_of_user(user=request.user)
    return qs.filter(status=status) if status else qs


@router.get("/{public_id}", response=PaymentDetailOut, summary="One of my payment intents, with its VietQR payload")
def get_payment(request, public_id: uuid.UUID):
    return selectors.payment_intent_get_for_user(user=request.user, public_id=public_id)


@router.post("/{public_id}/cancel", response=PaymentDetailOut, summary="Cancel one of my pending payment intents")
def cancel_payment(request, public_id: uuid.UUID, payload: CancelIn | None = None):
    intent = selectors.payment_intent_get_for_user(user=request.user, public_id=public_id)
    reason = payload.reason if payload else ""
    return services.payment_intent_cancel(intent=intent, actor=request.user, reason=reason, request=request)


@router.post("/{public_id}/reissue", response=PaymentDetailOut,
             summary="Pay again after a failed or expired attempt: the new (or already open) intent")
def reissue_payment(request, public_id: uuid.UUID):
    intent = selectors.payment_intent_get_for_user(user=request.user, public_id=public_id)
    return services.payment_intent_reissue(intent=intent, actor=request.user, request=request)
