"""Admin: agencies' receiving accounts are edited here (through a service, audited); intents
and their history are read-only."""

from __future__ import annotations

from django.contrib import admin

from tinhso.core.admin import ReadOnlyAdminMixin

from . import services
from .models import PayeeAccount, PaymentEvent, PaymentIntent


@admin.register(PayeeAccount)
class PayeeAccountAdmin(admin.ModelAdmin):
    list_display = ("agency", "bank_name", "bank_bin", "account_number", "account_name", "is_active", "updated_at")
    list_filter = ("is_active", "bank_name")
    search_fields = ("agency__name", "agency__code", "account_number", "account_name")
    autocomplete_fields = ("agency",)
    list_select_related = ("agency",)

    def get_actions(self, request):
        return {}  # no bulk delete: accounts change one by one, audited

    def save_model(self, request, obj, form, change) -> None:
        services.payee_account_save(actor=request.user, account=obj, request=request)


class PaymentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PaymentEvent
    extra = 0
    fields = ("created_at", "kind", "gateway", "outcome", "signature_valid", "note", "payload")
    readonly_fields = fields
    can_delete = False


@admin.register(PaymentIntent)
class PaymentIntentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bill_number", "payer", "payee_agency", "amount", "status", "purpose", "created_at", "paid_at")
    list_filter = ("status", "purpose", "gateway")
    search_fields = ("bill_number", "gateway_reference", "payer__email", "payer__phone", "payee_agency__name")
    list_select_related = ("payer", "payee_agency")
    date_hierarchy = "created_at"
    inlines = [PaymentEventInline]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "gateway", "outcome", "signature_valid", "intent", "note")
    list_filter = ("kind", "outcome", "gateway", "signature_valid")
    search_fields = ("intent__bill_number", "external_event_id", "note")
    list_select_related = ("intent",)
    date_hierarchy = "created_at"
