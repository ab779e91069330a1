"""Users (one identity across every service), roles, and the profiles of citizens,
businesses and officials."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Người dân")
    BUSINESS = "business", _("Doanh nghiệp, hộ kinh doanh")
    OFFICIAL = "official", _("Cán bộ, công chức")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, phone, password, **extra):
        if not email and not phone:
            raise ValueError("A user needs an email address or a phone number.")
        email = self.normalize_email(email) if email else None
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
        return self.get(**{self.model.USERNAME_FIELD: username})


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
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone or str(self.public_id)

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
