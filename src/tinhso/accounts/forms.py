"""Forms of the account pages. They check shape; services check rules and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.models import UserKind
from tinhso.accounts.selectors import normalize_login

LOGIN_LABEL = _("Số điện thoại hoặc thư điện tử")
GENERIC_LOGIN_ERROR = _("Số điện thoại/thư điện tử hoặc mật khẩu không đúng.")


def _login_field(**attrs) -> forms.CharField:
    return forms.CharField(
        label=LOGIN_LABEL,
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false", **attrs}),
    )


class LoginForm(forms.Form):
    username = _login_field(autofocus=True)
    password = forms.CharField(
        label=_("Mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        raw = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if raw and password:
            # Axes counts failures per (username, IP): give it the canonical login, so that
            # "+84 912…" and "0912…" are one account, not five more tries each.
            login = normalize_login(raw) or raw.strip()
            self.cleaned_data["login"] = login
            self.user_cache = authenticate(self.request, username=login, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(GENERIC_LOGIN_ERROR, code="invalid_login")
        return self.cleaned_data


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Bạn đăng ký với tư cách"),
        choices=[(UserKind.CITIZEN, _("Người dân")), (UserKind.BUSINESS, _("Doanh nghiệp, hộ kinh doanh"))],
        initial=UserKind.CITIZEN,
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    username = _login_field()
    business_name = forms.CharField(
        label=_("Tên doanh nghiệp, hộ kinh doanh"), max_length=255, required=False,
        help_text=_("Chỉ điền khi đăng ký cho doanh nghiệp, hộ kinh doanh."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    tax_code = forms.CharField(
        label=_("Mã số thuế"), max_length=20, required=False,
        help_text=_("10 chữ số, hoặc 13 chữ số dạng 0123456789-001 (không bắt buộc)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    household_business = forms.BooleanField(label=_("Là hộ kinh doanh"), required=False)
    password1 = forms.CharField(
        label=_("Mật khẩu"), strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Hai mật khẩu không khớp."))
        return data


class OTPForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=20,
        help_text=_("6 chữ số trong ứng dụng xác thực, hoặc một mã dự phòng."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                   "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class EnrolForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Mã 6 chữ số từ ứng dụng"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class PasswordResetRequestForm(forms.Form):
    username = _login_field(autofocus=True)


class SetPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"), strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("Hai mật khẩu không khớp."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return data


class PasswordChangeForm(SetPasswordForm):
    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError(_("Mật khẩu hiện tại không đúng."), code="password_incorrect")
        return old


class AccountForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    preferred_language = forms.ChoiceField(label=_("Ngôn ngữ"), choices=[("vi", "Tiếng Việt"), ("en", "English")])


class CitizenProfileForm(forms.Form):
    national_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"), max_length=20, required=False,
        help_text=_("12 chữ số. Được mã hóa khi lưu; chỉ hiển thị dạng che."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"), required=False, widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    commune = forms.ModelChoiceField(label=_("Xã, phường"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from tinhso.geo.models import AdminUnit

        self.fields["commune"].queryset = AdminUnit.objects.filter(level="commune", is_active=True).order_by("name")


class BusinessProfileForm(forms.Form):
    name = forms.CharField(label=_("Tên doanh nghiệp, hộ kinh doanh"), max_length=255)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=20, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    household_business = forms.BooleanField(label=_("Là hộ kinh doanh"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)
