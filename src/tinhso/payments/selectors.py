"""Reads of the payments app, with the access check built in: a payer sees only their own
intents; anyone else gets ``NotFound`` (never a hint that the intent exists)."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound

from .models import PayeeAccount, PaymentEvent, PaymentIntent


def _as_uuid(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def intents_of_user(*, user) -> QuerySet[PaymentIntent]:
    """The user's intents, newest first (empty for anonymous users)."""
    if user is None or not user.is_authenticated:
        return PaymentIntent.objects.none()
    return PaymentIntent.objects.filter(payer=user).select_related("payee_agency").order_by("-created_at", "-id")


def payment_intent_get_for_user(*, user, public_id) -> PaymentIntent:
    """The intent ``public_id`` if ``user`` is its payer; ``NotFound`` otherwise."""
    key = _as_uuid(public_id)
    intent = intents_of_user(user=user).filter(public_id=key).first() if key else None
    if intent is None:
        raise NotFound(_("Không tìm thấy khoản thanh toán."))
    return intent


def payment_intent_get_by_bill_for_user(*, user, bill_number: str) -> PaymentIntent:
    intent = intents_of_user(user=user).filter(bill_number=(bill_number or "").upper()).first()
    if intent is None:
        raise NotFound(_("Không tìm thấy khoản thanh toán."))
    return intent


def intents_for_object(*, obj) -> QuerySet[PaymentIntent]:
    """The intents issued about ``obj`` (e.g. a dossier), newest first. No access check: for
    the service that owns ``obj``, which has checked access to it already."""
    content_type = ContentType.objects.get_for_model(obj)
    return PaymentIntent.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("-created_at", "-id")


def events_of_intent(*, intent: PaymentIntent) -> QuerySet[PaymentEvent]:
    return PaymentEvent.objects.filter(intent=intent).order_by("created_at", "id")


def payee_account_of(*, agency) -> PayeeAccount | None:
    return PayeeAccount.objects.filter(agency=agency, is_active=True).first()


def paid_intents() -> QuerySet[PaymentIntent]:
    """Every paid intent, unscoped: for aggregate reads such as the dossier statistics (an
    ``Exists`` on ``public_id``), never for showing intents to a user."""
    return PaymentIntent.objects.filter(status="paid")
