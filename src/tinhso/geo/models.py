"""Administrative units: province → communes/wards (official codes) → hamlets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    COMMUNE = "commune", _("Xã, phường, đặc khu")
    HAMLET = "hamlet", _("Ấp, khóm")


class AdminUnit(models.Model):
    """One administrative unit. Codes of provinces and communes are the official ones
    (from the ``vietnam-provinces`` package); hamlet codes are ``<commune code>-<NN>``."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(_("loại"), max_length=40, help_text=_("ví dụ: phường, xã, đặc khu, ấp, khóm"))
    name = models.CharField(_("tên"), max_length=120)
    full_name = models.CharField(_("tên đầy đủ"), max_length=160)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code"]
        indexes = [models.Index(fields=["parent", "level"])]

    def __str__(self) -> str:
        return self.full_name
