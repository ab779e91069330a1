"""Portal pages: the public home, the citizen's "my page" and the staff workspace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import registry, selectors

QUERY_MAX_LENGTH = 100


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    province = selectors.province()
    groups = selectors.communes_by_kind(province=province, q=q) if province else []
    context = {
        "province": province,
        "province_name": province.name if province else selectors.province_name_offline(),
        "q": q,
        "commune_groups": groups,
        "commune_total": selectors.commune_count(province=province) if province else 0,
        "commune_matches": sum(len(g.units) for g in groups),
        "agencies": selectors.agency_overview(),
    }
    return render(request, "portal/home.html", context)


@require_safe
@login_required
def me(request: HttpRequest) -> HttpResponse:
    sections = registry.render_sections(registry.my_page_sections(), request)
    context = {
        "sections": sections,
        "is_official": selectors.is_official(request.user),
    }
    return render(request, "portal/me.html", context)


@require_safe
@login_required
def staff(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.active_memberships(user=request.user))
    if not memberships:
        raise PermissionDenied(
            _(
                "Không gian làm việc chỉ dành cho cán bộ, công chức đang được phân công tại một cơ quan. "
                "Nếu bạn là cán bộ, hãy liên hệ quản trị hệ thống của cơ quan để được phân công."
            )
        )
    panels = registry.render_sections(registry.staff_panels(), request)
    return render(request, "portal/staff.html", {"memberships": memberships, "panels": panels})
