"""Admin for users (phone/email login), roles, profiles (identifiers masked) and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, ReadOnlyPasswordHashField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import ApiToken, BusinessProfile, CitizenProfile, OfficialProfile, Role, User
from tinhso.accounts.phone import InvalidPhone, normalize_phone
from tinhso.core.errors import DomainError


def _clean_phone(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalize_phone(value)
    except InvalidPhone as exc:
        raise ValidationError(_("Số điện thoại di động không hợp lệ.")) from exc


class UserCreationAdminForm(forms.ModelForm):
    password1 = forms.CharField(label=_("Mật khẩu"), strip=False, widget=forms.PasswordInput, required=False,
                                help_text=_("Để trống: người dùng tự đặt mật khẩu qua chức năng quên mật khẩu."))

    class Meta:
        model = User
        fields = ("full_name", "email", "phone", "kind", "is_staff", "is_superuser", "is_service_account")

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower() or None
        if email and User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Thư điện tử này đã được đăng ký."))
        return email

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone"))

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise ValidationError(_("Cần thư điện tử hoặc số điện thoại."))
        password = data.get("password1")
        if password:
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(password, self.instance)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        else:
            user.set_unusable_password()
        if commit:
            user.save()
        return user


class UserChangeAdminForm(forms.ModelForm):
    password = ReadOnlyPasswordHashField(label=_("Mật khẩu"))

    class Meta:
        model = User
        fields = ("full_name", "email", "phone", "password", "kind", "preferred_language", "is_service_account",
                  "is_active", "is_staff", "is_superuser", "groups", "user_permissions", "last_login")

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower() or None
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Thư điện tử này đã được đăng ký."))
        return email

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone"))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("full_name", "email", "phone", "kind", "is_active", "is_staff", "date_joined")
    list_filter = ("kind", "is_active", "is_staff", "is_superuser", "is_service_account")
    search_fields = ("full_name", "email", "phone")
    ordering = ("-date_joined",)
    readonly_fields = ("public_id", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("public_id", "full_name", "email", "phone", "password")}),
        (_("Loại và ngôn ngữ"), {"fields": ("kind", "preferred_language", "is_service_account")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("full_name", "email", "phone", "kind", "password1")}),
        (_("Quyền"), {"fields": ("is_staff", "is_superuser", "is_service_account")}),
    )
    actions = ["reset_mfa"]

    def save_model(self, request, obj, form, change):
        from django.db import transaction

        from tinhso.audit.services import record_event

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_event(actor=request.user, action="user.admin_changed" if change else "user.admin_created",
                         obj=obj, request=request, details={"fields": sorted(form.changed_data)})

    @admin.action(description=_("Đặt lại xác thực hai lớp (người dùng đăng ký lại khi đăng nhập)"))
    def reset_mfa(self, request, queryset):
        from tinhso.accounts.mfa import mfa_reset

        done = 0
        for user in queryset:
            try:
                mfa_reset(actor=request.user, user=user, request=request)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("Đã đặt lại xác thực hai lớp cho %(n)d tài khoản.") % {"n": done})


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    """Identifiers are shown masked and cannot be edited here (the owner edits them; reveals go
    through an audited selector)."""

    list_display = ("user", "masked_national_id", "date_of_birth", "commune")
    search_fields = ("user__full_name", "user__phone", "user__email")
    fields = ("user", "masked_national_id", "date_of_birth", "address", "commune")
    readonly_fields = ("user", "masked_national_id")
    autocomplete_fields = ()
    raw_id_fields = ("commune",)

    @admin.display(description=_("số định danh cá nhân"))
    def masked_national_id(self, obj):
        return obj.national_id_masked

    def has_add_permission(self, request):
        return False


@admin.register(BusinessProfile)
class BusinessProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "masked_tax_code", "household_business")
    search_fields = ("name", "user__full_name", "user__phone", "user__email")
    fields = ("user", "name", "masked_tax_code", "household_business", "address")
    readonly_fields = ("user", "masked_tax_code")

    @admin.display(description=_("mã số thuế"))
    def masked_tax_code(self, obj):
        return obj.tax_code_masked

    def has_add_permission(self, request):
        return False


@admin.register(OfficialProfile)
class OfficialProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "staff_code", "title")
    search_fields = ("user__full_name", "user__email", "staff_code")
    raw_id_fields = ("user",)


class ApiTokenAddForm(forms.ModelForm):
    scopes_text = forms.CharField(label=_("Phạm vi"), required=False,
                                  help_text=_("Cách nhau bởi dấu phẩy, ví dụ: procedures:read, opendata:read"))

    class Meta:
        model = ApiToken
        fields = ("name", "user", "expires_at")

    def clean(self):
        from django.utils import timezone

        from tinhso.accounts.services import SCOPE_RE

        data = super().clean()
        scopes = [s.strip() for s in (data.get("scopes_text") or "").split(",") if s.strip()]
        if any(not SCOPE_RE.match(s) for s in scopes):
            self.add_error("scopes_text", _("Phạm vi không hợp lệ."))
        if data.get("expires_at") and data["expires_at"] <= timezone.now():
            self.add_error("expires_at", _("Thời hạn phải ở tương lai."))
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created through ``api_token_create``: the plain token is shown once, in the
    confirmation message, and never again."""

    list_display = ("name", "prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__full_name", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("public_id", "name", "user", "prefix", "scopes", "created_by", "created_at", "expires_at",
                       "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "user", "scopes_text", "expires_at")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        from tinhso.accounts.services import api_token_create

        if change:
            return
        scopes = [s.strip() for s in (form.cleaned_data.get("scopes_text") or "").split(",") if s.strip()]
        token, plaintext = api_token_create(actor=request.user, user=obj.user, name=obj.name, scopes=scopes,
                                            expires_at=obj.expires_at)
        obj.pk = token.pk
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        self.message_user(
            request,
            _("Mã truy cập (chỉ hiển thị lần này, hãy sao chép ngay): %(token)s") % {"token": plaintext},
            messages.WARNING,
        )

    @admin.action(description=_("Thu hồi mã truy cập đã chọn"))
    def revoke(self, request, queryset):
        from tinhso.accounts.services import api_token_revoke

        for token in queryset:
            api_token_revoke(actor=request.user, token=token)
        self.message_user(request, _("Đã thu hồi."))

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)
