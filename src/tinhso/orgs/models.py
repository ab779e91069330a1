"""Agencies (with electronic agency codes), their units and positions, and memberships:
the link (user, agency, role) through which an official acts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    OFFICE = "office", _("Văn phòng")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    INSPECTORATE = "inspectorate", _("Thanh tra")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Đơn vị sự nghiệp")
    OTHER = "other", _("Khác")


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


# QCVN 102:2016/BTTTT electronic agency code: <level 4>.<level 3>.<level 2>.<level 1>,
# e.g. 000.00.00.H12 (the People's Committee of Cà Mau). Level 1 is a letter and two digits.
AGENCY_CODE_REGEX = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"
agency_code_validator = RegexValidator(
    AGENCY_CODE_REGEX, _("Mã định danh điện tử phải có dạng 000.00.00.H12 (QCVN 102:2016).")
)


class Agency(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("mã định danh điện tử"),
        max_length=30,
        unique=True,
        validators=[agency_code_validator],
        help_text=_("theo QCVN 102:2016, ví dụ 000.00.00.H12"),
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    # Lower-case, diacritics-free copy of name + short name, kept in step by the services.
    name_folded = models.CharField(_("tên không dấu"), max_length=400, blank=True, editable=False, db_index=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    abbreviation = models.CharField(
        _("ký hiệu"), max_length=20, blank=True, help_text=_("dùng trong ký hiệu văn bản, ví dụ UBND, SNV")
    )
    kind = models.CharField(_("loại cơ quan"), max_length=30, choices=AgencyKind.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=AgencyLevel.choices)
    admin_unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("cơ quan cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["level", "kind"]), models.Index(fields=["admin_unit", "kind"])]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    OFFICE = "office", _("Văn phòng")
    DIVISION = "division", _("Phòng chuyên môn")
    ONE_STOP = "one_stop", _("Bộ phận một cửa")
    OTHER = "other", _("Khác")


class Unit(models.Model):
    """A unit inside an agency (phòng, ban, bộ phận một cửa)."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("mã"), max_length=30)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitKind.choices, default=UnitKind.DIVISION)
    abbreviation = models.CharField(_("ký hiệu"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị trực thuộc")
        verbose_name_plural = _("đơn vị trực thuộc")
        ordering = ["agency", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="orgs_unit_agency_code_uniq")]

    def __str__(self) -> str:
        return f"{self.name} — {self.agency.short_name or self.agency.name}"


class Position(models.Model):
    """A position title (Chủ tịch, Phó Giám đốc, Chuyên viên …)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("chức vụ"), max_length=120)
    rank = models.PositiveSmallIntegerField(_("thứ bậc"), default=100, help_text=_("số nhỏ hơn là cấp cao hơn"))
    is_leader = models.BooleanField(_("là lãnh đạo"), default=False)

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """An official's role in an agency. Every query an official makes is scoped by these."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="memberships")
    role = models.ForeignKey("accounts.Role", verbose_name=_("vai trò"), on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("chức vụ"), null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)
    valid_until = models.DateField(
        _("hiệu lực đến"), null=True, blank=True, help_text=_("hết ngày này thì phân công hết hiệu lực")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phân công"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thu hồi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["agency", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="orgs_membership_user_agency_role_uniq")
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.agency}"
