"""Reads of the notify app, always scoped to the requesting user's own inbox."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound

from .models import ChannelName, Notification, Status


def inbox_for(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """``user``'s in-app notifications, newest first (``unread=True``: only unread, ``False``: only read)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user, channel=ChannelName.IN_APP, status=Status.SENT)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    """How many of ``user``'s in-app notifications are unread (0 for anonymous users)."""
    return inbox_for(user=user, unread=True).count()


REQUEST_CACHE_ATTR = "_notify_unread_count"


def unread_count_for_request(request) -> int:
    """``unread_count`` of the request's user, computed once per request (header tag + page)."""
    if request is None:
        return 0
    if not hasattr(request, REQUEST_CACHE_ATTR):
        setattr(request, REQUEST_CACHE_ATTR, unread_count(user=getattr(request, "user", None)))
    return getattr(request, REQUEST_CACHE_ATTR)


def notification_get_for_user(*, user, public_id: uuid.UUID | str) -> Notification:
    """One of ``user``'s own inbox items; anyone else's (or an unknown id) raises NotFound."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Không tìm thấy thông báo.")) from None
    found = inbox_for(user=user).filter(public_id=key).first()
    if found is None:
        raise NotFound(_("Không tìm thấy thông báo."))
    return found
