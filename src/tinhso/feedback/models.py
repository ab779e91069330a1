"""Field reports (phản ánh hiện trường): a citizen reports a problem at a place (photo +
location), the platform routes it to the agency that handles it, an official answers in public.

* :class:`Category` is an Open311 *service* (code, name, SLA in working days, attributes).
* :class:`RoutingRule` rows say which agency handles a category, optionally per commune.
* :class:`Report` is an Open311 *service request*; its ``status`` is driven by
  :class:`tinhso.feedback.machine.ReportFlow` and every change goes through
  :mod:`tinhso.feedback.services` (one transaction, one audit event, outbox rows).

Public answers (:class:`Answer`) are shown to everyone; internal notes (:class:`Note`) never
leave the staff workspace. See docs/feedback.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DESCRIPTION = 4000  # Open311 GeoReport v2


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    ASSIGNED = "assigned", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    RESOLVED = "resolved", _("Đã xử lý")
    CLOSED = "closed", _("Đã đóng")
    REFUSED = "refused", _("Từ chối")


OPEN = (Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS)
DONE = (Status.RESOLVED, Status.CLOSED, Status.REFUSED)


class RefusalReason(models.TextChoices):
    NOT_COMPETENT = "not_competent", _("Không thuộc thẩm quyền giải quyết")
    SPAM = "spam", _("Nội dung không phù hợp, spam")
    DUPLICATE = "duplicate", _("Trùng với phản ánh đã có")


class Channel(models.TextChoices):
    WEB = "web", _("Cổng thông tin")
    APP = "app", _("Ứng dụng di động")
    OPEN311 = "open311", _("Open311 API")
    STAFF = "staff", _("Cán bộ ghi nhận")


class RoutingTarget(models.TextChoices):
    COMMUNE_COMMITTEE = "commune_committee", _("UBND xã, phường nơi xảy ra")
    AGENCY = "agency", _("Cơ quan được chỉ định")


class Category(models.Model):
    """A kind of problem citizens can report: an Open311 service.

    ``attributes`` holds Open311 attribute definitions (validated by
    ``tinhso.feedback.attributes.clean_definitions``)::

        [{"code": "road_type", "datatype": "singlevaluelist", "required": true, "order": 1,
          "description": "Loại đường", "values": [{"key": "provincial", "name": "Đường tỉnh"}]}]
    """

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    name_folded = models.CharField(max_length=600, blank=True, editable=False)
    description = models.TextField(_("mô tả"), blank=True)
    group = models.CharField(_("nhóm"), max_length=120, blank=True)
    keywords = models.CharField(_("từ khóa"), max_length=500, blank=True, help_text=_("cách nhau bằng dấu phẩy"))
    sla_days = models.PositiveSmallIntegerField(_("thời hạn xử lý (ngày làm việc)"), default=5)
    attributes = models.JSONField(_("thông tin bổ sung (Open311)"), default=list, blank=True)
    is_active = models.BooleanField(_("đang nhận phản ánh"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Who handles reports of ``category`` (any when empty) in ``commune`` (any when empty).

    The most specific active rule wins: category + commune, then category, then commune, then
    the default rule (both empty). ``target`` is the commune People's Committee of the report's
    commune or a fixed ``agency``. ``supervisor`` is the agency an overdue report escalates to
    (default: the handler's parent agency, then the provincial People's Committee)."""

    category = models.ForeignKey(
        Category, verbose_name=_("lĩnh vực"), null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    commune = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("xã, phường"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.CharField(_("cơ quan xử lý"), max_length=30, choices=RoutingTarget.choices,
                              default=RoutingTarget.COMMUNE_COMMITTEE)
    agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("cơ quan được chỉ định"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    supervisor = models.ForeignKey(
        "orgs.Agency", verbose_name=_("cơ quan giám sát (khi quá hạn)"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quy tắc chuyển phản ánh")
        verbose_name_plural = _("quy tắc chuyển phản ánh")
        ordering = ["category", "commune", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target="agency") | models.Q(agency__isnull=False),
                name="feedback_rule_agency_required",
            ),
        ]

    def __str__(self) -> str:
        what = self.category.name if self.category_id else _("mọi lĩnh vực")
        where = self.commune.name if self.commune_id else _("mọi xã, phường")
        return f"{what} — {where}"


class Report(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # PA-<YYMMDD>-<NNNN>, numbered per local day for the whole province (``codes.next_code``).
    code = models.CharField(_("mã phản ánh"), max_length=24, unique=True)
    category = models.ForeignKey(Category, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT,
                                 related_name="reports")
    description = models.TextField(_("nội dung"), max_length=MAX_DESCRIPTION)
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6)
    address_string = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    commune = models.ForeignKey("geo.AdminUnit", verbose_name=_("xã, phường"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    attributes = models.JSONField(_("thông tin bổ sung"), default=dict, blank=True)
    channel = models.CharField(_("kênh gửi"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    media_url = models.URLField(_("đường dẫn ảnh (Open311)"), max_length=500, blank=True)

    # Who reported. ``reporter`` is empty for a report sent without an account (Open311).
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người phản ánh"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="field_reports")
    # Anonymous: officials see neither the name nor the contact (the account still gets the
    # notifications). ``show_name``: the public may see the reporter's name (never by default).
    is_anonymous = models.BooleanField(_("ẩn danh"), default=False)
    show_name = models.BooleanField(_("công khai tên người phản ánh"), default=False)
    contact_name = models.CharField(_("họ tên liên hệ"), max_length=120, blank=True)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)

    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    agency = models.ForeignKey("orgs.Agency", verbose_name=_("cơ quan xử lý"), on_delete=models.PROTECT,
                               related_name="field_reports")
    supervisor = models.ForeignKey("orgs.Agency", verbose_name=_("cơ quan giám sát"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="supervised_field_reports")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cán bộ xử lý"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_field_reports")
    due_at = models.DateTimeField(_("hạn xử lý"))
    escalated_at = models.DateTimeField(_("chuyển cấp trên lúc"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("số lần chuyển cấp trên"), default=0)
    refusal_reason = models.CharField(_("lý do từ chối"), max_length=20, choices=RefusalReason.choices, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("trùng với"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")
    support_count = models.PositiveIntegerField(_("số người cùng phản ánh"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("số lần mở lại"), default=0)
    # False for spam: the report disappears from every public list and map.
    is_public = models.BooleanField(_("hiển thị công khai"), default=True)

    submitted_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("xử lý xong lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    # Set at resolution, for grouped statistics without per-row Python work.
    resolution_seconds = models.PositiveIntegerField(_("thời gian xử lý (giây)"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("xử lý đúng hạn"), null=True, blank=True)

    # Folded (lower case, no diacritics) code + description + address for ``q`` filters.
    search_text = models.TextField(blank=True, editable=False)
    # Same rules as dossiers: one key per scope (the account, or the API client) → one report.
    idempotency_scope = models.CharField(max_length=80, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    payload_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="feedback_report_idempotency_uniq",
            ),
        ]
        indexes = [
            # Map viewport: a latitude range scan; longitude, status and category are checked on
            # the index entries (no heap visit for rows outside the box). See docs/feedback.md.
            models.Index(fields=["latitude", "longitude", "status", "category"], name="feedback_report_map_idx"),
            # Duplicate detection: same category, open, small box.
            models.Index(fields=["category", "status", "latitude"], name="feedback_report_nearby_idx"),
            models.Index(fields=["agency", "status", "due_at"], name="feedback_report_queue_idx"),
            models.Index(fields=["supervisor", "escalated_at"], name="feedback_report_escal_idx"),
            models.Index(fields=["status", "due_at"], name="feedback_report_due_idx"),
            models.Index(fields=["reporter", "submitted_at"], name="feedback_report_reporter_idx"),
            models.Index(fields=["submitted_at"], name="feedback_report_submitted_idx"),
            models.Index(fields=["resolved_at"], name="feedback_report_resolved_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class ReportPhoto(models.Model):
    """A photo the reporter sent (a ``files.StoredFile``, images only)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ảnh phản ánh")
        verbose_name_plural = _("ảnh phản ánh")
        ordering = ["report", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["file"], name="feedback_photo_file_uniq")]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.order}"


class Answer(models.Model):
    """A public answer of the handling agency (the resolution, or an update along the way)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(_("nội dung trả lời"), max_length=MAX_DESCRIPTION)
    photo = models.ForeignKey("files.StoredFile", verbose_name=_("ảnh kết quả"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("orgs.Agency", verbose_name=_("cơ quan trả lời"), on_delete=models.PROTECT,
                               related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người trả lời"), on_delete=models.PROTECT,
                               related_name="+")
    is_resolution = models.BooleanField(_("là kết quả xử lý"), default=False)
    created_at = models.DateTimeField(_("trả lời lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("trả lời công khai")
        verbose_name_plural = _("trả lời công khai")
        ordering = ["report", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.body[:40]}"


class Note(models.Model):
    """An internal note between officials: never shown to the reporter or the public."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(_("ghi chú nội bộ"), max_length=MAX_DESCRIPTION)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(_("ghi lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("ghi chú nội bộ")
        verbose_name_plural = _("ghi chú nội bộ")
        ordering = ["report", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.body[:40]}"


class ResponseTemplate(models.Model):
    """A ready-made answer text. ``agency`` empty = shared by every agency (system admins);
    ``category`` empty = for any category."""

    agency = models.ForeignKey("orgs.Agency", verbose_name=_("cơ quan"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("lĩnh vực"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="templates")
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), max_length=MAX_DESCRIPTION)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mẫu trả lời")
        verbose_name_plural = _("mẫu trả lời")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """A citizen confirms an existing report ("tôi cũng gặp") instead of filing a duplicate."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cùng phản ánh")
        verbose_name_plural = _("cùng phản ánh")
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="feedback_support_uniq")]

    def __str__(self) -> str:
        return f"{self.report_id} ← {self.user_id}"


class Rating(models.Model):
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("mức độ hài lòng"))
    comment = models.TextField(_("ý kiến"), blank=True)
    created_at = models.DateTimeField(_("đánh giá lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đánh giá xử lý phản ánh")
        verbose_name_plural = _("đánh giá xử lý phản ánh")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="feedback_rating_score_range")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.score}/5"


class ReportCounter(models.Model):
    """The last sequence number given per local day (for report codes)."""

    date = models.DateField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("bộ đếm mã phản ánh")
        verbose_name_plural = _("bộ đếm mã phản ánh")

    def __str__(self) -> str:
        return f"{self.date}: {self.last_number}"


from .models_ideas import *  # noqa: E402, F401, F403 - comments and ideas (docs/ideas.md)
