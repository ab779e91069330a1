"""Dossiers (hồ sơ thủ tục hành chính): one application by one applicant for one procedure, and
everything that happens to it at the one-stop desk and in processing.

The status field is driven by :class:`tinhso.dossiers.machine.DossierFlow`; every change goes
through :mod:`tinhso.dossiers.services` (one transaction, one audit event, outbox rows).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung")
    PROCESSING = "processing", _("Đang xử lý")
    AWAITING_APPROVAL = "awaiting_approval", _("Chờ phê duyệt")
    RESULT_READY = "result_ready", _("Có kết quả, chờ trả")
    DONE = "done", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Đã rút")


IN_PROGRESS = (Status.SUPPLEMENT_REQUESTED, Status.PROCESSING, Status.AWAITING_APPROVAL)
FINISHED = (Status.RESULT_READY, Status.DONE, Status.REFUSED, Status.WITHDRAWN)


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Trực tiếp tại bộ phận một cửa")


class FeeStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Không thu phí")
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")


class ResultMethod(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Tại bộ phận một cửa")
    POST = "post", _("Qua dịch vụ bưu chính")


class Dossier(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # <agency code>-<YYMMDD>-<NNNN> (Circular 01/2018/TT-VPCP art. 19); set at submission.
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    tracking_secret = models.CharField(_("mã tra cứu"), max_length=16, blank=True)
    procedure = models.ForeignKey(
        "procedures.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nộp"), on_delete=models.PROTECT, related_name="dossiers"
    )
    agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT, related_name="dossiers"
    )
    current_agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("cơ quan đang xử lý"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="dossiers_in_hand",
    )
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(_("trạng thái"), max_length=30, choices=Status.choices, default=Status.DRAFT)
    form_data = models.JSONField(_("tờ khai"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ nhận tại quầy"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    finished_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    is_overdue = models.BooleanField(_("quá hạn"), default=False)
    # The clock is paused while a supplement is requested after receipt.
    paused_at = models.DateTimeField(_("tạm dừng lúc"), null=True, blank=True)
    result_method = models.CharField(_("hình thức trả kết quả"), max_length=10, choices=ResultMethod.choices, blank=True)
    result_file = models.ForeignKey(
        "files.StoredFile", verbose_name=_("tệp kết quả"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    fee_amount = models.PositiveIntegerField(_("phí, lệ phí (đồng)"), default=0)
    fee_status = models.CharField(
        _("tình trạng phí"), max_length=15, choices=FeeStatus.choices, default=FeeStatus.NOT_REQUIRED
    )
    payment_public_id = models.UUIDField(_("mã thanh toán"), null=True, blank=True)
    # NULL, not "": dossiers without a key must not collide in the (applicant, key) constraint.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    payload_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="dossiers_dossier_idempotency_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="dossiers_agency_status_idx"),
            models.Index(fields=["current_agency", "status"], name="dossiers_current_status_idx"),
            models.Index(fields=["applicant", "created_at"], name="dossiers_applicant_idx"),
            models.Index(fields=["status", "due_at"], name="dossiers_status_due_idx"),
            # Statistics: period filters and the cache key (latest change).
            models.Index(fields=["agency", "received_at"], name="dossiers_agency_received_idx"),
            models.Index(fields=["agency", "finished_at"], name="dossiers_agency_finished_idx"),
            models.Index(fields=["updated_at"], name="dossiers_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.code or str(_("Hồ sơ nháp %(id)s") % {"id": str(self.public_id)[:8]})

    def get_absolute_url(self) -> str:
        """The applicant's page of this dossier (linked from e.g. the payment page)."""
        from django.urls import reverse

        return reverse("dossiers:detail", kwargs={"public_id": self.public_id})

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    def current_step(self) -> DossierStep | None:
        """The started, unfinished step (None before receipt and after the last step)."""
        for step in self.steps.all():
            if step.started_at is not None and step.finished_at is None:
                return step
        return None


class DossierDocument(models.Model):
    """A document of the dossier for one required document of the procedure. ``file`` is empty
    for a paper document received at the counter and not scanned."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    requirement_code = models.SlugField(_("thành phần hồ sơ"), max_length=40)
    name = models.CharField(_("tên giấy tờ"), max_length=500, blank=True)
    file = models.ForeignKey(
        "files.StoredFile", verbose_name=_("tệp"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), on_delete=models.PROTECT, related_name="+"
    )
    is_digitised = models.BooleanField(_("đã số hóa"), default=False)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("giấy tờ trong hồ sơ")
        verbose_name_plural = _("giấy tờ trong hồ sơ")
        ordering = ["dossier", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "requirement_code"], name="dossiers_document_req_uniq")
        ]

    def __str__(self) -> str:
        return self.name or self.requirement_code


class DossierStep(models.Model):
    """One processing step of one dossier, copied from the procedure at receipt."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("nội dung công việc"), max_length=255)
    agency = models.ForeignKey("orgs.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    role_code = models.SlugField(_("vai trò"), max_length=40)
    days = models.PositiveSmallIntegerField(_("số ngày làm việc"), default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người xử lý"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="dossier_steps",
    )
    due_at = models.DateTimeField(_("hạn xử lý"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished_at = models.DateTimeField(_("hoàn thành"), null=True, blank=True)
    note = models.TextField(_("ý kiến xử lý"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("bước xử lý hồ sơ")
        ordering = ["dossier", "order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="dossiers_step_order_uniq")]
        indexes = [models.Index(fields=["agency", "role_code", "finished_at"], name="dossiers_step_queue_idx")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class SupplementRequest(models.Model):
    """Form 02: what the applicant must add. ``remaining`` keeps the working days left on the
    dossier and its steps when the clock was paused."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    reason = models.TextField(_("nội dung cần bổ sung"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    resolved_at = models.DateTimeField(_("đã bổ sung lúc"), null=True, blank=True)
    remaining = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("yêu cầu bổ sung")
        verbose_name_plural = _("yêu cầu bổ sung")
        ordering = ["dossier", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.requested_at:%d/%m/%Y}"


class Refusal(models.Model):
    """Form 03: why the dossier was refused."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="refusal")
    reason = models.TextField(_("lý do từ chối"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người từ chối"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)

    class Meta:
        verbose_name = _("từ chối hồ sơ")
        verbose_name_plural = _("từ chối hồ sơ")

    def __str__(self) -> str:
        return str(self.dossier)


class ApologySlip(models.Model):
    """Form 04: an apology for a late dossier, with a new appointment date."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    reason = models.TextField(_("lý do chậm"))
    old_due_at = models.DateTimeField(_("hẹn trả cũ"))
    new_due_at = models.DateTimeField(_("hẹn trả mới"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người lập"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("lập lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("phiếu xin lỗi và hẹn lại")
        verbose_name_plural = _("phiếu xin lỗi và hẹn lại")
        ordering = ["dossier", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.new_due_at:%d/%m/%Y}"


class Rating(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("mức độ hài lòng"))
    comment = models.TextField(_("ý kiến"), blank=True)
    created_at = models.DateTimeField(_("đánh giá lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="dossiers_rating_score_range")
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.score}/5"


class DossierCounter(models.Model):
    """The last sequence number given per receiving agency and local day (for dossier codes)."""

    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm mã hồ sơ")
        verbose_name_plural = _("bộ đếm mã hồ sơ")
        constraints = [models.UniqueConstraint(fields=["agency", "date"], name="dossiers_counter_uniq")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.date}: {self.last_number}"


# --- statistics read model (see tinhso.dossiers.stats_store) ------------------------------------


class DossierStatsEntry(models.Model):
    """What one received dossier currently contributes to :class:`DossierStatsDay`: the fields
    the statistics read, as last counted. Kept in step with the dossier in the same transaction
    (``stats_store.stats_sync``), so a change is counted as "remove the old contribution, add
    the new one"; also the open-dossier set the current period's "in progress" is counted from."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True, related_name="+")
    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10)
    received_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # Refused or withdrawn: counted as received only, never in progress nor finished.
    closed = models.BooleanField(default=False)
    with_fee = models.BooleanField(default=False)
    paid_online = models.BooleanField(default=False)
    digitised = models.BooleanField(default=False)
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("số liệu thống kê của hồ sơ")
        verbose_name_plural = _("số liệu thống kê của hồ sơ")
        indexes = [
            # The open set (small): "in progress" of the current period is a live count over it.
            models.Index(fields=["agency", "channel", "due_at"], condition=models.Q(finished_at__isnull=True,
                         closed=False), name="dossiers_statsentry_open_idx"),
            models.Index(fields=["finished_at"], name="dossiers_statsentry_fin_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}"


class DossierStatsDay(models.Model):
    """Daily counters per receiving agency, local day (Asia/Ho_Chi_Minh) and channel.

    ``received``, ``with_fee``, ``paid_online``, ``digitised`` count on the day of receipt;
    ``finished_*``, ``rated``, ``satisfied`` on the day the result was ready. The four
    ``pending_*``/``overdue_*`` columns are running-sum terms: for a local midnight ``E``,
    in progress at ``E`` = Σ_{day < E} (pending_in − pending_out) and overdue at ``E`` =
    Σ_{day < E} (overdue_in − overdue_out) (see ``stats_store``)."""

    agency = models.ForeignKey("orgs.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    channel = models.CharField(max_length=10)
    received = models.IntegerField(default=0)
    finished_early = models.IntegerField(default=0)
    finished_on_time = models.IntegerField(default=0)
    finished_late = models.IntegerField(default=0)
    with_fee = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    pending_in = models.IntegerField(default=0)
    pending_out = models.IntegerField(default=0)
    overdue_in = models.IntegerField(default=0)
    overdue_out = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("thống kê hồ sơ theo ngày")
        verbose_name_plural = _("thống kê hồ sơ theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "channel"], name="dossiers_statsday_uniq"),
        ]
        indexes = [models.Index(fields=["day"], name="dossiers_statsday_day_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.channel}"
