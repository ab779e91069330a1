"""Hash-chained, append-only audit events.

Events are appended to one of a few parallel hash chains (``chain`` 1…N, see
``TINHSO_AUDIT_CHAINS``): each event stores the SHA-256 of a canonical JSON of its own fields plus
the hash of its predecessor in the same chain (``prev_hash``), and a sequence number ``seq``
continuous from 1 within its chain; one head row per chain holds the last ``seq`` and hash.
Changing, inserting or deleting a row therefore breaks its chain, which ``manage.py audit
verify`` reports. Several chains let concurrent transactions append without waiting for each
other (each transaction appends to one chain only: the one of its thread).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only: update() is refused.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only: delete() is refused.")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    chain = models.PositiveSmallIntegerField(_("chuỗi"), default=1, db_default=1, editable=False)
    seq = models.PositiveBigIntegerField(_("số thứ tự"), editable=False)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    # The FK is a convenience for queries; verification relies on actor_repr, so deleting the
    # user (SET_NULL) does not break the chain. The database triggers allow exactly that update.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(_("người thực hiện (lưu vết)"), max_length=250)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=250, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=300, blank=True)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="audit_event_object_idx")]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_uniq")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.action} {self.object_repr}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: an existing event cannot be saved.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: an event cannot be deleted.")


class AuditChainHead(models.Model):
    """One row per chain (``id`` = the chain number) holding its last sequence number and hash.

    Locking the row serialises appends to that chain; comparing it with the chain's last event
    detects deletion of the newest events.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("đầu chuỗi kiểm toán")
        verbose_name_plural = _("đầu chuỗi kiểm toán")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.last_seq} {self.last_hash[:12]}"
