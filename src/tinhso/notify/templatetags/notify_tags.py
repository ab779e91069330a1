"""Template tags for the header: ``{% load notify_tags %}``.

``{% unread_count %}`` prints the signed-in user's unread in-app notifications (0 when
anonymous); ``{% unread_count as n %}`` stores it. ``{% notifications_badge %}`` renders the
link to /notifications/ with the count, refreshed by htmx every minute.
"""

from __future__ import annotations

from django import template

from ..selectors import unread_count as _unread_count
from ..selectors import unread_count_for_request

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


def _count(context) -> int:
    user = _user(context)
    if user is None or not user.is_authenticated:
        return 0
    request = context.get("request")
    if request is None:
        return _unread_count(user=user)
    return unread_count_for_request(request)  # one query per page, however often the tag is used


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    return _count(context)


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def notifications_badge(context) -> dict:
    user = _user(context)
    return {"count": _count(context), "show": bool(user and user.is_authenticated)}
