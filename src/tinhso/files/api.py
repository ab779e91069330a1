"""Files API (mounted at /api/v1/files): upload your own file, read a file's metadata."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from tinhso.files import selectors, services
from tinhso.files.models import StoredFile

router = Router(tags=["files"])


class FileOut(Schema):
    id: UUID
    name: str
    size: int
    content_type: str
    created_at: datetime

    @staticmethod
    def resolve_id(obj: StoredFile) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_name(obj: StoredFile) -> str:
        return obj.original_name


@router.post(
    "",
    response={201: FileOut},
    summary="Upload a file",
    description="Multipart field `file`. Accepted by content: PDF, JPEG, PNG, DOCX, XLSX, up to the "
    "configured size. Errors: 413 too_large, 415 unsupported_media_type, 422 validation_error.",
)
def upload(request: HttpRequest, file: File[UploadedFile]):
    stored = services.file_upload(owner=request.user, uploaded=file, purpose="general", request=request)
    return Status(201, stored)


@router.get("/{id}", response=FileOut, summary="Metadata of a file you may read",
            description="404 when the file does not exist or you may not read it.")
def detail(request: HttpRequest, id: str):
    return selectors.file_get_for_download(user=request.user, public_id=id)
