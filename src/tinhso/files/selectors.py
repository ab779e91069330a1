"""Reading stored files, always through an access check."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound
from tinhso.files.access import can_read
from tinhso.files.models import StoredFile


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy tệp."))


def file_get_for_download(*, user, public_id: uuid.UUID | str) -> StoredFile:
    """The file if ``user`` may read it; NotFound otherwise (whether or not it exists)."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except (ValueError, TypeError, AttributeError):
        raise _not_found() from None
    file = StoredFile.objects.alive().filter(public_id=key).select_related("owner").first()
    if file is None or not can_read(user, file):
        raise _not_found()
    return file


def files_attached_to(*, obj: models.Model) -> QuerySet[StoredFile]:
    """Live files attached to ``obj`` (callers check access to ``obj`` themselves)."""
    return StoredFile.objects.alive().filter(
        attached_type=ContentType.objects.get_for_model(obj), attached_id=str(obj.pk)
    ).order_by("created_at", "id")


def files_of_owner(*, owner, purpose: str | None = None) -> QuerySet[StoredFile]:
    qs = StoredFile.objects.alive().filter(owner=owner)
    return qs.filter(purpose=purpose) if purpose else qs
