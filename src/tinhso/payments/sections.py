"""The "my payments" section of the citizen's page (``/me/``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tinhso.portal.registry import register_my_page_section

from . import selectors

LATEST = 5


def my_payments_context(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    qs = selectors.intents_of_user(user=request.user)
    intents = list(qs[: LATEST + 1])
    return {
        "intents": intents[:LATEST],
        "has_more": len(intents) > LATEST,
        "empty_text": _("Bạn chưa có khoản thanh toán nào."),
    }


def register_sections() -> None:
    register_my_page_section("payments", _("Thanh toán"), "payments/my_payments_section.html", my_payments_context, 50)
