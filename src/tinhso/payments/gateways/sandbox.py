"""The sandbox gateway: a stand-in for the payer's bank, for demos and tests. No real money.

Its page (``/thanh-toan/sandbox/<bill_number>/``) offers "success" and "failure"; either builds a
callback exactly as a real gateway would send one — a JSON body signed with HMAC-SHA256 in the
``X-Tinhso-Signature`` header — and hands it to the same code path as the public callback
endpoint ``/thanh-toan/callback/sandbox/``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import CallbackResult, Gateway, GatewayError, InvalidSignature

if TYPE_CHECKING:
    from tinhso.payments.models import PaymentIntent

SIGNATURE_HEADER = "X-Tinhso-Signature"
SIGNATURE_PREFIX = "sha256="


def sandbox_secret() -> bytes:
    """``TINHSO_PAYMENT_SANDBOX_SECRET``, or a key derived from SECRET_KEY (never SECRET_KEY itself)."""
    configured = getattr(settings, "TINHSO_PAYMENT_SANDBOX_SECRET", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"tinhso.payments.sandbox.callback", hashlib.sha256).digest()


def sign(body: bytes) -> str:
    return SIGNATURE_PREFIX + hmac.new(sandbox_secret(), body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


class SandboxGateway(Gateway):
    name = "sandbox"

    def start(self, intent: PaymentIntent) -> dict[str, Any]:
        return {
            "kind": "redirect",
            "url": reverse("payments:sandbox", kwargs={"bill_number": intent.bill_number}),
            "label": _("Cổng thanh toán thử nghiệm — không có tiền thật"),
        }

    def simulate(self, intent: PaymentIntent, *, outcome: str) -> tuple[bytes, dict[str, str]]:
        """The signed callback the sandbox bank sends when the payer chooses ``outcome``
        (``"paid"`` or ``"failed"``): ``(body, headers)``."""
        if outcome not in CallbackResult.STATUSES:
            raise ValueError(f"unknown outcome {outcome!r}")
        body = json.dumps(
            {
                "event_id": str(uuid.uuid4()),
                "bill_number": intent.bill_number,
                "amount": intent.amount,
                "status": outcome,
                "reference": "SBX" + secrets.token_hex(8).upper(),
                "occurred_at": timezone.now().isoformat(),
            },
            separators=(",", ":"),
        ).encode()
        return body, {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)}

    def verify_callback(self, request_body: bytes, headers: Mapping[str, str]) -> CallbackResult:
        given = _header(headers, SIGNATURE_HEADER)
        if not given:
            raise InvalidSignature("missing signature")
        if not hmac.compare_digest(given.encode(), sign(request_body).encode()):
            raise InvalidSignature("signature mismatch")
        try:
            data = json.loads(request_body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise GatewayError("body is not JSON") from exc
        if not isinstance(data, dict):
            raise GatewayError("body is not a JSON object")
        amount = data.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise GatewayError("amount must be an integer")
        for key in ("event_id", "bill_number", "status"):
            if not isinstance(data.get(key), str) or not data[key] or len(data[key]) > 100:
                raise GatewayError(f"{key} must be a non-empty string")
        if data["status"] not in CallbackResult.STATUSES:
            raise GatewayError("unknown status")
        reference = data.get("reference") or ""
        if not isinstance(reference, str) or len(reference) > 100:
            raise GatewayError("bad reference")
        return CallbackResult(
            bill_number=data["bill_number"],
            amount=amount,
            status=data["status"],
            event_id=data["event_id"],
            reference=reference,
            payload=data,
        )
