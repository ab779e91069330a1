"""Writes on stored files: upload (validate + store), attach, soft delete."""

from __future__ import annotations

import logging
import re
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, NotFound
from tinhso.files.access import can_manage
from tinhso.files.kinds import KINDS, get_purpose
from tinhso.files.models import StoredFile
from tinhso.files.validation import inspect_upload

logger = logging.getLogger(__name__)

PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


def _storage_name(kind: str) -> str:
    now = timezone.now()
    return f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{KINDS[kind].extensions[0]}"


def file_upload(
    *,
    owner,
    uploaded: UploadedFile,
    purpose: str,
    allowed_kinds=None,
    max_bytes: int | None = None,
    request: HttpRequest | None = None,
) -> StoredFile:
    """Validate ``uploaded`` by content, store it privately and record ``file.upload``.

    On any problem raises ValidationFailed / TooLarge / UnsupportedMedia and leaves nothing
    behind (no row, no stored bytes).
    """
    if not PURPOSE_RE.match(purpose or ""):
        raise ValueError(f"Invalid file purpose: {purpose!r}")
    rules = get_purpose(purpose)
    kinds = tuple(allowed_kinds) if allowed_kinds else rules.allowed_kinds
    inspection = inspect_upload(uploaded, allowed_kinds=kinds, max_bytes=max_bytes or rules.max_bytes)

    stored_name = default_storage.save(_storage_name(inspection.kind), uploaded)
    try:
        with transaction.atomic():
            file = StoredFile.objects.create(
                owner=owner,
                purpose=purpose,
                original_name=inspection.name,
                kind=inspection.kind,
                content_type=inspection.content_type,
                size=inspection.size,
                sha256=inspection.sha256,
                storage_name=stored_name,
            )
            record_event(
                actor=owner, action="file.upload", obj=file, request=request,
                details={"purpose": purpose, "kind": file.kind, "size": file.size, "sha256": file.sha256},
            )
    except BaseException:
        _discard(stored_name)
        raise
    return file


def _discard(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # the original error matters more; an orphan is logged for cleanup
        logger.exception("Could not remove stored file %s after a failed upload", name)


def file_attach(*, file: StoredFile, obj: models.Model, actor, request: HttpRequest | None = None) -> StoredFile:
    """Attach ``file`` to ``obj`` (a dossier, a report…). Owner or superuser only; a file
    belongs to one object at most."""
    if obj.pk is None:
        raise ValueError("Save the object before attaching files to it.")
    with transaction.atomic():
        locked = StoredFile.objects.select_for_update().filter(pk=file.pk, deleted_at__isnull=True).first()
        if locked is None:
            raise NotFound(_("Không tìm thấy tệp."))
        if not can_manage(actor, locked):
            raise NotAllowed(_("Bạn không có quyền đính kèm tệp này."))
        ctype = ContentType.objects.get_for_model(obj)
        target = (ctype.pk, str(obj.pk))
        if locked.attached_type_id is not None:
            if (locked.attached_type_id, locked.attached_id) == target:
                return locked
            raise Conflict(_("Tệp đã được đính kèm vào một đối tượng khác."))
        locked.attached_type = ctype
        locked.attached_id = str(obj.pk)
        locked.save(update_fields=["attached_type", "attached_id"])
        record_event(actor=actor, action="file.attach", obj=locked, request=request,
                     details={"object_type": obj._meta.label_lower, "object_id": str(obj.pk)})
    file.attached_type, file.attached_id = locked.attached_type, locked.attached_id
    return locked


def file_delete(*, file: StoredFile, actor, request: HttpRequest | None = None) -> StoredFile:
    """Soft-delete ``file``: it can no longer be downloaded; bytes stay for retention.
    Owner or superuser; an attached file only by a superuser."""
    with transaction.atomic():
        locked = StoredFile.objects.select_for_update().filter(pk=file.pk, deleted_at__isnull=True).first()
        if locked is None:
            raise NotFound(_("Không tìm thấy tệp."))
        if not can_manage(actor, locked):
            raise NotAllowed(_("Bạn không có quyền xóa tệp này."))
        if locked.attached_type_id is not None and not actor.is_superuser:
            raise Conflict(_("Tệp đã được đính kèm vào hồ sơ, không thể xóa."))
        locked.deleted_at = timezone.now()
        locked.save(update_fields=["deleted_at"])
        record_event(actor=actor, action="file.delete", obj=locked, request=request)
    file.deleted_at = locked.deleted_at
    return locked


def file_record_download(*, file: StoredFile, user, request: HttpRequest | None = None) -> None:
    """Audit one download (called by the download view after the access check)."""
    with transaction.atomic():
        record_event(actor=user, action="file.download", obj=file, request=request,
                     details={"inline": bool(request and request.GET.get("inline") == "1")})
