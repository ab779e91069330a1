"""Public catalogue pages (no login): the list with search and filters, and a page per procedure."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from tinhso.core.errors import NotFound
from tinhso.procedures import fees as fee_rules
from tinhso.procedures import formschema, selectors
from tinhso.procedures.models import ImplementingLevel, ServiceLevel

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 100


def apply_url(code: str) -> str:
    try:
        return reverse("dossiers:apply", kwargs={"procedure_code": code})
    except NoReverseMatch:
        return f"/ho-so/nop/{code}/"


@require_safe
def procedure_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    field = request.GET.get("linh_vuc", "").strip()[:40]
    level = request.GET.get("cap", "").strip()[:20]
    if level not in ImplementingLevel.values and level not in ServiceLevel.values:
        level = ""
    qs = selectors.procedures_public(q=q, field=field or None, level=level or None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    params = request.GET.copy()
    params.pop("trang", None)
    context = {
        "q": q,
        "field": field,
        "level": level,
        "fields": selectors.procedure_fields(),
        "levels": [*ImplementingLevel.choices, *ServiceLevel.choices],
        "page": page,
        "query_string": params.urlencode(),
        "filtered": bool(q or field or level),
    }
    return render(request, "procedures/list.html", context)


@require_safe
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = selectors.procedure_get_published(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    fees = list(procedure.fees.all())
    commune_level = procedure.implementing_level == ImplementingLevel.COMMUNE
    context = {
        "procedure": procedure,
        "fees": [(f, fee_rules.unit_text(f, procedure.form_schema)) for f in fees],
        "total_fee": fee_rules.fee_summary(fees, procedure.form_schema),
        "documents": list(procedure.required_documents.all()),
        "steps": list(procedure.steps.all()),
        "agencies": [] if commune_level else list(procedure.agencies.filter(is_active=True)),
        "commune_level": commune_level,
        "legal_basis": [line.strip() for line in procedure.legal_basis.splitlines() if line.strip()],
        "form_fields": [prop.get("title") or name for name, prop in formschema.fields(procedure.form_schema)],
        "apply_url": apply_url(procedure.code),
        "online": procedure.service_level in ServiceLevel.values,
    }
    return render(request, "procedures/detail.html", context)
