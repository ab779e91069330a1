"""Administrative units: province → communes/wards (official codes) → hamlets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    HAMLET = "hamlet", _("Ấp, khóm")


class AdminUnit(models.Model):
    """One administrative unit. Codes of provinces (2 digits) and communes (5 digits) are the
    official ones (from the ``vietnam-provinces`` package); hamlet codes are ``<commune code>-<NN>``."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(_("loại"), max_length=40, help_text=_("ví dụ: phường, xã, đặc khu, ấp, khóm"))
    name = models.CharField(_("tên"), max_length=120)
    full_name = models.CharField(_("tên đầy đủ"), max_length=160)
    # Lower-case, diacritics-free copy of ``full_name`` (đ→d) for diacritics-insensitive lookups;
    # kept in step by the services that write units.
    name_folded = models.CharField(_("tên không dấu"), max_length=160, blank=True, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)
    is_demo = models.BooleanField(
        _("dữ liệu mẫu"), default=False, help_text=_("đơn vị do bộ dữ liệu mẫu tạo ra (ví dụ ấp, khóm minh họa)")
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code"]
        indexes = [models.Index(fields=["parent", "level"])]

    def __str__(self) -> str:
        return self.full_name
