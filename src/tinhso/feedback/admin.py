"""System administration of field reports: categories, routing rules and answer templates are
editable by superusers (every save goes through the services: validated, audited); reports and
their answers, notes, supports and ratings are read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from tinhso.core.admin import ReadOnlyAdminMixin
from tinhso.core.errors import DomainError

from . import services
from .models import (
    Answer,
    Category,
    Note,
    Rating,
    Report,
    ReportPhoto,
    ResponseTemplate,
    RoutingRule,
    Support,
)


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
        return False  # reports refer to them: deactivate instead


class ServiceForm(forms.ModelForm):
    """Runs the service in ``clean`` so a domain error becomes a form error, not a 500."""

    def run(self, fn):
        try:
            return fn()
        except DomainError as exc:
            raise ValidationError(str(exc.message)) from exc


class CategoryForm(ServiceForm):
    class Meta:
        model = Category
        fields = ("code", "name", "group", "description", "keywords", "sla_days", "attributes", "is_active", "order")

    def clean(self):
        data = super().clean()
        if not self.errors:
            from .attributes import clean_definitions

            self.run(lambda: clean_definitions(data.get("attributes")))
        return data


@admin.register(Category)
class CategoryAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    form = CategoryForm
    list_display = ("code", "name", "group", "sla_days", "is_active", "order")
    list_filter = ("is_active", "group")
    search_fields = ("code", "name", "keywords")

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in services.CATEGORY_FIELDS if k in form.cleaned_data}
        try:
            saved = services.category_save(actor=request.user, code=form.cleaned_data["code"],
                                           category=obj if change else None, request=request, **fields)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk = saved.pk


@admin.register(RoutingRule)
class RoutingRuleAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("category", "commune", "target", "agency", "supervisor", "is_active")
    list_filter = ("target", "is_active", "category")
    raw_id_fields = ("commune", "agency", "supervisor")

    def save_model(self, request, obj, form, change):
        d = form.cleaned_data
        try:
            saved = services.routing_rule_save(
                actor=request.user, category=d.get("category"), commune=d.get("commune"), target=d["target"],
                agency=d.get("agency"), supervisor=d.get("supervisor"), is_active=d.get("is_active", True),
                note=d.get("note", ""), rule=obj if change else None, request=request,
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk = saved.pk


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "agency", "category", "is_active")
    list_filter = ("is_active", "category")
    raw_id_fields = ("agency",)

    def save_model(self, request, obj, form, change):
        d = form.cleaned_data
        try:
            if change:
                saved = services.response_template_update(
                    actor=request.user, template=obj, request=request, title=d["title"], body=d["body"],
                    category=d.get("category"), is_active=d.get("is_active", True))
            else:
                saved = services.response_template_create(
                    actor=request.user, title=d["title"], body=d["body"], agency=d.get("agency"),
                    category=d.get("category"), request=request)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk = saved.pk


class PhotoInline(admin.TabularInline):
    model = ReportPhoto
    extra = 0
    can_delete = False
    fields = ("file", "order")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AnswerInline(PhotoInline):
    model = Answer
    fields = ("created_at", "agency", "author", "is_resolution", "body", "photo")
    readonly_fields = fields


class NoteInline(PhotoInline):
    model = Note
    fields = ("created_at", "author", "body")
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("code", "category", "agency", "status", "submitted_at", "due_at", "escalated_at", "support_count")
    list_filter = ("status", "category", "is_public", "channel")
    search_fields = ("code",)
    raw_id_fields = ("reporter", "agency", "supervisor", "assignee", "commune", "duplicate_of")
    exclude = ("idempotency_key", "payload_hash", "idempotency_scope", "search_text")
    inlines = [PhotoInline, AnswerInline, NoteInline]


for model in (Support, Rating):
    admin.site.register(model, type(f"Report{model.__name__}Admin", (ReadOnlyAdminMixin, admin.ModelAdmin), {}))

from . import admin_ideas  # noqa: E402, F401 - comments and ideas
