"""The feedback app's places in the portal: the citizen's "my page" section (their latest field
reports) and the staff workspace panel (report queues with counts, consultations)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MY_PAGE_LIMIT = 5


def my_reports_context(request: HttpRequest) -> dict[str, Any] | None:
    from .selectors import reports_of_reporter

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    qs = reports_of_reporter(user=user).select_related("category")
    return {
        "reports": list(qs[:MY_PAGE_LIMIT]),
        "total": qs.count(),
        "all_url": reverse("feedback:mine"),
        "new_url": reverse("feedback:new"),
    }


def my_ideas_context(request: HttpRequest) -> dict[str, Any] | None:
    from .selectors_ideas import ideas_of_author

    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    qs = ideas_of_author(user=user)
    ideas = list(qs[:MY_PAGE_LIMIT])
    if not ideas:
        return None  # a section only for people who took part in a consultation
    return {"ideas": ideas, "total": qs.count(), "list_url": reverse("ideas:list")}


def staff_panel_context(request: HttpRequest) -> dict[str, Any] | None:
    from tinhso.orgs.selectors import agency_scope

    from .selectors import HANDLER_ROLES, staff_queue_counts
    from .views_staff import QUEUES

    user = request.user
    if not agency_scope(user=user, roles=HANDLER_ROLES):
        return None
    counts = staff_queue_counts(user=user)
    base = reverse("feedback_staff:queue")
    return {
        "queues": [{"key": k, "label": label, "count": counts[k], "url": f"{base}?queue={k}"} for k, label in QUEUES],
        "queue_url": base,
        "stats_url": reverse("feedback_staff:statistics"),
        "templates_url": reverse("feedback_staff:templates"),
        "ideas_url": reverse("ideas_staff:list"),
    }


def register() -> None:
    from tinhso.portal.registry import register_my_page_section, register_staff_panel

    register_my_page_section("feedback", _("Phản ánh của tôi"), "feedback/portal/my_reports.html",
                             my_reports_context, 20)
    register_my_page_section("ideas", _("Góp ý của tôi"), "feedback/portal/my_ideas.html", my_ideas_context, 25)
    register_staff_panel("feedback", _("Phản ánh hiện trường, góp ý"), "feedback/portal/staff_panel.html",
                         staff_panel_context, 20)
