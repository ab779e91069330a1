"""Read-only Django admin of consultations and ideas (every write goes through the pages and
``services_ideas``: validated, audited)."""

from __future__ import annotations

from django.contrib import admin

from tinhso.core.admin import ReadOnlyAdminMixin

from .models_ideas import Consultation, ConsultationDocument, Idea, IdeaSupport, ImplementationUpdate


class DocumentInline(admin.TabularInline):
    model = ConsultationDocument
    extra = 0
    can_delete = False
    fields = ("file", "order")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class UpdateInline(DocumentInline):
    model = ImplementationUpdate
    fields = ("created_at", "status", "progress", "note", "agency", "author")
    readonly_fields = fields


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "agency", "status", "opens_at", "closes_at", "idea_count")
    list_filter = ("status",)
    search_fields = ("title",)
    raw_id_fields = ("agency", "commune", "created_by")
    exclude = ("search_text",)
    inlines = [DocumentInline]


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "consultation", "status", "support_count", "created_at", "hidden_at")
    list_filter = ("status",)
    search_fields = ("title",)
    raw_id_fields = ("consultation", "author", "answered_by", "hidden_by", "image")
    exclude = ("idempotency_key", "payload_hash")
    inlines = [UpdateInline]


admin.site.register(IdeaSupport, type("IdeaSupportAdmin", (ReadOnlyAdminMixin, admin.ModelAdmin), {}))
