"""Hooks other apps register to react when an intent becomes paid.

    from tinhso.payments.registry import on_paid

    def dossier_fee_paid(intent): ...        # runs inside the paying transaction
    on_paid("dossier_fee", dossier_fee_paid)  # call from AppConfig.ready()

A handler runs in the same transaction that marks the intent paid, exactly once per intent: if
it raises, the payment is rolled back too and the gateway's callback gets a 500 (gateways retry).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import PaymentIntent

Handler = Callable[["PaymentIntent"], None]

_handlers: dict[str, list[Handler]] = {}


def on_paid(purpose: str, handler: Handler) -> None:
    """Call ``handler(intent)`` whenever an intent with this ``purpose`` becomes paid.
    Registering the same handler twice for a purpose has no further effect."""
    if not purpose:
        raise ValueError("on_paid needs a purpose")
    handlers = _handlers.setdefault(purpose, [])
    if handler not in handlers:
        handlers.append(handler)


def remove_on_paid(purpose: str, handler: Handler) -> None:
    handlers = _handlers.get(purpose, [])
    if handler in handlers:
        handlers.remove(handler)


def paid_handlers(purpose: str) -> list[Handler]:
    return list(_handlers.get(purpose, []))
