"""Admin for the working-day calendar. Saves and deletes go through the services, so every
change is validated and audited."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tinhso.core.admin import ReadOnlyAdminMixin

from .models import Holiday, TransitionLog
from .services import holiday_create, holiday_delete, holiday_update


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Holiday.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "name", "kind", "note"]
    list_filter = [YearFilter, "kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["date"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: Holiday) -> str:
        names = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ Nhật")]
        return str(names[obj.date.weekday()])

    def save_model(self, request, obj, form, change):
        # The model form has already checked the fields and the unique date; the services
        # check them again (races) and write the audit event.
        fields = {k: form.cleaned_data[k] for k in ("date", "name", "kind", "note") if k in form.cleaned_data}
        if change:
            holiday_update(actor=request.user, holiday=obj, request=request, **fields)
        else:
            created = holiday_create(actor=request.user, request=request, **fields)
            obj.pk = created.pk
            obj.updated_at = created.updated_at

    def delete_model(self, request, obj):
        holiday_delete(actor=request.user, holiday=obj, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            holiday_delete(actor=request.user, holiday=obj, request=request)


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """History is append-only: readable, never editable."""

    list_display = ["at", "flow", "transition", "from_state", "to_state", "actor", "object_id"]
    list_filter = ["flow"]
    search_fields = ["object_id", "transition"]
    readonly_fields = [f.name for f in TransitionLog._meta.fields]

