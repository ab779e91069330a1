"""The procedure catalogue (thủ tục hành chính): what a citizen can apply for, where, in how
many working days, for what fee, with which documents, and how officials process it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceLevel(models.TextChoices):
    """Decree 42/2022: full online (toàn trình) or partial online (một phần)."""

    FULL_ONLINE = "full_online", _("Toàn trình")
    PARTIAL_ONLINE = "partial_online", _("Một phần")


class ImplementingLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class ProcedureField(models.Model):
    """A field of procedures (lĩnh vực): civil status, justice, construction, land …"""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("mã thủ tục"), max_length=30, unique=True, help_text=_("mã trên Cơ sở dữ liệu quốc gia, ví dụ 1.001193"))
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(ProcedureField, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    service_level = models.CharField(_("mức độ dịch vụ công"), max_length=20, choices=ServiceLevel.choices)
    implementing_level = models.CharField(_("cấp thực hiện"), max_length=10, choices=ImplementingLevel.choices)
    agencies = models.ManyToManyField(
        "orgs.Agency",
        verbose_name=_("cơ quan thực hiện"),
        blank=True,
        related_name="procedures",
        help_text=_("để trống với thủ tục cấp xã: mọi UBND cấp xã đều tiếp nhận"),
    )
    applicants = models.TextField(_("đối tượng thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    processing_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết (ngày làm việc)"))
    counting_rule = models.JSONField(
        _("quy tắc tính ngày"), default=dict, blank=True, help_text=_("workflow.calendar.CountingRule dạng JSON")
    )
    form_schema = models.JSONField(_("biểu mẫu tờ khai (JSON Schema)"), default=dict, blank=True)
    is_published = models.BooleanField(_("đang công khai"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field__order", "name"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("procedures:detail", kwargs={"code": self.code})

    @property
    def total_fee(self) -> int:
        """The fee charged whatever the form says: the fixed lines only (a line multiplied by a
        form field, such as 8.000 đ per paper copy, counts 0 here). The fee of a dossier is
        ``tinhso.procedures.fees.compute_fee(procedure=…, form_data=…)``."""
        return sum(fee.amount for fee in self.fees.all() if not fee.quantity_field)


class ProcedureFee(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("khoản phí, lệ phí"), max_length=255)
    amount = models.PositiveIntegerField(_("số tiền (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    quantity_field = models.CharField(
        _("nhân với trường của tờ khai"), max_length=40, blank=True,
        help_text=_("tên một trường số nguyên của tờ khai (ví dụ so_ban_sao): số tiền × giá trị khai; "
                    "để trống nếu thu một lần"),
    )
    quantity_unit = models.CharField(
        _("đơn vị tính"), max_length=60, blank=True, help_text=_("ví dụ: bản sao trích lục, trang")
    )

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["procedure", "id"]

    def __str__(self) -> str:
        per = f"/{self.quantity_unit or self.quantity_field}" if self.quantity_field else ""
        return f"{self.name}: {self.amount:,} đ{per}"


class RequiredDocument(models.Model):
    """A document the applicant must attach (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="required_documents")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    description = models.TextField(_("hướng dẫn"), blank=True)
    copies = models.CharField(_("số lượng"), max_length=100, blank=True, help_text=_("ví dụ: 01 bản chính"))
    is_required = models.BooleanField(_("bắt buộc"), default=True)
    template = models.ForeignKey(
        "files.StoredFile", verbose_name=_("mẫu đơn, tờ khai"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "code"], name="procedures_reqdoc_code_uniq")]

    def __str__(self) -> str:
        return self.name


class StepAgency(models.TextChoices):
    RECEIVING = "receiving", _("Cơ quan tiếp nhận hồ sơ")
    SPECIFIC = "specific", _("Cơ quan chỉ định")


class ProcedureStep(models.Model):
    """One processing step: which agency and role does what, in how many working days."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("nội dung công việc"), max_length=255)
    role_code = models.SlugField(_("vai trò thực hiện"), max_length=40, help_text=_("mã vai trò: clerk, specialist, leader …"))
    agency_rule = models.CharField(_("cơ quan thực hiện"), max_length=10, choices=StepAgency.choices, default=StepAgency.RECEIVING)
    agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("cơ quan chỉ định"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("số ngày làm việc"))

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="procedures_step_order_uniq")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
