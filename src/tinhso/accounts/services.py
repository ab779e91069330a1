"""Every change to accounts: registration, profiles, passwords, login records and API tokens.

MFA enrolment and verification live in ``tinhso.accounts.mfa``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from tinhso.accounts.crypto import blind_index
from tinhso.accounts.models import (
    ApiToken,
    BusinessProfile,
    CitizenProfile,
    OfficialProfile,
    User,
    UserKind,
)
from tinhso.accounts.phone import mask_email, mask_phone
from tinhso.accounts.selectors import login_is_taken, normalize_login, user_by_login
from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed

logger = logging.getLogger(__name__)

NATIONAL_ID_RE = re.compile(r"^\d{12}$")
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
SCOPE_RE = re.compile(r"^[a-z0-9_.:-]{1,60}$")
LANGUAGES = {"vi", "en"}


# --- validation helpers -------------------------------------------------------------------------


def clean_national_id(value: str) -> str:
    """A 12-digit CCCD number (spaces ignored); "" stays "". Raises ValidationFailed."""
    text = re.sub(r"\s", "", value or "")
    if text and not NATIONAL_ID_RE.match(text):
        raise ValidationFailed(_("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số."), details={"field": "national_id"})
    return text


def clean_tax_code(value: str) -> str:
    """A 10-digit tax code, or 13 digits written ``0123456789-001`` (branches)."""
    text = re.sub(r"\s", "", value or "")
    if len(text) == 13 and text.isdigit():
        text = f"{text[:10]}-{text[10:]}"
    if text and not TAX_CODE_RE.match(text):
        raise ValidationFailed(
            _("Mã số thuế gồm 10 chữ số, hoặc 13 chữ số dạng 0123456789-001."), details={"field": "tax_code"}
        )
    return text


def clean_login(value: str) -> str:
    login = normalize_login(value)
    if login is None:
        raise ValidationFailed(
            _("Nhập số điện thoại di động Việt Nam (ví dụ 0912345678) hoặc địa chỉ thư điện tử."),
            details={"field": "username"},
        )
    if "@" in login:
        try:
            validate_email(login)
        except ValidationError as exc:
            raise ValidationFailed(_("Địa chỉ thư điện tử không hợp lệ."), details={"field": "username"}) from exc
    return login


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), details={"field": "password"}) from exc


def _check_full_name(full_name: str) -> str:
    name = " ".join((full_name or "").split())
    if not name or len(name) > 150:
        raise ValidationFailed(_("Vui lòng nhập họ và tên (tối đa 150 ký tự)."), details={"field": "full_name"})
    return name


# --- registration and profile ---------------------------------------------------------------------


def user_register(
    *,
    full_name: str,
    login: str,
    password: str,
    kind: str = UserKind.CITIZEN,
    business_name: str = "",
    tax_code: str = "",
    household_business: bool = False,
    request: HttpRequest | None = None,
) -> User:
    """Create a citizen or business account with its profile. Officials are created by admins."""
    if kind not in (UserKind.CITIZEN, UserKind.BUSINESS):
        raise ValidationFailed(_("Loại tài khoản không hợp lệ."), details={"field": "kind"})
    name = _check_full_name(full_name)
    login = clean_login(login)
    is_email = "@" in login
    user = User(
        full_name=name, kind=kind, email=login if is_email else None, phone=None if is_email else login
    )
    _check_password(password, user)
    business_name = " ".join((business_name or "").split())
    if kind == UserKind.BUSINESS and not business_name:
        raise ValidationFailed(_("Vui lòng nhập tên doanh nghiệp hoặc hộ kinh doanh."), details={"field": "business_name"})
    tax_code = clean_tax_code(tax_code) if kind == UserKind.BUSINESS else ""
    duplicate_msg = (
        _("Thư điện tử này đã được đăng ký. Vui lòng đăng nhập hoặc dùng chức năng quên mật khẩu.")
        if is_email
        else _("Số điện thoại này đã được đăng ký. Vui lòng đăng nhập hoặc dùng chức năng quên mật khẩu.")
    )
    if login_is_taken(login):
        raise Conflict(duplicate_msg, details={"field": "username"})
    if tax_code and BusinessProfile.objects.filter(tax_code_index=blind_index(tax_code, purpose="tax_code")).exists():
        raise Conflict(_("Mã số thuế này đã được đăng ký bởi một tài khoản khác."), details={"field": "tax_code"})
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            if kind == UserKind.BUSINESS:
                profile = BusinessProfile(user=user, name=business_name, household_business=household_business)
                profile.set_tax_code(tax_code)
                profile.save(force_insert=True)
            else:
                CitizenProfile.objects.create(user=user)
            record_event(actor=user, action="user.registered", obj=user, request=request, details={"kind": kind})
    except IntegrityError as exc:
        # A concurrent registration with the same phone/email/tax code won the race.
        raise Conflict(duplicate_msg, details={"field": "username"}) from exc
    return user


def user_update(
    *,
    actor: User,
    user: User,
    full_name: str | None = None,
    preferred_language: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Change the name or language of one's own account (system admins may change anyone's)."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise NotAllowed(_("Bạn không có quyền sửa tài khoản này."))
    changed: dict[str, Any] = {}
    if full_name is not None:
        name = _check_full_name(full_name)
        if name != user.full_name:
            changed["full_name"] = name
    if preferred_language is not None:
        if preferred_language not in LANGUAGES:
            raise ValidationFailed(_("Ngôn ngữ không được hỗ trợ."), details={"field": "preferred_language"})
        if preferred_language != user.preferred_language:
            changed["preferred_language"] = preferred_language
    if not changed:
        return user
    with transaction.atomic():
        for field, value in changed.items():
            setattr(user, field, value)
        user.save(update_fields=list(changed))
        record_event(actor=actor, action="user.updated", obj=user, request=request, details={"fields": sorted(changed)})
    return user


def citizen_profile_update(
    *,
    actor: User,
    user: User,
    national_id: str,
    date_of_birth: dt.date | None,
    address: str,
    commune=None,
    request: HttpRequest | None = None,
) -> CitizenProfile:
    """Save the citizen's own profile. The national ID must be unique across citizens."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise NotAllowed(_("Bạn không có quyền sửa hồ sơ này."))
    national_id = clean_national_id(national_id)
    if date_of_birth and date_of_birth > timezone.localdate():
        raise ValidationFailed(_("Ngày sinh không thể ở tương lai."), details={"field": "date_of_birth"})
    if commune is not None and getattr(commune, "level", "commune") != "commune":
        raise ValidationFailed(_("Vui lòng chọn một xã, phường."), details={"field": "commune"})
    duplicate = Conflict(_("Số định danh cá nhân này đã gắn với một tài khoản khác."), details={"field": "national_id"})
    try:
        with transaction.atomic():
            profile, _created = CitizenProfile.objects.select_for_update().get_or_create(user=user)
            changed = []
            if national_id != profile.national_id:
                index = blind_index(national_id, purpose="national_id") if national_id else None
                if index and CitizenProfile.objects.filter(national_id_index=index).exclude(pk=profile.pk).exists():
                    raise duplicate
                profile.set_national_id(national_id)
                changed.append("national_id")
            for field, value in (("date_of_birth", date_of_birth), ("address", (address or "").strip()[:255]),
                                 ("commune", commune)):
                if getattr(profile, field) != value:
                    setattr(profile, field, value)
                    changed.append(field)
            if changed:
                profile.save()
                record_event(actor=actor, action="profile.updated", obj=profile, request=request,
                             details={"fields": sorted(changed)})
    except IntegrityError as exc:
        raise duplicate from exc
    return profile


def business_profile_update(
    *,
    actor: User,
    user: User,
    name: str,
    tax_code: str,
    household_business: bool,
    address: str,
    request: HttpRequest | None = None,
) -> BusinessProfile:
    if actor.pk != user.pk and not actor.is_superuser:
        raise NotAllowed(_("Bạn không có quyền sửa hồ sơ này."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Vui lòng nhập tên doanh nghiệp hoặc hộ kinh doanh."), details={"field": "name"})
    tax_code = clean_tax_code(tax_code)
    duplicate = Conflict(_("Mã số thuế này đã được đăng ký bởi một tài khoản khác."), details={"field": "tax_code"})
    try:
        with transaction.atomic():
            profile = BusinessProfile.objects.select_for_update().filter(user=user).first() or BusinessProfile(user=user)
            if tax_code != profile.tax_code:
                index = blind_index(tax_code, purpose="tax_code") if tax_code else None
                if index and BusinessProfile.objects.filter(tax_code_index=index).exclude(pk=profile.pk).exists():
                    raise duplicate
                profile.set_tax_code(tax_code)
            profile.name = name
            profile.household_business = bool(household_business)
            profile.address = (address or "").strip()[:255]
            profile.save()
            record_event(actor=actor, action="profile.updated", obj=profile, request=request)
    except IntegrityError as exc:
        raise duplicate from exc
    return profile


def official_create(
    *,
    actor: User | None,
    full_name: str,
    login: str,
    password: str | None = None,
    staff_code: str = "",
    title: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    validate_password_strength: bool = True,
) -> User:
    """Create an official's account (by a system admin or a command). They must enrol MFA at
    first login. Without a password the account can only be activated through password reset.
    ``validate_password_strength=False`` is for the demo loader's published password only."""
    if actor is not None and not actor.is_superuser:
        raise NotAllowed(_("Chỉ quản trị hệ thống được tạo tài khoản cán bộ."))
    login = clean_login(login)
    if login_is_taken(login):
        raise Conflict(_("Số điện thoại hoặc thư điện tử này đã được đăng ký."), details={"field": "username"})
    is_email = "@" in login
    user = User(
        full_name=_check_full_name(full_name),
        kind=UserKind.OFFICIAL,
        email=login if is_email else None,
        phone=None if is_email else login,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        if validate_password_strength:
            _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save(force_insert=True)
        OfficialProfile.objects.create(user=user, staff_code=staff_code, title=title)
        record_event(actor=actor, action="user.official_created", obj=user,
                     details={"is_staff": user.is_staff, "is_superuser": is_superuser})
    return user


# --- login records --------------------------------------------------------------------------------


def login_succeeded(*, user: User, request: HttpRequest) -> None:
    with transaction.atomic():
        record_event(actor=user, action="user.login", obj=user, request=request,
                     details={"mfa_required": user.requires_mfa})


def login_failed(*, login: str, request: HttpRequest, locked_out: bool = False) -> None:
    """Record a failed password login. ``login`` is what was typed (normalised when possible);
    the password is never passed here."""
    normalized = normalize_login(login) or (login or "")[:100]
    user = user_by_login(normalized) if normalized else None
    with transaction.atomic():
        record_event(
            actor=None,
            action="user.login_failed",
            obj=user,
            request=request,
            details={"login": normalized[:100], "reason": "locked_out" if locked_out else "bad_credentials"},
        )


def logout_recorded(*, user: User, request: HttpRequest, reason: str = "user") -> None:
    with transaction.atomic():
        record_event(actor=user, action="user.logout", obj=user, request=request, details={"reason": reason})


# --- passwords ------------------------------------------------------------------------------------


def user_password_set(*, user: User, password: str, reason: str, request: HttpRequest | None = None) -> User:
    """Set a new password (after a reset link or a change). Never touches MFA devices: a reset
    proves control of the phone/email, not of the authenticator app."""
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(actor=user, action=f"user.password_{reason}", obj=user, request=request)
    return user


def password_reset_request(*, login: str, request: HttpRequest, confirm_url: Callable[[str, str], str]) -> None:
    """Send a reset link to the account's phone (SMS) or email when it exists.

    The caller shows the same answer whatever happens, so the page does not reveal which
    accounts exist. ``confirm_url(uidb64, token)`` builds the absolute link.
    """
    normalized = normalize_login(login)
    if _reset_throttled(normalized or (login or "")[:100], request):
        logger.warning("password reset requests throttled")
        return
    user = user_by_login(normalized) if normalized else None
    if user is None or not user.is_active or user.is_service_account or not user.has_usable_password():
        logger.info("password reset requested for an unknown or unusable login")
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = confirm_url(uid, default_token_generator.make_token(user))
    via = _deliver_reset_link(user=user, by_phone="@" not in normalized, link=link)
    with transaction.atomic():
        record_event(actor=None, action="user.password_reset_requested", obj=user, request=request,
                     details={"via": via})


RESET_LIMIT_PER_LOGIN = 3
RESET_LIMIT_PER_IP = 20
RESET_WINDOW_SECONDS = 3600


def _over_limit(key: str, limit: int) -> bool:
    cache.add(key, 0, RESET_WINDOW_SECONDS)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RESET_WINDOW_SECONDS)
        return False


def _reset_throttled(login: str, request: HttpRequest) -> bool:
    """At most a few links per account and per address an hour: each SMS costs money, and a flood
    of messages is a nuisance to the owner of the number."""
    from tinhso.core.http import client_ip

    digest = hashlib.sha256(login.encode()).hexdigest()[:32]
    by_login = _over_limit(f"accounts:pwreset:login:{digest}", RESET_LIMIT_PER_LOGIN)
    by_ip = _over_limit(f"accounts:pwreset:ip:{client_ip(request) or '-'}", RESET_LIMIT_PER_IP)
    return by_login or by_ip


def _deliver_reset_link(*, user: User, by_phone: bool, link: str) -> str:
    """Sent directly, not through the notification outbox: the link is a credential and must not
    stay in an inbox table. SMS when asked by phone and a provider is configured, else email."""
    if by_phone and user.phone:
        try:
            from tinhso.notify.channels import get_channel

            channel = get_channel("sms")
        except ImportError:
            channel = None
        if channel is not None and hasattr(channel, "send_text"):
            text = _("Tỉnh số: đặt lại mật khẩu tại %(link)s (hiệu lực có hạn). Bỏ qua nếu bạn không yêu cầu.") % {
                "link": link
            }
            try:
                channel.send_text(user.phone, text)
                return f"sms:{mask_phone(user.phone)}"
            except Exception:  # noqa: BLE001 - fall back to email when the provider fails
                logger.warning("SMS provider failed to send a password reset link", exc_info=True)
    if user.email:
        subject = _("Đặt lại mật khẩu Tỉnh số")
        body = _(
            "Xin chào %(name)s,\n\nCó yêu cầu đặt lại mật khẩu cho tài khoản của bạn. Mở liên kết sau để "
            "đặt mật khẩu mới:\n\n%(link)s\n\nLiên kết chỉ dùng được một lần và có thời hạn. Nếu bạn không "
            "yêu cầu, hãy bỏ qua thư này; mật khẩu của bạn không thay đổi."
        ) % {"name": user.full_name, "link": link}
        send_mail(subject, body, None, [user.email], fail_silently=False)
        return f"email:{mask_email(user.email)}"
    logger.warning("password reset for user %s: no SMS provider and no email address", user.pk)
    return "none"


# --- API tokens -------------------------------------------------------------------------------------

TOKEN_PREFIX_LENGTH = 8
TOKEN_ALPHABET = string.ascii_letters + string.digits


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _may_manage_tokens(actor: User | None) -> bool:
    return actor is None or (actor.is_active and (actor.is_superuser or actor.is_staff))


def api_token_create(
    *,
    actor: User | None,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None,
) -> tuple[ApiToken, str]:
    """Issue a token acting as ``user``. Returns the row and the plain token, which is shown once
    and never stored. ``actor=None`` means the command line."""
    if not _may_manage_tokens(actor):
        raise NotAllowed(_("Chỉ quản trị hệ thống được cấp mã truy cập API."))
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationFailed(_("Vui lòng đặt tên cho mã truy cập (tối đa 120 ký tự)."), details={"field": "name"})
    scopes = list(dict.fromkeys(scopes or []))
    if len(scopes) > 50 or any(not isinstance(s, str) or not SCOPE_RE.match(s) for s in scopes):
        raise ValidationFailed(_("Phạm vi không hợp lệ."), details={"field": "scopes"})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("Thời hạn phải ở tương lai."), details={"field": "expires_at"})
    if not user.is_active:
        raise ValidationFailed(_("Tài khoản đã bị khóa."), details={"field": "user"})
    # Letters and digits only (48 chars ≈ 285 bits): a token or its prefix never starts with "-",
    # which command lines would read as an option, and survives copy-paste without quoting.
    plaintext = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(48))
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            user=user,
            prefix=plaintext[:TOKEN_PREFIX_LENGTH],
            secret_hash=hash_token(plaintext),
            scopes=scopes,
            created_by=actor,
            expires_at=expires_at,
        )
        record_event(actor=actor, action="api_token.created", obj=token,
                     details={"user": str(user.public_id), "scopes": scopes,
                              "expires_at": expires_at.isoformat() if expires_at else None})
    return token, plaintext


def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    if not (_may_manage_tokens(actor) or (actor is not None and actor.pk == token.user_id)):
        raise NotAllowed(_("Bạn không có quyền thu hồi mã truy cập này."))
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
        if updated:
            record_event(actor=actor, action="api_token.revoked", obj=token)
    return token


def api_token_touch(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Note that the token was used, at most once a minute (one conditional UPDATE, no audit)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < dt.timedelta(minutes=1):
        return
    from django.db.models import Q

    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - dt.timedelta(minutes=1)),
                            pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
