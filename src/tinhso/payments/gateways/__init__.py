"""Payment gateway adapters, enabled by ``settings.TINHSO_PAYMENT_GATEWAYS``.

Each entry is the name of a built-in gateway (``"sandbox"``) or the dotted path of a
:class:`~tinhso.payments.gateways.base.Gateway` subclass. The first enabled gateway is used for
new intents; callbacks are accepted only for enabled gateways.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import CallbackResult, Gateway, GatewayError, InvalidSignature

BUILTIN = {"sandbox": "tinhso.payments.gateways.sandbox.SandboxGateway"}

__all__ = ["BUILTIN", "CallbackResult", "Gateway", "GatewayError", "InvalidSignature", "default_gateway",
           "enabled_gateways", "get_gateway", "is_enabled"]


def enabled_gateways() -> dict[str, Gateway]:
    """The enabled gateways by name, in the configured order."""
    result: dict[str, Gateway] = {}
    for entry in getattr(settings, "TINHSO_PAYMENT_GATEWAYS", ["sandbox"]) or []:
        cls = import_string(BUILTIN.get(entry, entry))
        gateway = cls()
        result[gateway.name] = gateway
    return result


def get_gateway(name: str) -> Gateway | None:
    """The enabled gateway called ``name``, or None."""
    return enabled_gateways().get(name)


def is_enabled(name: str) -> bool:
    return get_gateway(name) is not None


def default_gateway() -> Gateway:
    gateways = enabled_gateways()
    if not gateways:
        raise GatewayError("no payment gateway is enabled (settings.TINHSO_PAYMENT_GATEWAYS)")
    return next(iter(gateways.values()))
