"""Open311 ``api_key`` = a platform API token (``tinhso.accounts.ApiToken``) with the scope
``open311``.

The key is checked by the accounts app (:class:`tinhso.accounts.auth.ApiTokenAuth`: SHA-256,
constant-time comparison, revoked/expired/inactive refused); nothing is stored here. A browser
session never counts: only the ``api_key`` parameter authenticates a POST (the view is exempt
from CSRF because it never reads the session user).
"""

from __future__ import annotations

from django.http import HttpRequest

SCOPE = "open311"
MAX_KEY_CHARS = 200


def api_client(request: HttpRequest, api_key: str | None):
    """The :class:`~tinhso.accounts.models.ApiToken` behind ``api_key`` when it is usable and
    carries the ``open311`` scope; None otherwise (unknown, revoked, expired, other scopes,
    inactive account)."""
    from tinhso.accounts.auth import ApiTokenAuth

    key = (api_key or "").strip()
    if not key or len(key) > MAX_KEY_CHARS:
        return None
    token = ApiTokenAuth().authenticate(request, key)
    if token is None or SCOPE not in (token.scopes or []):
        return None
    return token


def idempotency_scope(token) -> str:
    """Idempotency keys are scoped to the API client (the token), as the core expects."""
    return f"client:{token.public_id}"
