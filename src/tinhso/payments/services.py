"""Every write of the payments app: create and cancel intents, confirm or fail them from verified
gateway callbacks, expire overdue ones, and keep the agencies' receiving accounts.

Each change runs in one transaction with one audit event and one ``PaymentEvent`` row. State
moves only out of ``pending``, through a conditional UPDATE on a row locked with
``select_for_update``, so two callbacks (or a callback and a cancel) can never both win.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event, strip_secrets
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed

from . import gateways, vietqr
from .formatting import format_vnd
from .models import CallbackOutcome, EventKind, IntentStatus, PayeeAccount, PaymentEvent, PaymentIntent
from .registry import paid_handlers

logger = logging.getLogger(__name__)

MAX_AMOUNT = 1_000_000_000
BILL_PREFIX = "TS"
BILL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32: no 0/1/8/9, nothing to misread
BILL_RANDOM_LENGTH = 10
_PURPOSE = re.compile(r"^[a-z][a-z0-9_.-]{0,49}$")


def expiry_days() -> int:
    return int(getattr(settings, "TINHSO_PAYMENT_EXPIRY_DAYS", 7))


def new_bill_number() -> str:
    """``"TS"`` + 10 random base32 characters: short enough to type into a transfer, not
    guessable or sequential (32¹⁰ ≈ 10¹⁵ values)."""
    return BILL_PREFIX + "".join(secrets.choice(BILL_ALPHABET) for _ in range(BILL_RANDOM_LENGTH))


def _fingerprint(*, payee_agency, amount: int, purpose: str, description: str, content_type_id, object_id: str) -> str:
    data = [payee_agency.pk, amount, purpose, description, content_type_id, object_id]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _event(intent: PaymentIntent | None, kind: str, **values) -> PaymentEvent:
    return PaymentEvent.objects.create(intent=intent, kind=kind, created_at=timezone.now(), **values)


def _validate_amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationFailed(_("Số tiền phải là số nguyên (đồng)."), code="invalid_amount")
    if amount <= 0:
        raise ValidationFailed(_("Số tiền phải lớn hơn 0."), code="invalid_amount")
    if amount > MAX_AMOUNT:
        raise ValidationFailed(
            _("Số tiền không được vượt quá %(max)s.") % {"max": format_vnd(MAX_AMOUNT)}, code="invalid_amount"
        )
    return amount


def _idempotent_match(*, payer, idempotency_key: str, fingerprint: str) -> PaymentIntent | None:
    existing = PaymentIntent.objects.filter(payer=payer, idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise ValidationFailed(
            _("Mã Idempotency-Key này đã được dùng cho một yêu cầu thanh toán khác."), code="idempotency_conflict"
        )
    return existing


def payment_intent_create(
    *,
    payer,
    payee_agency,
    amount: int,
    purpose: str,
    description: str,
    obj=None,
    idempotency_key: str | None = None,
    request: HttpRequest | None = None,
) -> PaymentIntent:
    """Issue a bill: ``amount`` VND that ``payer`` owes ``payee_agency`` for ``purpose``
    (a code such as ``"dossier_fee"``, which selects the ``on_paid`` handlers), optionally about
    ``obj``. With an ``idempotency_key`` the same payload returns the same intent; another
    payload with the same key raises ``ValidationFailed`` (``idempotency_conflict``)."""
    if payer is None or not getattr(payer, "is_authenticated", False) or not payer.is_active:
        raise NotAllowed(_("Cần một tài khoản đang hoạt động để tạo khoản thanh toán."))
    amount = _validate_amount(amount)
    if not isinstance(purpose, str) or not _PURPOSE.match(purpose):
        raise ValidationFailed(_("Mục đích thanh toán không hợp lệ."), code="invalid_purpose")
    description = (description or "").strip()
    if len(description) > 255:
        raise ValidationFailed(_("Nội dung thanh toán dài quá 255 ký tự."), code="invalid_description")
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 255:
            raise ValidationFailed(_("Idempotency-Key phải dài từ 1 đến 255 ký tự."), code="invalid_idempotency_key")
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    object_id = str(obj.pk) if obj is not None else ""
    fingerprint = _fingerprint(
        payee_agency=payee_agency,
        amount=amount,
        purpose=purpose,
        description=description,
        content_type_id=content_type.pk if content_type else None,
        object_id=object_id,
    )
    if idempotency_key:
        existing = _idempotent_match(payer=payer, idempotency_key=idempotency_key, fingerprint=fingerprint)
        if existing is not None:
            return existing
    return _issue(
        payer=payer, payee_agency=payee_agency, amount=amount, purpose=purpose, description=description,
        content_type=content_type, object_id=object_id, idempotency_key=idempotency_key or None,
        fingerprint=fingerprint, request=request, action="payment.intent_create",
    )


def _issue(
    *, payer, payee_agency, amount: int, purpose: str, description: str, content_type, object_id: str,
    idempotency_key: str | None, fingerprint: str, request: HttpRequest | None, action: str,
    audit_details: dict | None = None,
) -> PaymentIntent:
    account = PayeeAccount.objects.filter(agency=payee_agency, is_active=True).first()
    if account is None:
        raise ValidationFailed(
            _("%(agency)s chưa có tài khoản nhận thanh toán trực tuyến.") % {"agency": payee_agency},
            code="no_payee_account",
        )
    gateway = gateways.default_gateway()
    now = timezone.now()

    with transaction.atomic():
        for _attempt in range(5):
            intent = PaymentIntent(
                payer=payer,
                payee_agency=payee_agency,
                amount=amount,
                purpose=purpose,
                description=description,
                content_type=content_type,
                object_id=object_id,
                bill_number=new_bill_number(),
                gateway=gateway.name,
                idempotency_key=idempotency_key or None,
                request_fingerprint=fingerprint,
                payee_bank_bin=account.bank_bin,
                payee_bank_name=account.bank_name,
                payee_account_number=account.account_number,
                payee_account_name=account.account_name,
                created_at=now,
                expires_at=now + timedelta(days=expiry_days()),
            )
            intent.vietqr_payload = vietqr.build(
                bank_bin=account.bank_bin,
                account=account.account_number,
                amount=amount,
                bill_number=intent.bill_number,
                purpose=f"{intent.bill_number} {description}",
            )
            try:
                with transaction.atomic():
                    intent.save(force_insert=True)
                break
            except IntegrityError:
                if idempotency_key:
                    # A concurrent call with the same key won the race: same rules as above.
                    existing = _idempotent_match(payer=payer, idempotency_key=idempotency_key, fingerprint=fingerprint)
                    if existing is not None:
                        return existing
                # Otherwise the random bill number collided: draw another.
        else:  # pragma: no cover - 5 collisions in 10^15 values
            raise Conflict(_("Không tạo được mã thanh toán, vui lòng thử lại."))
        _event(intent, EventKind.CREATED, gateway=gateway.name, payload={"amount": amount, "purpose": purpose})
        record_event(
            actor=payer,
            action=action,
            obj=intent,
            details={"bill_number": intent.bill_number, "amount": amount, "purpose": purpose,
                     "payee_agency": payee_agency.code, **(audit_details or {})},
            request=request,
        )
    return intent


REISSUABLE = (IntentStatus.FAILED, IntentStatus.EXPIRED)


def payment_intent_reissue(*, intent: PaymentIntent, actor, request: HttpRequest | None = None) -> PaymentIntent:
    """Pay again after a failed or expired attempt: a new pending intent (new bill number, new
    expiry) for the same payer, payee, amount, purpose and object. If the same object already
    has a pending intent for this purpose, that one is returned; if it is paid, ``Conflict``."""
    if actor is None or not actor.is_authenticated or actor.pk != intent.payer_id:
        raise NotAllowed(_("Bạn không thể tạo lại khoản thanh toán này."))
    if intent.status not in REISSUABLE:
        raise Conflict(
            _("Chỉ tạo lại được khoản thanh toán thất bại hoặc hết hạn."), code="not_reissuable"
        )
    siblings = PaymentIntent.objects.filter(
        payer_id=intent.payer_id, purpose=intent.purpose, content_type=intent.content_type,
        object_id=intent.object_id, payee_agency_id=intent.payee_agency_id,
    ).exclude(pk=intent.pk)
    if intent.object_id:
        if siblings.filter(status=IntentStatus.PAID).exists():
            raise Conflict(_("Khoản này đã được thanh toán."), code="already_paid")
        pending = siblings.filter(status=IntentStatus.PENDING).order_by("-created_at").first()
        if pending is not None:
            return pending
    return _issue(
        payer=intent.payer, payee_agency=intent.payee_agency, amount=intent.amount, purpose=intent.purpose,
        description=intent.description, content_type=intent.content_type, object_id=intent.object_id,
        idempotency_key=None, fingerprint=intent.request_fingerprint, request=request,
        action="payment.intent_reissue", audit_details={"previous_bill_number": intent.bill_number},
    )


def payment_intent_cancel(*, intent: PaymentIntent, actor, reason: str = "", request: HttpRequest | None = None) -> PaymentIntent:
    """Cancel a pending intent. ``actor`` is the payer (or a superuser); ``actor=None`` is the
    system (e.g. a service withdrawing what the intent was for). Cancelling a cancelled intent
    returns it unchanged; a paid, failed or expired one raises ``Conflict``."""
    if actor is not None and not (actor.is_authenticated and (actor.pk == intent.payer_id or actor.is_superuser)):
        raise NotAllowed(_("Bạn không thể hủy khoản thanh toán này."))
    reason = (reason or "").strip()[:255]
    with transaction.atomic():
        locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        if locked.status == IntentStatus.CANCELLED:
            return locked
        now = timezone.now()
        updated = PaymentIntent.objects.filter(pk=locked.pk, status=IntentStatus.PENDING).update(
            status=IntentStatus.CANCELLED, closed_at=now
        )
        if not updated:
            raise Conflict(
                _("Khoản thanh toán đang ở trạng thái “%(status)s”, không thể hủy.")
                % {"status": locked.get_status_display()},
                code="not_pending",
            )
        locked.refresh_from_db()
        _event(locked, EventKind.CANCELLED, note=reason)
        record_event(actor=actor, action="payment.intent_cancel", obj=locked,
                     details={"bill_number": locked.bill_number, "reason": reason}, request=request)
    return locked


# --- confirmation from gateways -------------------------------------------------------------


def _notify_paid(intent: PaymentIntent) -> None:
    from tinhso.notify.services import notify, render_for

    subject, body = render_for(
        intent.payer,
        "payment.paid",
        {"bill_number": intent.bill_number, "amount": format_vnd(intent.amount),
         "payee": intent.payee_agency.name, "description": intent.description},
    )
    notify(
        recipients=[intent.payer],
        event="payment.paid",
        subject=subject,
        body=body,
        url=reverse("payments:pay", kwargs={"public_id": intent.public_id}),
        obj=intent,
        dedupe_key=f"payment.paid:{intent.pk}",
    )


def payment_confirm(
    *, intent: PaymentIntent, gateway: str, reference: str = "", details: dict | None = None
) -> bool:
    """Mark a pending intent paid (internal: called for verified callbacks). Runs the
    ``on_paid`` handlers of its purpose, records the audit event and notifies the payer, all in
    one transaction. Returns False (and changes nothing) when the intent is not pending."""
    with transaction.atomic():
        locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        now = timezone.now()
        updated = PaymentIntent.objects.filter(pk=locked.pk, status=IntentStatus.PENDING).update(
            status=IntentStatus.PAID, paid_at=now, closed_at=now, gateway=gateway, gateway_reference=reference[:100]
        )
        if not updated:
            return False
        locked.refresh_from_db()
        _event(locked, EventKind.PAID, gateway=gateway, payload=strip_secrets(details or {}))
        for handler in paid_handlers(locked.purpose):
            handler(locked)
        _notify_paid(locked)
        record_event(actor=None, action="payment.paid", obj=locked,
                     details={"bill_number": locked.bill_number, "amount": locked.amount, "gateway": gateway,
                              "reference": reference})
    intent.refresh_from_db()
    return True


def payment_fail(*, intent: PaymentIntent, gateway: str, reference: str = "", details: dict | None = None) -> bool:
    """Mark a pending intent failed (the gateway reported a failed payment)."""
    with transaction.atomic():
        locked = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        now = timezone.now()
        updated = PaymentIntent.objects.filter(pk=locked.pk, status=IntentStatus.PENDING).update(
            status=IntentStatus.FAILED, closed_at=now, gateway=gateway, gateway_reference=reference[:100]
        )
        if not updated:
            return False
        locked.refresh_from_db()
        _event(locked, EventKind.FAILED, gateway=gateway, payload=strip_secrets(details or {}))
        record_event(actor=None, action="payment.failed", obj=locked,
                     details={"bill_number": locked.bill_number, "gateway": gateway, "reference": reference})
    intent.refresh_from_db()
    return True


@dataclass(frozen=True)
class CallbackReply:
    """What the callback endpoint answers the gateway."""

    status: int
    code: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status < 400


def _callback_row(gateway: str, *, intent=None, outcome: str, note: str, payload: dict,
                  signature_valid: bool, external_event_id: str | None = None) -> PaymentEvent:
    return _event(intent, EventKind.CALLBACK, gateway=gateway, outcome=outcome, note=note[:255],
                  payload=strip_secrets(payload), signature_valid=signature_valid,
                  external_event_id=external_event_id)


def payment_callback_process(*, gateway_name: str, body: bytes, headers: Mapping[str, str]) -> CallbackReply:
    """Handle one server-to-server notification from a gateway, exactly once.

    Every call leaves a ``callback`` row in the history. Rejected (nothing changes): a missing or
    wrong signature (403), an undecodable body (400), an unknown bill (404), an amount other
    than the intent's (422), a result for an intent that is no longer pending (409). A replay of
    an event id already processed, or a second "paid" for a paid intent, answers 200
    ``already_processed`` and has no effect.
    """
    gateway = gateways.get_gateway(gateway_name)
    if gateway is None:
        return CallbackReply(404, "unknown_gateway", _("Cổng thanh toán không được bật."))
    try:
        result = gateway.verify_callback(body, headers)
    except gateways.InvalidSignature:
        _callback_row(gateway.name, outcome=CallbackOutcome.REJECTED, note="invalid signature",
                      payload=gateway.decode_unverified(body), signature_valid=False)
        return CallbackReply(403, "invalid_signature", _("Chữ ký không hợp lệ."))
    except gateways.GatewayError as exc:
        _callback_row(gateway.name, outcome=CallbackOutcome.REJECTED, note=f"malformed: {exc}",
                      payload=gateway.decode_unverified(body), signature_valid=True)
        return CallbackReply(400, "bad_request", _("Nội dung thông báo không hợp lệ."))

    payload = result.payload or {}
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().filter(bill_number=result.bill_number).first()
        if intent is None:
            _callback_row(gateway.name, outcome=CallbackOutcome.REJECTED, note="unknown bill",
                          payload=payload, signature_valid=True)
            return CallbackReply(404, "unknown_bill", _("Không tìm thấy mã thanh toán."))
        if PaymentEvent.objects.filter(gateway=gateway.name, external_event_id=result.event_id).exists():
            _callback_row(gateway.name, intent=intent, outcome=CallbackOutcome.DUPLICATE,
                          note="event already processed", payload=payload, signature_valid=True)
            return CallbackReply(200, "already_processed", _("Thông báo này đã được xử lý."))
        if result.amount != intent.amount:
            _callback_row(gateway.name, intent=intent, outcome=CallbackOutcome.REJECTED,
                          note=f"amount {result.amount} != {intent.amount}", payload=payload, signature_valid=True)
            return CallbackReply(422, "amount_mismatch", _("Số tiền không khớp với khoản thanh toán."))
        if intent.status == result.status:
            _callback_row(gateway.name, intent=intent, outcome=CallbackOutcome.DUPLICATE,
                          note=f"intent already {intent.status}", payload=payload, signature_valid=True)
            return CallbackReply(200, "already_processed", _("Thông báo này đã được xử lý."))
        if intent.status != IntentStatus.PENDING:
            # Money may still have moved (e.g. paid after expiry): kept for reconciliation.
            _callback_row(gateway.name, intent=intent, outcome=CallbackOutcome.REJECTED,
                          note=f"intent is {intent.status}, needs reconciliation", payload=payload,
                          signature_valid=True)
            return CallbackReply(409, "not_pending", _("Khoản thanh toán không còn chờ thanh toán."))
        try:
            with transaction.atomic():
                _callback_row(gateway.name, intent=intent, outcome=CallbackOutcome.ACCEPTED, note=result.status,
                              payload=payload, signature_valid=True, external_event_id=result.event_id)
        except IntegrityError:
            return CallbackReply(200, "already_processed", _("Thông báo này đã được xử lý."))
        details = {"event_id": result.event_id, "reference": result.reference}
        if result.status == "paid":
            payment_confirm(intent=intent, gateway=gateway.name, reference=result.reference, details=details)
        else:
            payment_fail(intent=intent, gateway=gateway.name, reference=result.reference, details=details)
    return CallbackReply(200, "processed", _("Đã xử lý."))


# --- periodic -------------------------------------------------------------------------------


def payment_expire_overdue(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Expire pending intents past ``expires_at`` (Celery beat). Idempotent; returns how many
    intents this call expired. Each intent changes in its own short transaction."""
    now = now or timezone.now()
    ids = list(
        PaymentIntent.objects.filter(status=IntentStatus.PENDING, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    expired = 0
    for pk in ids:
        with transaction.atomic():
            updated = PaymentIntent.objects.filter(pk=pk, status=IntentStatus.PENDING, expires_at__lte=now).update(
                status=IntentStatus.EXPIRED, closed_at=now
            )
            if not updated:
                continue  # paid or cancelled meanwhile
            intent = PaymentIntent.objects.get(pk=pk)
            _event(intent, EventKind.EXPIRED)
            record_event(actor=None, action="payment.expired", obj=intent, details={"bill_number": intent.bill_number})
            expired += 1
    return expired


# --- receiving accounts ---------------------------------------------------------------------


def payee_account_save(*, actor, account: PayeeAccount, request: HttpRequest | None = None) -> PayeeAccount:
    """Create or change an agency's receiving account (data admins, through the admin site).
    Bills already issued keep the account they were issued with."""
    if actor is None or not actor.is_authenticated or not (
        actor.is_superuser or actor.has_perm("payments.change_payeeaccount") or actor.has_perm("payments.add_payeeaccount")
    ):
        raise NotAllowed(_("Bạn không có quyền sửa tài khoản thụ hưởng."))
    account.full_clean()
    with transaction.atomic():
        created = account.pk is None
        account.save()
        record_event(
            actor=actor,
            action="payment.payee_account_create" if created else "payment.payee_account_change",
            obj=account,
            details={"agency": account.agency.code, "bank_bin": account.bank_bin,
                     "account_number": account.account_number, "is_active": account.is_active},
            request=request,
        )
    return account


DEMO_BIN = "999999"  # belongs to no bank
DEMO_BANK = "Ngân hàng thử nghiệm (sandbox)"
DEMO_ACCOUNT_NAME = "TAI KHOAN THU NGHIEM - KHONG CO TIEN THAT"


def payee_accounts_demo_load(*, province_code: int) -> tuple[int, int]:
    """Give every active agency without a receiving account a clearly fake sandbox account
    (demo only). Idempotent; returns ``(created, total)``."""
    from tinhso.orgs.models import Agency

    with transaction.atomic():
        have = set(PayeeAccount.objects.values_list("agency_id", flat=True))
        rows = [
            PayeeAccount(
                agency=agency,
                bank_bin=DEMO_BIN,
                bank_name=DEMO_BANK,
                account_number=f"9{province_code:02d}{agency.pk:010d}",
                account_name=DEMO_ACCOUNT_NAME,
                is_active=True,
            )
            for agency in Agency.objects.filter(is_active=True).exclude(pk__in=have).only("pk")
        ]
        PayeeAccount.objects.bulk_create(rows, ignore_conflicts=True)
        if rows:
            record_event(actor=None, action="payment.payee_accounts_demo_load", details={"created": len(rows)})
    return len(rows), PayeeAccount.objects.count()
