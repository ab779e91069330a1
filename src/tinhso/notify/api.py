"""REST API of the signed-in user's in-app notifications, mounted at /api/v1/notifications."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from . import selectors, services
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: uuid.UUID
    event: str
    subject: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @staticmethod
    def resolve_id(obj: Notification) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_unread(obj: Notification) -> bool:
        return obj.read_at is None


class UnreadCountOut(Schema):
    unread: int


class UpdatedOut(Schema):
    updated: int


@router.get("", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(PageNumberPagination, page_size=20)
def list_notifications(request, unread: bool | None = None):
    return selectors.inbox_for(user=request.auth, unread=unread)


@router.get("/unread-count", response=UnreadCountOut, summary="How many of my notifications are unread")
def get_unread_count(request):
    return {"unread": selectors.unread_count(user=request.auth)}


@router.post("/read-all", response=UpdatedOut, summary="Mark all my notifications read")
def read_all(request):
    return {"updated": services.notification_mark_all_read(user=request.auth)}


@router.post("/{public_id}/read", response=NotificationOut, summary="Mark one of my notifications read")
def read_one(request, public_id: uuid.UUID):
    return services.notification_mark_read(user=request.auth, public_id=public_id)
