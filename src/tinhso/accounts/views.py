"""Account pages: login, logout, registration, MFA, password reset and change, profile.

Views validate input with forms and call services; rules and writes live in services/mfa.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from tinhso.accounts import forms, mfa, services
from tinhso.accounts.middleware import EXPIRED_FLAG_KEY, mark_session_start
from tinhso.accounts.models import UserKind
from tinhso.accounts.selectors import backup_codes_left, confirmed_totp_device, memberships_summary
from tinhso.core.errors import DomainError

LOCKOUT_MESSAGE = gettext_lazy("Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút.")
NEXT_SESSION_KEY = "_tinhso_next"
MFA_FAILURES_KEY = "_tinhso_mfa_failures"
# After this many wrong codes in one session, the session ends and the password is asked again.
MFA_MAX_FAILURES_PER_SESSION = 10


# --- helpers ------------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def landing_url(user) -> str:
    """Where a user goes after logging in when no ``next`` was asked for."""
    name = "portal:staff" if getattr(user, "is_official", False) else "portal:me"
    if getattr(user, "is_staff", False) and not user.memberships.filter(is_active=True).exists():
        # A system administrator without an agency membership works in the admin site.
        name = "admin:index"
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(settings.LOGIN_REDIRECT_URL)


def _after_login_url(request: HttpRequest) -> str:
    nxt = _safe_next(request, request.session.pop(NEXT_SESSION_KEY, None))
    return nxt or landing_url(request.user)


def _domain_error(form, exc: DomainError) -> None:
    field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
    field = {"password": "password1", "login": "username"}.get(field, field)
    if field == "password1" and "password1" not in form.fields:
        field = "new_password1"
    form.add_error(field if field in form.fields else None, str(exc.message))


def lockout_response(request: HttpRequest, original_response=None, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes' ``AXES_LOCKOUT_CALLABLE``: a clear 429 page (or JSON for API callers).

    axes 8 calls it as ``(request, original_response, credentials)``.
    """
    message = str(LOCKOUT_MESSAGE)
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    retry_after = int(cool_off.total_seconds()) if hasattr(cool_off, "total_seconds") else 900
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "locked_out", "message": message, "details": None}}, status=429
        )
    else:
        form = forms.LoginForm(request)
        response = render(request, "accounts/login.html", {"form": form, "locked_message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# --- login / logout -------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    nxt = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.session.pop(EXPIRED_FLAG_KEY, False):
        messages.warning(request, _("Phiên làm việc đã hết hạn."))
    if request.method == "POST":
        form = forms.LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.user_cache
            auth_login(request, user)  # rotates the session key
            mark_session_start(request)
            services.login_succeeded(user=user, request=request)
            if user.requires_mfa:
                if nxt:
                    request.session[NEXT_SESSION_KEY] = nxt
                target = "accounts:mfa_challenge" if confirmed_totp_device(user) else "accounts:mfa_enrol"
                return redirect(target)
            return HttpResponseRedirect(nxt or landing_url(user))
        locked = bool(getattr(request, "axes_locked_out", False))
        if form.cleaned_data.get("login") or locked:
            services.login_failed(login=form.cleaned_data.get("login", ""), request=request, locked_out=locked)
        if locked:
            return lockout_response(request)
    else:
        form = forms.LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": nxt or ""})


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET shows a confirmation button (logging out by a link would be a CSRF hole)."""
    if request.method == "POST":
        if request.user.is_authenticated:
            services.logout_recorded(user=request.user, request=request)
        auth_logout(request)
        messages.info(request, _("Bạn đã đăng xuất."))
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/logout.html")


# --- registration ----------------------------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    form = forms.RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_register(
                    full_name=data["full_name"],
                    login=data["username"],
                    password=data["password1"],
                    kind=data["kind"],
                    business_name=data["business_name"],
                    tax_code=data["tax_code"],
                    household_business=data["household_business"],
                    request=request,
                )
            except DomainError as exc:
                _domain_error(form, exc)
                status = exc.status if exc.status in (409, 422) else 400
            else:
                auth_login(request, user, backend="tinhso.accounts.backends.PhoneOrEmailBackend")
                mark_session_start(request)
                messages.success(request, _("Đăng ký thành công. Chào mừng bạn đến với Tỉnh số!"))
                return redirect(landing_url(user))
        else:
            status = 422
    return render(request, "accounts/register.html", {"form": form}, status=status)


# --- MFA --------------------------------------------------------------------------------------------


def _require_mfa_user(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}")
    return None


def _mark_verified(request: HttpRequest, device) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session key once the second factor is proven
    request.session.pop(MFA_FAILURES_KEY, None)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_enrol_view(request: HttpRequest) -> HttpResponse:
    if (resp := _require_mfa_user(request)) is not None:
        return resp
    user = request.user
    if confirmed_totp_device(user):
        return redirect("accounts:profile" if user.is_verified() else "accounts:mfa_challenge")
    device = mfa.mfa_enrolment_device(user=user)
    form = forms.EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = mfa.mfa_enrolment_confirm(user=user, token=form.cleaned_data["otp_token"], request=request)
        except DomainError as exc:
            form.add_error("otp_token", str(exc.message))
            status = 400
        else:
            _mark_verified(request, device)
            return render(request, "accounts/mfa_backup_codes.html",
                          {"codes": codes, "next_url": _after_login_url(request), "enrolled": True})
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(device.config_url),
        "secret": mfa.totp_secret_b32(device),
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
        "account": user.get_username(),
    }
    return render(request, "accounts/mfa_enrol.html", context, status=status)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_challenge_view(request: HttpRequest) -> HttpResponse:
    if (resp := _require_mfa_user(request)) is not None:
        return resp
    user = request.user
    nxt = _safe_next(request, request.GET.get("next"))
    if nxt:
        request.session[NEXT_SESSION_KEY] = nxt
    if user.is_verified():
        return HttpResponseRedirect(_after_login_url(request))
    if not confirmed_totp_device(user):
        return redirect("accounts:mfa_enrol")
    form = forms.OTPForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.mfa_verify(user=user, token=form.cleaned_data["otp_token"], request=request)
        except DomainError as exc:
            failures = request.session.get(MFA_FAILURES_KEY, 0) + 1
            request.session[MFA_FAILURES_KEY] = failures
            if failures >= MFA_MAX_FAILURES_PER_SESSION:
                services.logout_recorded(user=user, request=request, reason="mfa_failures")
                auth_logout(request)
                messages.error(request, _("Nhập sai mã xác thực quá nhiều lần. Vui lòng đăng nhập lại."))
                return redirect("accounts:login")
            form.add_error("otp_token", str(exc.message))
            status = 400
        else:
            _mark_verified(request, device)
            return HttpResponseRedirect(_after_login_url(request))
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/mfa_challenge.html", {"form": form}, status=status)


@login_required
@require_POST
def mfa_backup_codes_view(request: HttpRequest) -> HttpResponse:
    """Issue new backup codes (needs a verified session, which the middleware guarantees)."""
    try:
        codes = mfa.mfa_backup_codes_regenerate(user=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:profile")
    return render(request, "accounts/mfa_backup_codes.html",
                  {"codes": codes, "next_url": reverse("accounts:profile"), "enrolled": False})


# --- password reset and change ---------------------------------------------------------------------


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def confirm_url(uidb64: str, token: str) -> str:
            path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
            base = getattr(settings, "TINHSO_BASE_URL", "").rstrip("/")
            return f"{base}{path}" if base else request.build_absolute_uri(path)

        services.password_reset_request(login=form.cleaned_data["username"], request=request, confirm_url=confirm_url)
        # The same answer whether or not the account exists.
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset_form.html", {"form": form}, status=400 if form.errors else 200)


def password_reset_done_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


RESET_SESSION_TOKEN = "_password_reset_token"  # noqa: S105 - a session key name
RESET_URL_TOKEN = "set-password"  # noqa: S105 - the placeholder that replaces the token in the URL


def _reset_user(uidb64: str):
    User = get_user_model()
    try:
        uid = urlsafe_base64_decode(uidb64).decode()
        return User.objects.get(pk=uid)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Check the link, then ask for a new password. Like Django's view, the token moves from the
    URL into the session first, so it does not leak through the Referer header.

    The user is NOT logged in afterwards, and OTP devices stay: an official still has to pass the
    OTP challenge at the next login. Changing the password also ends every other session.
    """
    user = _reset_user(uidb64)
    if user is not None and token != RESET_URL_TOKEN:
        if default_token_generator.check_token(user, token):
            request.session[RESET_SESSION_TOKEN] = token
            return redirect(request.path.replace(token, RESET_URL_TOKEN))
        user = None
    elif user is not None:
        session_token = request.session.get(RESET_SESSION_TOKEN)
        if not (session_token and default_token_generator.check_token(user, session_token)):
            user = None
    if user is None:
        return render(request, "accounts/password_reset_confirm.html", {"validlink": False}, status=400)
    form = forms.SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_set(user=user, password=form.cleaned_data["new_password1"], reason="reset",
                                       request=request)
        except DomainError as exc:
            _domain_error(form, exc)
        else:
            request.session.pop(RESET_SESSION_TOKEN, None)
            if request.user.is_authenticated and request.user.pk == user.pk:
                # The password changed under this session: end it rather than keep a half state.
                auth_logout(request)
            return redirect("accounts:password_reset_complete")
    return render(request, "accounts/password_reset_confirm.html", {"validlink": True, "form": form},
                  status=400 if form.errors else 200)


def password_reset_complete_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_set(user=request.user, password=form.cleaned_data["new_password1"],
                                       reason="change", request=request)
        except DomainError as exc:
            _domain_error(form, exc)
        else:
            # Keeps this session (and its OTP verification); other sessions end.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


# --- profile ---------------------------------------------------------------------------------------


@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    citizen = getattr(user, "citizen_profile", None) if user.kind == UserKind.CITIZEN else None
    business = getattr(user, "business_profile", None) if user.kind == UserKind.BUSINESS else None
    official = getattr(user, "official_profile", None) if user.kind == UserKind.OFFICIAL else None
    account_form = forms.AccountForm(
        initial={"full_name": user.full_name, "preferred_language": user.preferred_language}, prefix="account"
    )
    # Protected identifiers are never put back into the form: an empty field keeps the stored value.
    citizen_form = forms.CitizenProfileForm(
        initial={
            "date_of_birth": citizen.date_of_birth if citizen else None,
            "address": citizen.address if citizen else "",
            "commune": citizen.commune_id if citizen else None,
        },
        prefix="citizen",
    ) if user.kind == UserKind.CITIZEN else None
    business_form = forms.BusinessProfileForm(
        initial={
            "name": business.name if business else "",
            "household_business": business.household_business if business else False,
            "address": business.address if business else "",
        },
        prefix="business",
    ) if user.kind == UserKind.BUSINESS else None
    status = 200
    if request.method == "POST":
        section = request.POST.get("section")
        try:
            if section == "account":
                account_form = forms.AccountForm(request.POST, prefix="account")
                if account_form.is_valid():
                    services.user_update(actor=user, user=user, request=request, **account_form.cleaned_data)
                    messages.success(request, _("Đã lưu thông tin tài khoản."))
                    return redirect("accounts:profile")
            elif section == "citizen" and citizen_form is not None:
                citizen_form = forms.CitizenProfileForm(request.POST, prefix="citizen")
                if citizen_form.is_valid():
                    data = citizen_form.cleaned_data
                    services.citizen_profile_update(
                        actor=user, user=user, request=request,
                        national_id=data["national_id"] or (citizen.national_id if citizen else ""),
                        date_of_birth=data["date_of_birth"], address=data["address"], commune=data["commune"],
                    )
                    messages.success(request, _("Đã lưu hồ sơ."))
                    return redirect("accounts:profile")
            elif section == "business" and business_form is not None:
                business_form = forms.BusinessProfileForm(request.POST, prefix="business")
                if business_form.is_valid():
                    data = business_form.cleaned_data
                    services.business_profile_update(
                        actor=user, user=user, request=request, name=data["name"],
                        tax_code=data["tax_code"] or (business.tax_code if business else ""),
                        household_business=data["household_business"], address=data["address"],
                    )
                    messages.success(request, _("Đã lưu hồ sơ."))
                    return redirect("accounts:profile")
            status = 400
        except DomainError as exc:
            target = {"account": account_form, "citizen": citizen_form, "business": business_form}.get(section)
            if target is not None:
                _domain_error(target, exc)
            status = exc.status
    context = {
        "account_form": account_form,
        "citizen": citizen,
        "citizen_form": citizen_form,
        "business": business,
        "business_form": business_form,
        "official": official,
        "memberships": memberships_summary(user) if user.kind == UserKind.OFFICIAL else [],
        "has_totp": bool(confirmed_totp_device(user)) if user.requires_mfa else False,
        "backup_codes_left": backup_codes_left(user) if user.requires_mfa else 0,
    }
    return render(request, "accounts/profile.html", context, status=status)
