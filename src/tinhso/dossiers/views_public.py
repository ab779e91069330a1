"""Public tracking of a dossier by its code and the secret printed on the receipt (no login).

The page never tells apart "no such code" from "wrong secret" (one generic message), shows no
personal data (the selector ``dossier_track`` returns only public fields), and is rate-limited
per client IP through the shared cache so codes cannot be enumerated.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tinhso.core.errors import DomainError
from tinhso.core.http import client_ip

CODE_MAX_LENGTH = 40
SECRET_MAX_LENGTH = 32


def lookup_limit() -> tuple[int, int]:
    """(lookups, window in seconds) per IP; settings ``TINHSO_TRACKING_LIMIT`` and
    ``TINHSO_TRACKING_WINDOW_SECONDS`` override the defaults (20 per 10 minutes)."""
    return (
        int(getattr(settings, "TINHSO_TRACKING_LIMIT", 20)),
        int(getattr(settings, "TINHSO_TRACKING_WINDOW_SECONDS", 600)),
    )


def _over_limit(request: HttpRequest) -> bool:
    """Count one lookup for the caller's IP; True once the window's budget is spent."""
    limit, window = lookup_limit()
    key = f"dossiers:track:ip:{client_ip(request) or '-'}"
    cache.add(key, 0, window)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, window)
        return False


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    code = (source.get("code") or "").strip().upper()[:CODE_MAX_LENGTH]
    secret = (source.get("secret") or "").strip()[:SECRET_MAX_LENGTH]
    context: dict = {"code": code, "secret": "", "result": None, "error": ""}
    status = 200
    if code or secret:
        if _over_limit(request):
            limit, window = lookup_limit()
            context["error"] = _(
                "Bạn đã tra cứu quá nhiều lần (tối đa %(limit)s lần trong %(minutes)s phút). "
                "Vui lòng thử lại sau ít phút."
            ) % {"limit": limit, "minutes": max(1, window // 60)}
            response = render(request, "dossiers/public/track.html", context, status=429)
            response["Retry-After"] = str(window)
            return response
        if not code or not secret:
            context["error"] = _("Vui lòng nhập cả mã hồ sơ và mã tra cứu in trên giấy tiếp nhận.")
            status = 400
        else:
            from tinhso.dossiers.selectors import dossier_track

            try:
                context["result"] = dossier_track(code=code, secret=secret)
            except DomainError:
                context["error"] = _("Không tìm thấy hồ sơ hoặc mã bí mật không đúng.")
                status = 404
    return render(request, "dossiers/public/track.html", context, status=status)
