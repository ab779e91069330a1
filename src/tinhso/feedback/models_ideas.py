"""Comments and ideas (góp ý, hiến kế): an agency opens a *consultation* on a draft policy,
plan or project; logged-in citizens and businesses post *ideas* on it and support each other's
ideas; the agency answers every idea (evaluating / accepted / rejected), tracks the
implementation of the accepted ones in public (Decidim "accountability") and, after closing,
publishes a summary.

Statuses are driven by :mod:`tinhso.feedback.machine_ideas`; every write goes through
:mod:`tinhso.feedback.services_ideas` (one transaction, one audit event). See docs/ideas.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_CONSULTATION_TITLE = 200
MAX_CONSULTATION_SUMMARY = 500
MAX_CONSULTATION_BODY = 20000
MAX_RESULT_SUMMARY = 20000
MAX_IDEA_TITLE = 150
MIN_IDEA_BODY = 10
MAX_IDEA_BODY = 3000
MAX_ANSWER = 4000
MAX_HIDE_REASON = 500
MAX_UPDATE_NOTE = 2000

CONSULTATION_DOCUMENT_PURPOSE = "consultation_document"
IDEA_IMAGE_PURPOSE = "idea_image"
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
IMAGE_MAX_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 10


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    OPEN = "open", _("Đang lấy ý kiến")
    CLOSED = "closed", _("Đã kết thúc lấy ý kiến")
    ANSWERED = "answered", _("Đã công bố kết quả")


class IdeaStatus(models.TextChoices):
    PUBLISHED = "published", _("Chờ trả lời")
    EVALUATING = "evaluating", _("Đang xem xét")
    ACCEPTED = "accepted", _("Được tiếp thu")
    REJECTED = "rejected", _("Không tiếp thu")
    WITHDRAWN = "withdrawn", _("Đã rút")


class ImplementationStatus(models.TextChoices):
    PLANNED = "planned", _("Đã lên kế hoạch")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    PAUSED = "paused", _("Tạm dừng")
    DONE = "done", _("Đã hoàn thành")


class Consultation(models.Model):
    """One call for comments and ideas of an agency (optionally about one commune)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("orgs.Agency", verbose_name=_("cơ quan lấy ý kiến"), on_delete=models.PROTECT,
                               related_name="consultations")
    commune = models.ForeignKey("geo.AdminUnit", verbose_name=_("xã, phường liên quan"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("tiêu đề"), max_length=MAX_CONSULTATION_TITLE)
    summary = models.CharField(_("tóm tắt"), max_length=MAX_CONSULTATION_SUMMARY)
    body = models.TextField(_("nội dung"), max_length=MAX_CONSULTATION_BODY)
    status = models.CharField(_("trạng thái"), max_length=20, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.DRAFT)
    opens_at = models.DateTimeField(_("mở góp ý từ"))
    closes_at = models.DateTimeField(_("hết hạn góp ý"))
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    result_summary = models.TextField(_("kết quả tổng hợp ý kiến"), max_length=MAX_RESULT_SUMMARY, blank=True)
    answered_at = models.DateTimeField(_("công bố kết quả lúc"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    # Visible (not hidden, not withdrawn) ideas: kept by the services for the public list.
    idea_count = models.PositiveIntegerField(_("số ý kiến"), default=0)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("đợt lấy ý kiến")
        verbose_name_plural = _("đợt lấy ý kiến")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                   name="feedback_consultation_dates"),
        ]
        indexes = [
            models.Index(fields=["status", "closes_at"], name="feedback_consult_status_idx"),
            models.Index(fields=["agency", "status"], name="feedback_consult_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def accepting_ideas(self, now=None) -> bool:
        """Open, and now inside [opens_at, closes_at)."""
        now = now or timezone.now()
        return self.status == ConsultationStatus.OPEN and self.opens_at <= now < self.closes_at


class ConsultationDocument(models.Model):
    """A PDF/DOCX published with the consultation (the draft text, an explanatory note …)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="documents")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("tài liệu lấy ý kiến")
        verbose_name_plural = _("tài liệu lấy ý kiến")
        ordering = ["consultation", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["file"], name="feedback_consult_doc_file_uniq")]

    def __str__(self) -> str:
        return f"{self.consultation_id}#{self.order}"


class Idea(models.Model):
    """A comment or idea of a citizen or business on a consultation, with the agency's answer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultation = models.ForeignKey(Consultation, verbose_name=_("đợt lấy ý kiến"), on_delete=models.PROTECT,
                                     related_name="ideas")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người góp ý"), on_delete=models.PROTECT,
                               related_name="ideas")
    show_name = models.BooleanField(_("công khai tên người góp ý"), default=True)
    title = models.CharField(_("tiêu đề"), max_length=MAX_IDEA_TITLE)
    body = models.TextField(_("nội dung"), max_length=MAX_IDEA_BODY)
    image = models.ForeignKey("files.StoredFile", verbose_name=_("ảnh minh họa"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("trạng thái"), max_length=20, choices=IdeaStatus.choices,
                              default=IdeaStatus.PUBLISHED)
    support_count = models.PositiveIntegerField(_("số người ủng hộ"), default=0)
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    # The agency's official answer (the latest; the TransitionLog keeps every step).
    answer = models.TextField(_("trả lời của cơ quan"), max_length=MAX_ANSWER, blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người trả lời"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    # Implementation of an accepted idea (the latest update; the updates are the timeline).
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    implementation_status = models.CharField(_("tình trạng thực hiện"), max_length=20, blank=True,
                                             choices=ImplementationStatus.choices)

    # Moderation: hidden content shows "nội dung đã bị ẩn" publicly.
    hidden_at = models.DateTimeField(_("ẩn lúc"), null=True, blank=True)
    hidden_reason = models.CharField(_("lý do ẩn"), max_length=MAX_HIDE_REASON, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ẩn"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    # A retry of the same form (same hidden key) gives the same idea.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    payload_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("góp ý, hiến kế")
        verbose_name_plural = _("góp ý, hiến kế")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "idempotency_key"], condition=models.Q(idempotency_key__isnull=False),
                                    name="feedback_idea_idempotency_uniq"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="feedback_idea_progress_range"),
        ]
        indexes = [
            models.Index(fields=["consultation", "status", "created_at"], name="feedback_idea_list_idx"),
            models.Index(fields=["consultation", "support_count"], name="feedback_idea_support_idx"),
            models.Index(fields=["author", "created_at"], name="feedback_idea_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class IdeaSupport(models.Model):
    """One support per person per idea (withdrawn by deleting the row)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ủng hộ góp ý")
        verbose_name_plural = _("ủng hộ góp ý")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="feedback_idea_support_uniq")]

    def __str__(self) -> str:
        return f"{self.idea_id} ← {self.user_id}"


class ImplementationUpdate(models.Model):
    """One step of the public implementation timeline of an accepted idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("tình trạng thực hiện"), max_length=20, choices=ImplementationStatus.choices)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    note = models.TextField(_("nội dung cập nhật"), max_length=MAX_UPDATE_NOTE)
    agency = models.ForeignKey("orgs.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"), on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("cập nhật tiến độ thực hiện")
        verbose_name_plural = _("cập nhật tiến độ thực hiện")
        ordering = ["idea", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="feedback_impl_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.progress}%"


def _register_files() -> None:
    """File purposes and read policies of consultations (see tinhso.files)."""
    from tinhso.files.access import register_policy
    from tinhso.files.kinds import register_purpose

    register_purpose(CONSULTATION_DOCUMENT_PURPOSE, allowed_kinds=("pdf", "docx"), max_bytes=DOCUMENT_MAX_BYTES)
    register_purpose(IDEA_IMAGE_PURPOSE, allowed_kinds=("jpeg", "png"), max_bytes=IMAGE_MAX_BYTES)

    def can_read(user, file) -> bool:
        from .selectors_ideas import can_read_file

        return can_read_file(user=user, file=file)

    register_policy(CONSULTATION_DOCUMENT_PURPOSE, can_read)
    register_policy(IDEA_IMAGE_PURPOSE, can_read)


_register_files()

__all__ = [
    "Consultation", "ConsultationDocument", "ConsultationStatus", "Idea", "IdeaStatus", "IdeaSupport",
    "ImplementationStatus", "ImplementationUpdate",
]
