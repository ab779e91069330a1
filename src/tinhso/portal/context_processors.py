"""Context every page gets: site and province name, the navigation for this user."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url: str
    current: bool


def _reverse_or_none(name: str) -> str | None:
    """URL of a named page, or None when the app providing it is not installed (yet)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _may_see_statistics(user) -> bool:
    """Whether the dossier statistics are open to ``user`` (no query for citizens)."""
    if not (user.is_superuser or getattr(user, "kind", "") == "official"):
        return False
    try:
        from tinhso.dossiers.stats import may_see_stats
    except ImportError:  # the dossiers app is not installed
        return False
    return may_see_stats(user=user)


def nav_items(request: HttpRequest) -> list[NavItem]:
    """Links to pages that exist and that this user may open; nothing points to "#"."""
    from . import selectors

    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    candidates: list[tuple[str, str | Promise, str | None]] = [("home", _("Trang chủ"), reverse("portal:home"))]
    candidates.append(("procedures", _("Thủ tục hành chính"), _reverse_or_none("procedures:list")))
    candidates.append(("tracking", _("Tra cứu hồ sơ"), _reverse_or_none("tracking:lookup")))
    candidates.append(("feedback", _("Phản ánh"), _reverse_or_none("feedback:index")))
    candidates.append(("ideas", _("Góp ý, hiến kế"), _reverse_or_none("ideas:list")))
    if authenticated:
        candidates.append(("me", _("Trang của tôi"), reverse("portal:me")))
        if selectors.is_official(user):
            candidates.append(("staff", _("Không gian làm việc"), reverse("portal:staff")))
        elif _may_see_statistics(user):
            # Superusers and provincial overseers without a membership have no workspace.
            candidates.append(("statistics", _("Thống kê hồ sơ"), _reverse_or_none("dossiers_staff:statistics")))
        candidates.append(("notifications", _("Thông báo"), _reverse_or_none(NOTIFICATIONS_URL_NAME)))
    candidates.append(("api", _("API"), _reverse_or_none("api:openapi-view")))
    path = request.path
    items = []
    for key, label, url in candidates:
        if url is None:
            continue
        current = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(key=key, label=label, url=url, current=current))
    return items


NOTIFICATIONS_URL_NAME = "notify:list"
NOTIFICATIONS_BADGE_URL_NAME = "notify:badge"


def _province_name() -> str:
    from . import selectors

    return selectors.province_name()


def languages_in_own_name() -> list[tuple[str, str]]:
    """``settings.LANGUAGES`` with each name in its own language ("Tiếng Việt", "English"),
    for the language switch (Django's own ``name_local`` is not NFC-normalised)."""
    choices = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            choices.append((code, str(name)))
    return choices


def platform(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.TINHSO_SITE_NAME,
        # Lazy: pages that never print it (API errors rendered as HTML, fragments) pay nothing.
        "PROVINCE_NAME": SimpleLazyObject(_province_name),
        "nav_items": SimpleLazyObject(lambda: nav_items(request)),
        "LANGUAGE_CHOICES": SimpleLazyObject(languages_in_own_name),
    }
