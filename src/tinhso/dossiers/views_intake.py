"""Counter intake: a one-stop clerk records a paper dossier for a citizen (found by national ID
or phone/email, or registered on the spot) through ``services.dossier_record_at_counter``."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.core.errors import DomainError, NotFound, ValidationFailed
from tinhso.orgs.selectors import current_memberships

from . import services as dossier_services
from .views_staff import staff_required

INTAKE_ROLES = ("clerk",)


def clerk_agencies(user):
    return [m.agency for m in current_memberships(user=user, roles=INTAKE_ROLES).select_related("agency").order_by("agency__name")]


def _find_citizen(*, login: str, national_id: str):
    from tinhso.accounts.selectors import citizen_by_national_id, user_by_login

    if national_id:
        user = citizen_by_national_id(national_id)
        if user is not None:
            return user
    if login:
        return user_by_login(login)
    return None


def _register_citizen(*, full_name: str, login: str, request: HttpRequest):
    """A citizen account for someone who has none yet. The password is random: the citizen sets
    their own with "forgot password" on the phone number or email given here."""
    from tinhso.accounts.services import user_register

    password = secrets.token_urlsafe(24) + "Aa1!"
    return user_register(full_name=full_name, login=login, password=password, request=request)


def _intake_form_data(post) -> dict[str, str]:
    """The application-form fields of the POST: form-schema names never contain a hyphen, the
    intake's own inputs always do."""
    return {k: post.get(k) for k in post if "-" not in k and k != "csrfmiddlewaretoken"}


@require_http_methods(["GET", "POST"])
@staff_required
def counter_intake(request: HttpRequest) -> HttpResponse:
    from tinhso.procedures.formschema import render_fields
    from tinhso.procedures.selectors import procedure_get_published, procedures_public, receiving_agencies

    agencies = clerk_agencies(request.user)
    if not agencies:
        raise PermissionDenied(_("Chỉ công chức bộ phận một cửa mới tiếp nhận hồ sơ trực tiếp."))
    source = request.POST if request.method == "POST" else request.GET
    agency = next((a for a in agencies if str(a.public_id) == (source.get("intake-agency") or "")), agencies[0])
    procedure = None
    code = (source.get("intake-procedure") or "").strip()
    if code:
        try:
            procedure = procedure_get_published(code=code)
        except NotFound:
            messages.error(request, _("Không tìm thấy thủ tục hành chính."))
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    applicant_values = {
        "login": (source.get("applicant-login") or "").strip()[:120],
        "national_id": (source.get("applicant-national-id") or "").replace(" ", "")[:12],
        "full_name": (source.get("applicant-name") or "").strip()[:150],
    }
    form_data: dict[str, Any] = _intake_form_data(request.POST) if request.method == "POST" else {}
    if request.method == "POST" and procedure is not None:
        try:
            if not receiving_agencies(procedure=procedure).filter(pk=agency.pk).exists():
                raise ValidationFailed(_("Cơ quan của bạn không tiếp nhận thủ tục này."))
            applicant = _find_citizen(login=applicant_values["login"], national_id=applicant_values["national_id"])
            if applicant is None:
                if not applicant_values["login"] or not applicant_values["full_name"]:
                    raise ValidationFailed(_(
                        "Không tìm thấy người nộp. Để tạo tài khoản mới, hãy nhập họ và tên và số điện thoại "
                        "(hoặc thư điện tử) của người nộp."
                    ))
                applicant = _register_citizen(
                    full_name=applicant_values["full_name"], login=applicant_values["login"], request=request
                )
                messages.info(request, _("Đã tạo tài khoản cho người nộp %(name)s.") % {"name": applicant.full_name})
            uploads = {
                doc.code: request.FILES[f"doc-{doc.code}"]
                for doc in procedure.required_documents.all()
                if f"doc-{doc.code}" in request.FILES
            }
            dossier = dossier_services.dossier_record_at_counter(
                clerk=request.user, agency=agency, procedure=procedure, applicant=applicant,
                form_data=form_data, uploads=uploads, request=request,
            )
        except DomainError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            field_errors = details.get("fields") or details.get("errors") or {}
            if isinstance(field_errors, dict):
                errors = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in field_errors.items()}
            general.append(str(exc.message))
        else:
            messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
            return redirect("dossiers_staff:detail", public_id=dossier.public_id)
    context = {
        "agencies": agencies,
        "agency": agency,
        "procedures": procedures_public().select_related(None).only("code", "name"),
        "procedure": procedure,
        "documents": list(procedure.required_documents.all()) if procedure else [],
        "fields_html": render_fields(procedure.form_schema, form_data, errors) if procedure else "",
        "applicant": applicant_values,
        "general_errors": general,
    }
    return render(request, "dossiers/staff/intake.html", context, status=422 if general else 200)


