"""System administration of agencies, units, positions and memberships.

Forms run the services' checks (so errors show next to the fields) and saving goes through the
services (so every change is validated and audited). Only superusers edit here; agency admins
manage their own agency's memberships through the API / staff workspace.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tinhso.core.errors import DomainError
from tinhso.orgs import services
from tinhso.orgs.models import Agency, Membership, Position, Unit
from tinhso.search.text import fold


def _add_domain_errors(form: forms.BaseForm, exc: DomainError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, message in details.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class SuperuserOnlyMixin:
    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        # Dossiers, documents and memberships point to these rows: deactivate instead.
        return False


class UnitInlineForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ("code", "name", "kind", "abbreviation", "parent", "is_active")

    def _post_clean(self):
        super()._post_clean()
        if self.instance.agency_id is None or not self.has_changed():
            return
        try:
            services.unit_validate(unit=self.instance)
        except DomainError as exc:
            _add_domain_errors(self, exc)


class UnitInline(SuperuserOnlyMixin, admin.TabularInline):
    model = Unit
    form = UnitInlineForm
    extra = 0
    fields = ("code", "name", "kind", "abbreviation", "parent", "is_active")
    show_change_link = False


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = (
            "code", "name", "short_name", "abbreviation", "kind", "level", "admin_unit", "parent",
            "email", "phone", "address", "is_active",
        )

    def _post_clean(self):
        super()._post_clean()
        if self.instance.admin_unit_id is None:
            return
        try:
            services.agency_validate(agency=self.instance)
        except DomainError as exc:
            _add_domain_errors(self, exc)


@admin.register(Agency)
class AgencyAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    form = AgencyForm
    inlines = [UnitInline]
    list_display = ("code", "name", "abbreviation", "kind", "level", "admin_unit", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("code", "name", "short_name", "abbreviation", "name_folded")
    autocomplete_fields = ("admin_unit", "parent")
    list_select_related = ("admin_unit",)
    readonly_fields = ("public_id",)
    ordering = ("level", "code")
    list_per_page = 100

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded:
            results = results | queryset.filter(name_folded__contains=folded)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            original = Agency.objects.get(pk=obj.pk)
            saved = services.agency_update(actor=request.user, agency=original, **fields) if fields else original
        else:
            create = {name: form.cleaned_data.get(name) for name in AgencyForm.Meta.fields if name != "is_active"}
            saved = services.agency_create(actor=request.user, **create)
        obj.pk, obj.public_id, obj.name_folded = saved.pk, saved.public_id, saved.name_folded
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not Unit:
            return super().save_formset(request, form, formset, change)
        agency = form.instance
        for unit_form in formset.forms:
            if not unit_form.has_changed() or unit_form in formset.deleted_forms:
                continue
            data = {name: unit_form.cleaned_data.get(name) for name in UnitInlineForm.Meta.fields}
            try:
                if unit_form.instance.pk:
                    services.unit_update(actor=request.user, unit=Unit.objects.get(pk=unit_form.instance.pk), **data)
                else:
                    data.pop("is_active")
                    services.unit_create(actor=request.user, agency=agency, **data)
            except DomainError as exc:
                messages.error(request, exc.message)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None


@admin.register(Position)
class PositionAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "code", "rank", "is_leader")
    search_fields = ("name", "code")
    ordering = ("rank", "name")


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "agency", "role", "unit", "position", "valid_until")

    actor = None  # set by MembershipAdmin.get_form

    def _post_clean(self):
        super()._post_clean()
        data = self.cleaned_data
        if self.errors:
            return
        try:
            if self.instance.pk is not None:
                services.membership_update_validate(
                    actor=self.actor, membership=self.instance, unit=data.get("unit"),
                    valid_until=data.get("valid_until"),
                )
            elif data.get("agency") is not None:
                services.membership_grant_validate(
                    actor=self.actor, user=data.get("user"), agency=data["agency"],
                    role_code=data["role"].code if data.get("role") else "",
                    unit=data.get("unit"), valid_until=data.get("valid_until"),
                )
                if Membership.objects.filter(user=data.get("user"), agency=data["agency"], role=data.get("role"),
                                             is_active=True).exists():
                    self.add_error("role", _("Người này đã có vai trò này tại cơ quan."))
        except DomainError as exc:
            _add_domain_errors(self, exc)


@admin.register(Membership)
class MembershipAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "agency", "role", "unit", "position", "valid_until", "is_active")
    list_filter = ("is_active", "role", "agency__level")
    search_fields = ("user__full_name", "user__email", "user__phone", "agency__name", "agency__code")
    autocomplete_fields = ("agency", "unit", "position")
    raw_id_fields = ("user",)
    list_select_related = ("user", "agency", "role", "unit", "position")
    readonly_fields = ("public_id", "is_active", "created_at", "granted_by", "revoked_at", "revoked_by")
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ("user", "agency", "role") if obj is not None else ()
        return (*self.readonly_fields, *fixed)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.membership_update(
                actor=request.user, membership=Membership.objects.select_related("agency").get(pk=obj.pk),
                unit=data.get("unit"), position=data.get("position"), valid_until=data.get("valid_until"),
            )
        else:
            saved = services.membership_grant(
                actor=request.user, user=data["user"], agency=data["agency"], role_code=data["role"].code,
                unit=data.get("unit"), position=data.get("position"), valid_until=data.get("valid_until"),
            )
        obj.pk, obj.public_id = saved.pk, saved.public_id
        obj._state.adding = False

    @admin.action(description=_("Thu hồi các phân công đã chọn"))
    def revoke_selected(self, request, queryset):
        revoked = 0
        for membership in queryset.select_related("agency").filter(is_active=True):
            try:
                services.membership_revoke(actor=request.user, membership=membership)
                revoked += 1
            except DomainError as exc:
                messages.error(request, exc.message)
        messages.success(request, _("Đã thu hồi %(n)d phân công.") % {"n": revoked})


# Units are edited inline in their agency; registered for the membership form's autocomplete.
@admin.register(Unit)
class UnitAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "code", "kind", "agency", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "agency__name", "agency__code")
    list_select_related = ("agency",)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
