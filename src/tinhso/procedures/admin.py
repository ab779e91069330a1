"""System administration of the catalogue (superusers): procedures with their fees, documents and
steps inline, publish/unpublish actions, and Excel import/export views. Every save goes through
the services, so the rules (steps add up to the processing time, valid form schema, fees ≥ 0)
hold here too and every change is audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from tinhso.core.errors import DomainError
from tinhso.procedures import excel, services
from tinhso.procedures.models import Procedure, ProcedureFee, ProcedureField, ProcedureStep, RequiredDocument


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # dossiers refer to procedures: unpublish instead


class FeeInline(SuperuserOnlyMixin, admin.TabularInline):
    model = ProcedureFee
    fields = ("name", "amount", "quantity_field", "quantity_unit", "note")
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class DocumentInline(SuperuserOnlyMixin, admin.TabularInline):
    model = RequiredDocument
    fields = ("order", "code", "name", "copies", "is_required", "description", "template")
    raw_id_fields = ("template",)
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class StepFormSet(forms.BaseInlineFormSet):
    """Checks the steps against the processing time being saved (the parent form is already
    validated and applied to ``self.instance`` when the formsets are built)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = _inline_rows(self)
        _rows, problems = services.clean_steps(rows)
        days = self.instance.processing_days or 0
        if not problems and rows and sum(int(r.get("days") or 0) for r in rows) != days:
            problems.append(_("Tổng số ngày của các bước phải bằng thời hạn giải quyết (%(days)d ngày làm việc).")
                            % {"days": days})
        if problems:
            raise forms.ValidationError(problems)


class StepInline(SuperuserOnlyMixin, admin.TabularInline):
    model = ProcedureStep
    formset = StepFormSet
    fields = ("order", "name", "role_code", "agency_rule", "agency", "days")
    autocomplete_fields = ("agency",)
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ProcedureForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = ("code", "name", "field", "service_level", "implementing_level", "agencies", "applicants",
                  "conditions", "legal_basis", "result", "processing_days", "counting_rule", "form_schema")

    def clean(self):
        data = super().clean()
        values = {k: data.get(k) for k in ("name", "field", "service_level", "implementing_level",
                                          "processing_days", "counting_rule", "form_schema") if k in data}
        _cleaned, errors = services.clean_procedure(values)
        for name, message in errors.items():
            if name in self.fields:
                self.add_error(name, message)
        if self.instance.pk is not None and "code" in self.changed_data:
            self.add_error("code", _("Không đổi mã của thủ tục đã có."))
        return data


def _inline_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data or form in formset.deleted_forms:
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        rows.append({k: v for k, v in form.cleaned_data.items() if k not in ("id", "DELETE", "procedure")})
    return rows


@admin.register(Procedure)
class ProcedureAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    form = ProcedureForm
    inlines = [FeeInline, DocumentInline, StepInline]
    list_display = ("code", "name", "field", "implementing_level", "service_level", "processing_days", "is_published")
    list_filter = ("is_published", "implementing_level", "service_level", "field")
    search_fields = ("code", "name")
    filter_horizontal = ("agencies",)
    readonly_fields = ("public_id", "is_published", "created_at", "updated_at")
    list_select_related = ("field",)
    actions = ["publish_selected", "unpublish_selected"]
    change_list_template = "admin/procedures/procedure/change_list.html"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        values = {k: data.get(k) for k in ProcedureForm.Meta.fields if k != "code"}
        if change:
            self._saved = services.procedure_update(actor=request.user, procedure=Procedure.objects.get(pk=obj.pk),
                                                    request=request, **{k: v for k, v in values.items()
                                                                        if k != "processing_days"})
            self._pending_days = values["processing_days"]
        else:
            self._saved = services.procedure_create(actor=request.user, code=data["code"], request=request, **values)
            self._pending_days = None
        obj.pk, obj.public_id = self._saved.pk, self._saved.public_id
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        procedure = Procedure.objects.get(pk=form.instance.pk)
        try:
            for formset in formsets:
                rows = _inline_rows(formset)
                if formset.model is ProcedureFee:
                    services.procedure_fees_set(actor=request.user, procedure=procedure, fees=rows, request=request)
                elif formset.model is RequiredDocument:
                    services.procedure_documents_set(actor=request.user, procedure=procedure, documents=rows,
                                                     request=request)
                elif formset.model is ProcedureStep:
                    rows.sort(key=lambda r: r.get("order") or 0)
                    services.procedure_steps_set(actor=request.user, procedure=procedure, steps=rows,
                                                 processing_days=self._pending_days, request=request)
        except DomainError as exc:
            # The admin runs the whole change in one transaction: keep none of it.
            transaction.set_rollback(True)
            details = exc.details if isinstance(exc.details, dict) else {}
            messages.error(request, " ".join([_("Chưa lưu thay đổi."), exc.message,
                                              *[str(v) for v in details.values()]]))
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description=_("Công khai các thủ tục đã chọn"))
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, services.procedure_publish)

    @admin.action(description=_("Ngừng công khai các thủ tục đã chọn"))
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, services.procedure_unpublish)

    def _bulk(self, request, queryset, fn) -> None:
        done = 0
        for procedure in queryset:
            try:
                fn(actor=request.user, procedure=procedure, request=request)
                done += 1
            except DomainError as exc:
                messages.error(request, f"{procedure.code}: {exc.message}")
        messages.success(request, _("Đã cập nhật %(n)d thủ tục.") % {"n": done})

    # --- Excel ---

    def get_urls(self):
        extra = [
            path("xuat-excel/", self.admin_site.admin_view(self.export_view), name="procedures_procedure_export"),
            path("nhap-excel/", self.admin_site.admin_view(self.import_view), name="procedures_procedure_import"),
        ]
        return extra + super().get_urls()

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        response = HttpResponse(
            excel.export_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="thu-tuc-hanh-chinh.xlsx"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                result = excel.import_workbook(actor=request.user, file=form.cleaned_data["file"], request=request)
            except DomainError as exc:
                messages.error(request, exc.message)
                errors = (exc.details or {}).get("errors", []) if isinstance(exc.details, dict) else []
            else:
                messages.success(request, _("Đã nhập %(c)d thủ tục mới, cập nhật %(u)d thủ tục.")
                                 % {"c": result["created"], "u": result["updated"]})
                return redirect(reverse("admin:procedures_procedure_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "errors": errors,
                   "title": _("Nhập danh mục thủ tục từ Excel"), "opts": self.model._meta}
        return TemplateResponse(request, "admin/procedures/procedure/import.html", context)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))


@admin.register(ProcedureField)
class ProcedureFieldAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "name", "order")
    search_fields = ("code", "name")
    ordering = ("order", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.procedure_field_update(actor=request.user, field=obj, name=data["name"], order=data["order"],
                                            request=request)
            return
        saved = services.procedure_field_ensure(actor=request.user, code=data["code"], name=data["name"],
                                                order=data["order"], request=request)
        obj.pk = saved.pk
        obj._state.adding = False
