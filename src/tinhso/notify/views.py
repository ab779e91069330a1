"""The in-app inbox: list, open (mark read and follow the link), mark all read, unread badge."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tinhso.core.errors import NotFound

from . import selectors, services

PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/list.html",
        {"page": page, "unread": selectors.unread_count_for_request(request)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, public_id) -> HttpResponse:
    try:
        notification = services.notification_mark_read(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    target = notification.url
    # Only links inside the platform: a stored absolute or protocol-relative URL is not followed.
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts=set(), require_https=request.is_secure()
    ):
        target = reverse("notify:list")
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    if getattr(request, "htmx", False):
        return _badge_response(request)
    return redirect("notify:list")


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The header badge as an HTML fragment (htmx polls it). Anonymous: 204, nothing to swap."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return _badge_response(request)


def _badge_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "notify/_badge.html", {"count": selectors.unread_count_for_request(request), "show": True})
    response["Cache-Control"] = "private, no-store"
    return response
