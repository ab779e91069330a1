"""Private attachments, validated by content and served only through a permission check."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredFileQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class StoredFile(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("mục đích"), max_length=50, db_index=True)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    kind = models.CharField(_("định dạng"), max_length=10)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    size = models.PositiveBigIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    # Random name under YYYY/MM/ in the default storage, never derived from user input.
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    created_at = models.DateTimeField(_("thời điểm tải lên"), default=timezone.now)
    attached_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("đính kèm vào loại"),
    )
    attached_id = models.CharField(_("đính kèm vào mã"), max_length=64, blank=True)
    attached_to = GenericForeignKey("attached_type", "attached_id")
    deleted_at = models.DateTimeField(_("thời điểm xóa"), null=True, blank=True)

    objects = StoredFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp")
        verbose_name_plural = _("tệp")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["attached_type", "attached_id"], name="files_attached_idx"),
            models.Index(fields=["owner", "purpose"], name="files_owner_purpose_idx"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
