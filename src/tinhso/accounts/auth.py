"""API authentication: bearer tokens for other systems, the browser session (with CSRF) for people.

``api_auth`` is the default of the NinjaAPI at /api/v1 (``tinhso.core.api``). A request passes
with either:

* ``Authorization: Bearer <token>`` — an ``ApiToken`` that is not revoked or expired. Token
  requests act as the token's user and are not asked for an OTP: a token is a 48-character random
  secret issued by a system admin to a machine, stored only as a hash, scoped, expiring and
  revocable — it is already a stronger credential than password + OTP, and a machine cannot answer
  an OTP challenge. Issue tokens to service accounts (``User.is_service_account``) where possible.
* a session cookie plus the CSRF token — a person logged in through the web pages. A user who
  must pass MFA and has not done so in this session is refused (401).

Endpoints that only systems may call can check scopes with ``require_scope(request, "scope")``.
"""

from __future__ import annotations

import hmac

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from tinhso.accounts.models import ApiToken
from tinhso.core.errors import NotAllowed


class ApiTokenAuth(HttpBearer):
    openapi_description = "Mã truy cập do quản trị hệ thống cấp: `Authorization: Bearer <token>`."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        from tinhso.accounts.services import TOKEN_PREFIX_LENGTH, api_token_touch, hash_token

        if not token or len(token) < TOKEN_PREFIX_LENGTH + 16 or len(token) > 200:
            return None
        digest = hash_token(token)
        now = timezone.now()
        found = None
        for candidate in ApiToken.objects.select_related("user").filter(prefix=token[:TOKEN_PREFIX_LENGTH]):
            # Constant-time comparison of the hashes; keep looping so timing does not depend on order.
            if hmac.compare_digest(candidate.secret_hash, digest):
                found = candidate
        if found is None or not found.is_usable(now) or not found.user.is_active:
            return None
        api_token_touch(token=found, now=now)
        user = found.user
        # The token stands in for the second factor (see the module docstring).
        user.otp_device = None
        user.is_verified = lambda: True
        request.user = user
        request.api_token = found
        return found


class MFASessionAuth(SessionAuth):
    """Ninja's session auth (CSRF-checked), refusing sessions that still owe the OTP challenge."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # No session cookie: nothing to authenticate, and no CSRF error to report either, so a
        # caller with a bad token gets 401 (not 403 "CSRF check failed") on POST too.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if getattr(user, "requires_mfa", False):
            is_verified = getattr(user, "is_verified", None)
            if not (callable(is_verified) and is_verified()):
                return None
        return user


def require_scope(request: HttpRequest, scope: str) -> None:
    """Raise ``NotAllowed`` when the call came with a token lacking ``scope``. Session calls pass:
    people are limited by their roles, not by scopes."""
    token = getattr(request, "api_token", None)
    if token is not None and scope not in (token.scopes or []):
        raise NotAllowed(_("Mã truy cập không có phạm vi %(scope)s.") % {"scope": scope})


api_auth = [ApiTokenAuth(), MFASessionAuth()]
