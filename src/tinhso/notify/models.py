"""The notification outbox: one row is one message to one recipient on one channel.

Rows are written inside the caller's transaction (so a rolled-back change sends nothing) and
delivered by Celery after commit. For the in-app channel the row itself is the inbox item.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelName(models.TextChoices):
    IN_APP = "in_app", _("Trong ứng dụng")
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")


class Status(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi thất bại")
    CANCELLED = "cancelled", _("Đã hủy")


class Notification(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    channel = models.CharField(_("kênh"), max_length=10, choices=ChannelName.choices)
    event = models.CharField(_("sự kiện"), max_length=100, help_text=_("ví dụ dossier.received"))
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("loại đối tượng")
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("gửi tiếp lúc"), default=timezone.now)
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), null=True, blank=True)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    # One row per (caller's key, recipient, channel): retries of the caller never enqueue twice.
    dedupe_key = models.CharField(_("khóa chống trùng"), max_length=255, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the inbox and its unread count
            models.Index(fields=["recipient", "channel", "read_at"], name="notify_inbox_idx"),
            # the periodic sweep for due and stuck rows
            models.Index(fields=["status", "next_attempt_at"], name="notify_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id} ({self.channel}, {self.status})"

    @property
    def is_unread(self) -> bool:
        return self.channel == ChannelName.IN_APP and self.read_at is None
