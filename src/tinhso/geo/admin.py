from django import forms
from django.contrib import admin

from tinhso.core.errors import ValidationFailed
from tinhso.geo import services
from tinhso.geo.models import AdminUnit
from tinhso.search.text import fold


class AdminUnitForm(forms.ModelForm):
    class Meta:
        model = AdminUnit
        fields = ("code", "level", "kind", "name", "full_name", "parent", "is_active", "is_demo")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = False

    def _post_clean(self):
        super()._post_clean()
        try:
            services.admin_unit_validate(unit=self.instance)
        except ValidationFailed as exc:
            for name, message in (exc.details or {}).items():
                self.add_error(name if name in self.fields else None, message)


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    """Provinces and communes come from the official list (``tinhso geo_load``); administrators
    mostly add hamlets (ấp, khóm) here."""

    form = AdminUnitForm
    list_display = ("code", "full_name", "kind", "level", "parent", "is_active", "is_demo")
    list_filter = ("level", "kind", "is_active", "is_demo")
    search_fields = ("code", "name", "full_name", "name_folded")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    ordering = ("level", "code")
    list_per_page = 100

    def get_search_results(self, request, queryset, search_term):
        # "tan thanh" should find "Phường Tân Thành": also match the folded name.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded:
            results = results | queryset.filter(name_folded__contains=folded)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        services.admin_unit_save(actor=request.user, unit=obj)

    def has_delete_permission(self, request, obj=None):
        # Dossiers, reports and agencies point to units: deactivate instead of deleting.
        return False
