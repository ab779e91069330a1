"""The outbox in the Django admin: read-only, with one action (retry failed) through a service."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tinhso.core.errors import DomainError

from . import services
from .models import Notification, Status


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "status", "recipient", "attempts", "sent_at", "read_at")
    list_filter = ("status", "channel", "event")
    list_select_related = ("recipient",)
    search_fields = ("event", "subject", "recipient__email", "recipient__phone", "dedupe_key")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["retry_failed"]
    fields = (
        "public_id", "recipient", "channel", "event", "status", "attempts", "last_error",
        "subject", "body", "url", "content_type", "object_id", "dedupe_key",
        "created_at", "next_attempt_at", "claimed_at", "sent_at", "read_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notify.change_notification")

    @admin.action(description=_("Gửi lại các thông báo thất bại đã chọn"), permissions=["retry"])
    def retry_failed(self, request, queryset) -> None:
        try:
            count = services.notification_retry_failed(
                actor=request.user, notifications=queryset.filter(status=Status.FAILED), request=request
            )
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("Đã xếp %d thông báo vào hàng đợi gửi lại.", "Đã xếp %d thông báo vào hàng đợi gửi lại.", count)
            % count,
            messages.SUCCESS,
        )
