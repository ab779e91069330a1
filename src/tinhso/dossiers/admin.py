"""Read-only admin views of dossiers: every change goes through the services."""

from django.contrib import admin

from tinhso.core.admin import ReadOnlyAdminMixin

from .models import ApologySlip, Dossier, DossierDocument, DossierStep, Rating, SupplementRequest


class DocumentInline(admin.TabularInline):
    model = DossierDocument
    extra = 0
    can_delete = False
    fields = ("requirement_code", "name", "file", "is_digitised", "uploaded_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = DossierStep
    extra = 0
    can_delete = False
    fields = ("order", "name", "agency", "role_code", "assignee", "due_at", "started_at", "finished_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "procedure", "agency", "status", "channel", "submitted_at", "due_at", "is_overdue")
    list_filter = ("status", "channel", "is_overdue", "fee_status")
    search_fields = ("code",)
    raw_id_fields = ("applicant", "procedure", "agency", "current_agency", "recorded_by", "result_file")
    exclude = ("tracking_secret", "idempotency_key", "payload_hash")
    inlines = [DocumentInline, StepInline]


for model in (SupplementRequest, ApologySlip, Rating):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdminMixin, admin.ModelAdmin), {}))
