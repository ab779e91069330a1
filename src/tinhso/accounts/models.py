"""Users (one identity across every service), roles, and the profiles of citizens,
businesses and officials."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.crypto import blind_index, mask_identifier
from tinhso.accounts.fields import EncryptedTextField


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Người dân")
    BUSINESS = "business", _("Doanh nghiệp, hộ kinh doanh")
    OFFICIAL = "official", _("Cán bộ, công chức")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, phone, password, **extra):
        if not email and not phone:
            raise ValueError("A user needs an email address or a phone number.")
        # Emails are stored lower-case (compared case-insensitively anyway); phones canonical.
        email = email.strip().lower() if email else None
        if phone:
            from tinhso.accounts.phone import normalize_phone

            phone = normalize_phone(phone)
        user = self.model(email=email or None, phone=phone or None, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, *, phone=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, phone, password, **extra)

    def create_superuser(self, email=None, password=None, *, phone=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("kind", UserKind.OFFICIAL)
        return self._create(email, phone, password, **extra)

    def get_by_natural_key(self, username):
        """Email (case-insensitive) or phone number, matching ``User.get_username``."""
        if username and "@" in username:
            return self.get(email__iexact=username)
        return self.get(phone=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with a phone number or an email address; addressed publicly by
    ``public_id`` (never the sequential primary key)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("thư điện tử"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("số điện thoại"), max_length=15, unique=True, null=True, blank=True, help_text=_("dạng 0912345678")
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    kind = models.CharField(_("loại tài khoản"), max_length=10, choices=UserKind.choices, default=UserKind.CITIZEN)
    preferred_language = models.CharField(_("ngôn ngữ"), max_length=5, default="vi")
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("quản trị hệ thống"), default=False, help_text=_("được vào trang quản trị Django"))
    date_joined = models.DateTimeField(_("ngày tạo"), default=timezone.now)
    is_service_account = models.BooleanField(
        _("tài khoản hệ thống"),
        default=False,
        help_text=_("dùng cho hệ thống khác gọi API bằng mã truy cập; không đăng nhập bằng mật khẩu"),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | models.Q(phone__isnull=False),
                name="accounts_user_email_or_phone",
            ),
            # Emails are compared case-insensitively at login, so they must be unique that way too.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_uniq"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or str(self.public_id)

    def clean(self) -> None:
        # Not super().clean(): AbstractBaseUser.clean() copies get_username() into USERNAME_FIELD
        # (email), which would write a phone number into the email column of phone-only users.
        if self.email:
            self.email = self.email.strip().lower()

    def get_username(self) -> str:
        """The login shown to people and put in OTP labels: email, else phone number."""
        return self.email or self.phone or ""

    def natural_key(self) -> tuple[str]:
        return (self.get_username(),)

    @property
    def is_official(self) -> bool:
        return self.kind == UserKind.OFFICIAL

    @property
    def requires_mfa(self) -> bool:
        """Officials and system admins must pass a TOTP challenge."""
        return self.kind == UserKind.OFFICIAL or self.is_staff or self.is_superuser


class Role(models.Model):
    """A role an official holds in an agency through ``orgs.Membership`` (data, not code)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên vai trò"), max_length=120)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CitizenProfile(models.Model):
    """What a citizen tells the platform about themselves. The national ID is encrypted at rest,
    with a keyed blind index for uniqueness; it is shown masked unless revealed through
    ``selectors.citizen_national_id_reveal`` (permission-checked, audited)."""

    user = models.OneToOneField(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="citizen_profile"
    )
    national_id = EncryptedTextField(_("số định danh cá nhân (CCCD)"), blank=True, default="")
    national_id_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    commune = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ người dân")
        verbose_name_plural = _("hồ sơ người dân")
        permissions = [("reveal_national_id", _("Xem đầy đủ số định danh cá nhân"))]

    def __str__(self) -> str:
        return str(self.user)

    def set_national_id(self, value: str) -> None:
        """Set the identifier and its blind index together (never one without the other)."""
        self.national_id = value or ""
        self.national_id_index = blind_index(value, purpose="national_id") if value else None

    @property
    def national_id_masked(self) -> str:
        return mask_identifier(self.national_id)


class BusinessProfile(models.Model):
    """A business or household business (hộ kinh doanh) acting through one account."""

    user = models.OneToOneField(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="business_profile"
    )
    name = models.CharField(_("tên doanh nghiệp, hộ kinh doanh"), max_length=255)
    tax_code = EncryptedTextField(_("mã số thuế"), blank=True, default="")
    tax_code_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    household_business = models.BooleanField(_("hộ kinh doanh"), default=False)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ doanh nghiệp")
        verbose_name_plural = _("hồ sơ doanh nghiệp")
        permissions = [("reveal_tax_code", _("Xem đầy đủ mã số thuế"))]

    def __str__(self) -> str:
        return self.name

    def set_tax_code(self, value: str) -> None:
        self.tax_code = value or ""
        self.tax_code_index = blind_index(value, purpose="tax_code") if value else None

    @property
    def tax_code_masked(self) -> str:
        return mask_identifier(self.tax_code, keep_start=3, keep_end=3)


class OfficialProfile(models.Model):
    user = models.OneToOneField(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="official_profile"
    )
    staff_code = models.CharField(_("mã cán bộ"), max_length=30, blank=True)
    title = models.CharField(_("chức danh"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("hồ sơ cán bộ")
        verbose_name_plural = _("hồ sơ cán bộ")

    def __str__(self) -> str:
        return str(self.user)


class ApiToken(models.Model):
    """A bearer token another system uses to call the API as ``user``.

    Only the SHA-256 of the secret is stored; the plain token is shown once, at creation. The first
    8 characters (``prefix``) are kept to find the row and to let people recognise a token.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tên"), max_length=120)
    user = models.ForeignKey(User, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(_("tiền tố"), max_length=8, db_index=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("phạm vi"), default=list, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("người tạo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now
