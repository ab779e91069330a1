"""Small request helpers shared by every app."""

from __future__ import annotations

from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's IP address, honouring the configured number of trusted proxies."""
    if request is None:
        return None
    from django.conf import settings

    ip, _routable = get_client_ip(request, proxy_count=getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or None)
    return ip or request.META.get("REMOTE_ADDR")


def user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return request.META.get("HTTP_USER_AGENT", "")[:300]
