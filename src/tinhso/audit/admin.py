from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tinhso.audit.models import AuditEvent
from tinhso.core.admin import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events are never added, changed or deleted through the admin."""

    list_display = ("seq", "occurred_at", "action", "actor_repr", "object_type", "object_repr", "ip")
    list_filter = ("action", "object_type", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("=public_id", "action", "actor_repr", "object_repr", "=object_id", "=ip")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    fieldsets = (
        (None, {"fields": ("seq", "public_id", "occurred_at", "action", "actor", "actor_repr")}),
        (_("Đối tượng"), {"fields": ("object_type", "object_id", "object_repr", "details")}),
        (_("Nguồn"), {"fields": ("ip", "user_agent")}),
        (_("Chuỗi băm"), {"fields": ("prev_hash", "hash")}),
    )

