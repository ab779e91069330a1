"""Transition history of every state machine, and the working-day calendar's exceptions.

A day is a working day unless it is a weekend day (``TINHSO_WEEKEND_DAYS``, Saturday and Sunday
by default) or a ``Holiday`` row says otherwise: ``holiday`` and ``extra_day_off`` turn a day
off, ``makeup_workday`` turns a weekend day into a working day.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionLog(models.Model):
    """One fired transition of one object: who, when, from which state to which, and why."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("loại đối tượng"), on_delete=models.PROTECT)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    flow = models.CharField(_("quy trình"), max_length=60)
    transition = models.CharField(_("thao tác"), max_length=60)
    from_state = models.CharField(_("trạng thái trước"), max_length=40)
    to_state = models.CharField(_("trạng thái sau"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(_("dữ liệu kèm theo"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử chuyển trạng thái")
        verbose_name_plural = _("lịch sử chuyển trạng thái")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="workflow_log_object_idx")]

    def __str__(self) -> str:
        return f"{self.flow}.{self.transition}: {self.from_state} → {self.to_state}"


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày lễ, Tết")
    MAKEUP_WORKDAY = "makeup_workday", _("Ngày làm bù")
    EXTRA_DAY_OFF = "extra_day_off", _("Ngày nghỉ bù, nghỉ thêm")


class Holiday(models.Model):
    """An exception to the weekly pattern on one date."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên"), max_length=150)
    kind = models.CharField(_("loại"), max_length=20, choices=HolidayKind.choices, default=HolidayKind.HOLIDAY)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True, help_text=_("ví dụ: số quyết định, thông báo"))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("lịch ngày nghỉ, ngày làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def is_day_off(self) -> bool:
        return self.kind != HolidayKind.MAKEUP_WORKDAY
