"""The portal's own placeholder sections: honest empty states until a service registers the
real section under the same key (see ``tinhso.portal.registry``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .registry import register_my_page_section

EMPTY_TEMPLATE = "portal/sections/empty.html"

# key, title, empty-state text, order
PLACEHOLDERS = [
    ("dossiers", _("Hồ sơ của tôi"), _("Bạn chưa có hồ sơ nào."), 10),
    ("feedback", _("Phản ánh"), _("Bạn chưa gửi phản ánh nào."), 20),
    ("appointments", _("Lịch hẹn"), _("Bạn chưa có lịch hẹn nào."), 30),
    ("orders", _("Đơn hàng"), _("Bạn chưa có đơn hàng nào."), 40),
    ("payments", _("Thanh toán"), _("Bạn chưa có khoản thanh toán nào."), 50),
]


def _empty_context(text) -> Any:
    def context(request: HttpRequest) -> dict[str, Any]:
        return {"empty_text": text}

    return context


def register_placeholders() -> None:
    for key, title, text, order in PLACEHOLDERS:
        register_my_page_section(key, title, EMPTY_TEMPLATE, _empty_context(text), order, placeholder=True)
    register_my_page_section(
        "notifications",
        _("Thông báo"),
        "portal/sections/notifications.html",
        notifications_context,
        60,
        placeholder=True,
    )


def notifications_context(request: HttpRequest) -> dict[str, Any]:
    """The user's latest notifications, when the notify building block provides them."""
    from .selectors import latest_notifications

    items, all_url = latest_notifications(user=request.user, limit=5)
    return {"notifications": items, "all_url": all_url, "empty_text": _("Bạn chưa có thông báo nào.")}
