"""Session timeouts, and the MFA requirement for officials and system admins.

Both run after ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware`` (see settings).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

LOGIN_AT_KEY = "_tinhso_login_at"
LAST_SEEN_KEY = "_tinhso_last_seen"
EXPIRED_FLAG_KEY = "_tinhso_session_expired"
# Writing the session on every request costs a database write; once a minute is precise enough.
LAST_SEEN_RESOLUTION_SECONDS = 60


def _error_json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "details": None}}, status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a full page load."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


def mark_session_start(request: HttpRequest) -> None:
    """Called at login (and MFA verification): both clocks start now."""
    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now


class SessionTimeoutMiddleware:
    """Ends a logged-in session after ``TINHSO_SESSION_IDLE_SECONDS`` without a request (idle
    timeout) or ``SESSION_COOKIE_AGE`` after login (absolute timeout), checked on the server: the
    cookie's own expiry is only a hint to the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        now = int(time.time())
        session = request.session
        login_at = session.get(LOGIN_AT_KEY)
        last_seen = session.get(LAST_SEEN_KEY)
        if login_at is None or last_seen is None:
            # A session from before this middleware (or made by a test client): start the clocks.
            mark_session_start(request)
            return None
        idle = getattr(settings, "TINHSO_SESSION_IDLE_SECONDS", 30 * 60)
        absolute = settings.SESSION_COOKIE_AGE
        if now - last_seen > idle or now - login_at > absolute:
            return self._expire(request, reason="idle" if now - last_seen > idle else "absolute")
        if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_KEY] = now
        return None

    def _expire(self, request: HttpRequest, *, reason: str) -> HttpResponse:
        from tinhso.accounts.services import logout_recorded

        user = request.user
        logout_recorded(user=user, request=request, reason=f"timeout_{reason}")
        logout(request)
        message = _("Phiên làm việc đã hết hạn.")
        if _is_api(request):
            return _error_json(401, "session_expired", message)
        request.session[EXPIRED_FLAG_KEY] = True
        return _redirect(request, _with_next(reverse("accounts:login"), request))


class StaffMFAMiddleware:
    """A user who must use MFA (officials, system admins) and has not passed the OTP challenge in
    this session can reach only the MFA pages, logout, static files, language switch and the
    health probes (and the password reset pages, which never log in). HTML requests are sent to enrolment (no confirmed device yet) or to the
    challenge; session requests to /api/ get 401. Token-authenticated API calls carry no session
    user and pass untouched."""

    EXEMPT_PREFIXES = ("/i18n/", "/jsi18n/", "/healthz", "/readyz", "/favicon.ico", "/manifest", "/sw.js")

    def __init__(self, get_response):
        self.get_response = get_response

    def _exempt(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL) or path.startswith(self.EXEMPT_PREFIXES):
            return True
        own = (reverse("accounts:mfa_root"), reverse("accounts:password_reset"))
        return path.startswith(own) or path == reverse("accounts:logout")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "requires_mfa", False)
            and not user.is_verified()
            and not self._exempt(request.path)
        ):
            if _is_api(request):
                if request.headers.get("Authorization"):
                    return self.get_response(request)  # the token decides; the session is refused
                return _error_json(401, "mfa_required", _("Cần xác thực hai lớp trước khi dùng API."))
            from tinhso.accounts.selectors import confirmed_totp_device

            target = "accounts:mfa_challenge" if confirmed_totp_device(user) else "accounts:mfa_enrol"
            return _redirect(request, _with_next(reverse(target), request))
        return self.get_response(request)
