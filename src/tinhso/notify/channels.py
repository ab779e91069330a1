"""Delivery channels: how one outbox row leaves the platform.

A channel has a ``name`` (the value stored in ``Notification.channel``), tells whether a user can
receive on it (``can_receive``) and sends one notification (``send``), raising ``DeliveryError`` when
it could not. In-app and email are built in; SMS and Zalo go through providers named in
``settings.TINHSO_NOTIFY_PROVIDERS`` (channel name → dotted path of a ``ProviderChannel`` subclass),
so a province plugs in its own telecom or Zalo OA account without changing code.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Notification

logger = logging.getLogger(__name__)

BUILTIN = ("in_app", "email")
PROVIDED = ("sms", "zalo")


class DeliveryError(Exception):
    """A channel could not deliver. ``permanent=True`` means retrying cannot help (no address)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel:
    """Base class of every channel."""

    name: ClassVar[str] = ""

    def can_receive(self, user) -> bool:
        return bool(user.is_active)

    def send(self, notification: Notification) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InAppChannel(Channel):
    """The outbox row is the inbox item: there is nothing to transmit."""

    name = "in_app"

    def send(self, notification: Notification) -> None:
        return None


def absolute_url(path: str) -> str:
    """A link for messages read outside the platform (email, SMS)."""
    if not path:
        return ""
    base = getattr(settings, "TINHSO_BASE_URL", "").rstrip("/")
    return f"{base}{path}" if path.startswith("/") else path


def text_with_link(notification: Notification) -> str:
    link = absolute_url(notification.url)
    if not link:
        return notification.body
    with translation.override(getattr(notification.recipient, "preferred_language", None) or "vi"):
        label = _("Xem chi tiết")
    return f"{notification.body}\n\n{label}: {link}".strip()


class EmailChannel(Channel):
    """Email through Django's mail backend (EMAIL_* settings; var/mail in the embedded default)."""

    name = "email"

    def can_receive(self, user) -> bool:
        return super().can_receive(user) and bool(user.email)

    def send(self, notification: Notification) -> None:
        address = notification.recipient.email
        if not address:
            raise DeliveryError("recipient has no email address", permanent=True)
        message = EmailMessage(
            subject=notification.subject.replace("\n", " ")[:255],
            body=text_with_link(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"X-Tinhso-Notification": str(notification.public_id)},
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # any transport error is retried with backoff
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


class ProviderChannel(Channel):
    """Base class of SMS/Zalo providers: a text to a phone number.

    Subclass it, implement ``send_text(phone, text)`` (raise ``DeliveryError`` on failure; mark
    errors that cannot be fixed by waiting ``permanent=True``) and name the class in
    ``TINHSO_NOTIFY_PROVIDERS``. A provider is built with the channel name it serves.
    """

    def __init__(self, name: str) -> None:
        self.name = name  # type: ignore[misc]

    def can_receive(self, user) -> bool:
        return super().can_receive(user) and bool(user.phone)

    def send(self, notification: Notification) -> None:
        phone = notification.recipient.phone
        if not phone:
            raise DeliveryError("recipient has no phone number", permanent=True)
        self.send_text(phone, self.compose(notification))

    def compose(self, notification: Notification) -> str:
        """Short text: the subject and the link (messages are billed by length)."""
        link = absolute_url(notification.url)
        return f"{notification.subject} {link}".strip()

    def send_text(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * max(len(phone) - 6, 0) + phone[-3:] if len(phone) > 6 else "***"


class LogSmsProvider(ProviderChannel):
    """Writes the message to the log instead of sending it: for demos and development."""

    def send_text(self, phone: str, text: str) -> None:
        logger.info("[%s] to %s: %s", self.name, mask_phone(phone), text)


@cache
def _provider(name: str, path: str) -> Channel:
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"TINHSO_NOTIFY_PROVIDERS[{name!r}]: cannot import {path!r}") from exc
    return cls(name)


def get_channel(name: str) -> Channel | None:
    """The channel called ``name``, or None when it is not configured (SMS/Zalo without provider)."""
    if name == "in_app":
        return InAppChannel()
    if name == "email":
        return EmailChannel()
    if name in PROVIDED:
        path = (getattr(settings, "TINHSO_NOTIFY_PROVIDERS", None) or {}).get(name)
        return _provider(name, path) if path else None
    raise ValueError(f"unknown notification channel: {name!r}")
