"""Payment intents (one bill to pay), the agencies' receiving accounts, and the history of each
intent including every gateway callback, accepted or not."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

bank_bin_validator = RegexValidator(r"^\d{6}$", _("Mã BIN ngân hàng gồm đúng 6 chữ số."))
account_number_validator = RegexValidator(r"^[0-9A-Za-z]{1,19}$", _("Số tài khoản gồm 1–19 chữ số hoặc chữ cái."))


class PayeeAccount(models.Model):
    """The bank account an agency receives fees on (edited by data admins)."""

    agency = models.OneToOneField(
        "orgs.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="payee_account"
    )
    bank_bin = models.CharField(_("mã BIN ngân hàng"), max_length=6, validators=[bank_bin_validator])
    bank_name = models.CharField(_("ngân hàng"), max_length=150)
    account_number = models.CharField(_("số tài khoản"), max_length=19, validators=[account_number_validator])
    account_name = models.CharField(_("tên tài khoản"), max_length=150)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tài khoản thụ hưởng")
        verbose_name_plural = _("tài khoản thụ hưởng")
        ordering = ["agency__name"]

    def __str__(self) -> str:
        return f"{self.agency} — {self.bank_name} {self.account_number}"


class IntentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Thất bại")
    CANCELLED = "cancelled", _("Đã hủy")
    EXPIRED = "expired", _("Hết hạn")


class PaymentIntent(models.Model):
    """One amount one payer owes one agency, for one purpose (e.g. the fee of a dossier)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), on_delete=models.PROTECT, related_name="payment_intents"
    )
    payee_agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("cơ quan thụ hưởng"), on_delete=models.PROTECT, related_name="payment_intents"
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    currency = models.CharField(_("đơn vị tiền"), max_length=3, default="VND")
    purpose = models.CharField(_("mục đích"), max_length=50, db_index=True)
    description = models.CharField(_("nội dung"), max_length=255, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=IntentStatus.choices, default=IntentStatus.PENDING, db_index=True
    )
    bill_number = models.CharField(_("mã thanh toán"), max_length=20, unique=True)
    gateway = models.CharField(_("cổng thanh toán"), max_length=30)
    gateway_reference = models.CharField(_("mã giao dịch của cổng"), max_length=100, blank=True)
    # NULL, not "": intents without a key must not collide in the (payer, key) unique constraint.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # The receiving account as it was when the bill was issued: later edits do not change it.
    payee_bank_bin = models.CharField(_("mã BIN ngân hàng"), max_length=6)
    payee_bank_name = models.CharField(_("ngân hàng"), max_length=150)
    payee_account_number = models.CharField(_("số tài khoản"), max_length=19)
    payee_account_name = models.CharField(_("tên tài khoản"), max_length=150)
    vietqr_payload = models.TextField(_("nội dung mã VietQR"))
    created_at = models.DateTimeField(_("tạo lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khoản thanh toán")
        verbose_name_plural = _("khoản thanh toán")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_intent_amount_positive"),
            models.UniqueConstraint(fields=["payer", "idempotency_key"], name="payments_intent_unique_idempotency"),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["payer", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.bill_number} ({self.amount} đ, {self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == IntentStatus.PENDING

    @property
    def is_paid(self) -> bool:
        return self.status == IntentStatus.PAID


class EventKind(models.TextChoices):
    CREATED = "created", _("Tạo")
    CALLBACK = "callback", _("Thông báo từ cổng thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Thất bại")
    CANCELLED = "cancelled", _("Đã hủy")
    EXPIRED = "expired", _("Hết hạn")


class CallbackOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Đã xử lý")
    DUPLICATE = "duplicate", _("Trùng lặp, bỏ qua")
    REJECTED = "rejected", _("Bị từ chối")


class PaymentEvent(models.Model):
    """The history of an intent. Every callback is stored, also the rejected ones (bad
    signature, unknown bill, wrong amount), so that reconciliation can see what arrived."""

    intent = models.ForeignKey(
        PaymentIntent, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=EventKind.choices)
    gateway = models.CharField(_("cổng thanh toán"), max_length=30, blank=True)
    # Set only on accepted callbacks: the unique pair is what makes a replay a no-op.
    external_event_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - NULLs never collide
    outcome = models.CharField(_("kết quả"), max_length=10, choices=CallbackOutcome.choices, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    payload = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    signature_valid = models.BooleanField(_("chữ ký hợp lệ"), null=True, blank=True)
    created_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("sự kiện thanh toán")
        verbose_name_plural = _("sự kiện thanh toán")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "external_event_id"], name="payments_event_unique_external_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.outcome} {self.created_at:%Y-%m-%d %H:%M}"
