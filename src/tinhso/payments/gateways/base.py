"""The adapter interface every payment gateway implements.

A gateway tells the payer how to pay (``start``) and turns the gateway's server-to-server
notification into a verified :class:`CallbackResult` (``verify_callback``). Everything else —
matching the bill, checking the amount, replays, state changes — is done once, in
``tinhso.payments.services``, for all gateways.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from tinhso.payments.models import PaymentIntent


class GatewayError(Exception):
    """The callback cannot be understood (malformed body, missing fields)."""


class InvalidSignature(GatewayError):
    """The callback is not signed by the gateway (or the signature is missing)."""


@dataclass(frozen=True)
class CallbackResult:
    """What a verified callback says happened."""

    bill_number: str
    amount: int
    status: str  # "paid" or "failed"
    event_id: str  # the gateway's unique id of this notification (replays repeat it)
    reference: str = ""  # the gateway's transaction reference
    payload: dict[str, Any] = field(default_factory=dict)  # the decoded body, without secrets

    STATUSES: ClassVar[tuple[str, ...]] = ("paid", "failed")


class Gateway:
    """Base class of gateway adapters. Subclasses set ``name`` and implement the two methods."""

    name: ClassVar[str] = ""

    def start(self, intent: PaymentIntent) -> dict[str, Any]:
        """What the payer sees to pay ``intent``: ``{"kind": "redirect", "url": ..., "label": ...}``
        or ``{"kind": "qr", ...}``. Must not change any state."""
        raise NotImplementedError

    def verify_callback(self, request_body: bytes, headers: Mapping[str, str]) -> CallbackResult:
        """Check the signature of a callback (in constant time) and decode it.

        Raises :class:`InvalidSignature` when the signature is missing or wrong and
        :class:`GatewayError` when the body cannot be decoded."""
        raise NotImplementedError

    def decode_unverified(self, request_body: bytes) -> dict[str, Any]:
        """The body as a dict for the history of a rejected callback (best effort, never trusted)."""
        import json

        try:
            data = json.loads(request_body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {"raw": request_body[:500].decode("utf-8", errors="replace")}
        return data if isinstance(data, dict) else {"raw": str(data)[:500]}
