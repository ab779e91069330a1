"""One searchable document per indexed object (a procedure, an agency, a place …).

The original title and body are kept for display; their folded forms (no diacritics, đ→d,
lower case) are what the full-text index sees. The full-text index itself is backend-specific
and created by migration 0001: an FTS5 table ``search_fts`` on SQLite, a GIN index on a weighted
``tsvector`` expression on PostgreSQL.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    content_type = models.ForeignKey(ContentType, verbose_name=_("loại đối tượng"), on_delete=models.CASCADE)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("loại"), max_length=40, db_index=True, help_text=_("ví dụ: procedure, agency"))
    title = models.CharField(_("tiêu đề"), max_length=500)
    body = models.TextField(_("nội dung"), blank=True)
    title_folded = models.CharField(max_length=500, editable=False)
    body_folded = models.TextField(blank=True, editable=False)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    scope = models.CharField(
        _("phạm vi truy cập"),
        max_length=100,
        blank=True,
        help_text=_("ai được thấy tài liệu không công khai: mã cơ quan, hoặc user:<mã người dùng>"),
    )
    is_public = models.BooleanField(_("công khai"), default=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tài liệu tìm kiếm")
        verbose_name_plural = _("tài liệu tìm kiếm")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_document_object_uniq"),
        ]
        indexes = [models.Index(fields=["kind", "is_public"], name="search_doc_kind_public_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
