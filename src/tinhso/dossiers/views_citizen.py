"""Citizen pages of dossiers (/ho-so/): apply, my dossiers, a dossier, edit and resubmit after a
supplement request, withdraw, rate, and the PDF forms. Thin: services do the work, selectors
check access (another person's dossier is a 404)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.core.errors import DomainError, NotFound, ValidationFailed

from . import pdf, selectors, services
from .machine import DossierFlow
from .models import Dossier, FeeStatus, Status

PAGE_SIZE = 20
FILE_PREFIX = "doc-"


def _vnd(amount: int) -> str:
    from tinhso.procedures.selectors import format_vnd

    return format_vnd(amount)


def _not_found(exc: NotFound) -> Http404:
    return Http404(exc.message)


def _mine(request: HttpRequest, public_id) -> Dossier:
    try:
        return selectors.dossier_get_for_applicant(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise _not_found(exc) from None


def _fee_summary(procedure) -> str:
    from tinhso.procedures.fees import procedure_fee_summary

    return procedure_fee_summary(procedure)


def _schema_fields(procedure) -> list[str]:
    from tinhso.procedures.formschema import fields

    return [name for name, _prop in fields(procedure.form_schema or {})]


def _posted_form(request: HttpRequest, procedure) -> dict:
    """Only the schema's fields from the POST (the form also carries buttons, keys, files)."""
    data = {}
    for name in _schema_fields(procedure):
        value = request.POST.get(name)
        if value not in (None, ""):
            data[name] = value
    return data


def _posted_files(request: HttpRequest) -> dict:
    return {name[len(FILE_PREFIX):]: f for name, f in request.FILES.items() if name.startswith(FILE_PREFIX)}


def _agency_choices(procedure):
    return list(services.receiving_agencies_for(procedure).select_related("admin_unit"))


def _render_form(request, *, procedure, dossier=None, agencies, agency=None, data=None, errors=None,
                 doc_errors=None, general=None, key="", status=200):
    from tinhso.procedures.formschema import render_fields

    attached = {d.requirement_code: d for d in dossier.documents.select_related("file")} if dossier else {}
    documents = [
        {"req": r, "doc": attached.get(r.code), "error": (doc_errors or {}).get(r.code, ""),
         "input": f"{FILE_PREFIX}{r.code}"}
        for r in procedure.required_documents.order_by("order")
    ]
    supplement = None
    if dossier is not None and dossier.status == Status.SUPPLEMENT_REQUESTED:
        supplement = dossier.supplement_requests.filter(resolved_at__isnull=True).order_by("-requested_at").first()
    context = {
        "procedure": procedure,
        "dossier": dossier,
        "agencies": agencies,
        "agency": agency,
        "fields_html": render_fields(procedure.form_schema or {}, data or {}, errors or {}),
        "documents": documents,
        "general_error": general,
        "idempotency_key": key,
        "supplement": supplement,
        # Fixed lines plus per-unit rules ("Miễn phí; 8.000 đ/bản sao trích lục").
        "fee": procedure.fees.filter(amount__gt=0).exists(),
        "fee_text": _fee_summary(procedure),
    }
    return render(request, "dossiers/citizen/apply.html", context, status=status)


def _errors_of(exc: DomainError) -> tuple[dict, dict, str]:
    """(field errors, document errors, general message) of a service error."""
    details = exc.details if isinstance(exc.details, dict) else {}
    field_errors = details.get("fields") if exc.code == "invalid_form" else None
    doc_errors = {}
    if exc.code == "missing_documents":
        doc_errors = {code: _("Cần đính kèm giấy tờ này.") for code in details.get("missing", [])}
    if details.get("field") == "file":
        doc_errors = {}
    return field_errors or {}, doc_errors, str(exc.message)


def _pick_agency(request, agencies):
    if len(agencies) == 1:
        return agencies[0]
    raw = request.POST.get("agency", "")
    return next((a for a in agencies if str(a.public_id) == raw), None)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, procedure_code: str) -> HttpResponse:
    from tinhso.procedures.selectors import procedure_get_published

    try:
        procedure = procedure_get_published(code=procedure_code)
    except NotFound as exc:
        raise _not_found(exc) from None
    agencies = _agency_choices(procedure)
    if request.method == "GET":
        return _render_form(request, procedure=procedure, agencies=agencies,
                            agency=agencies[0] if len(agencies) == 1 else None, key=str(uuid.uuid4()))

    key = (request.POST.get("idempotency_key") or "").strip()[:100] or str(uuid.uuid4())
    existing = Dossier.objects.filter(applicant=request.user, idempotency_key=key).first()
    if existing is not None:  # a double click or a resent form: one dossier only
        return redirect("dossiers:detail", public_id=existing.public_id)
    agency = _pick_agency(request, agencies)
    data = _posted_form(request, procedure)
    files = _posted_files(request)
    if agency is None:
        return _render_form(request, procedure=procedure, agencies=agencies, data=data, key=key, status=422,
                            general=_("Vui lòng chọn cơ quan tiếp nhận hồ sơ."))
    try:
        if request.POST.get("action") == "submit":
            dossier = services.dossier_create_and_submit(
                applicant=request.user, procedure=procedure, agency=agency, form_data=data, uploads=files,
                idempotency_key=key, request=request)
            messages.success(request, _("Đã nộp hồ sơ. Mã hồ sơ: %(code)s.") % {"code": dossier.code})
            return redirect("dossiers:detail", public_id=dossier.public_id)
        dossier = services.dossier_save_draft(applicant=request.user, procedure=procedure, agency=agency,
                                              form_data=data, idempotency_key=key, request=request)
    except IntegrityError:
        existing = Dossier.objects.filter(applicant=request.user, idempotency_key=key).first()
        if existing is None:
            raise
        return redirect("dossiers:detail", public_id=existing.public_id)
    except DomainError as exc:
        existing = Dossier.objects.filter(applicant=request.user, idempotency_key=key).first()
        if existing is not None:
            return redirect("dossiers:detail", public_id=existing.public_id)
        field_errors, doc_errors, message = _errors_of(exc)
        if files and not doc_errors:
            message = f"{message} " + _("Vui lòng chọn lại các tệp đính kèm.")
        return _render_form(request, procedure=procedure, agencies=agencies, agency=agency, data=data,
                            errors=field_errors, doc_errors=doc_errors, general=message, key=key, status=422)
    errors = _attach_all(request, dossier, files)
    if errors:
        return _render_form(request, procedure=procedure, dossier=dossier, agencies=agencies, agency=agency,
                            data=data, doc_errors=errors, general=_("Một số tệp chưa được đính kèm."),
                            status=422)
    messages.success(request, _("Đã lưu nháp hồ sơ."))
    return redirect("dossiers:edit", public_id=dossier.public_id)


def _attach_all(request, dossier: Dossier, files: dict) -> dict:
    errors = {}
    for code, f in files.items():
        try:
            services.dossier_attach(dossier=dossier, actor=request.user, requirement_code=code, uploaded=f,
                                    request=request)
        except DomainError as exc:
            errors[code] = str(exc.message)
    return errors


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id) -> HttpResponse:
    """Edit a draft, or supplement a dossier, then save or (re)submit."""
    dossier = _mine(request, public_id)
    if dossier.status not in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED):
        messages.info(request, _("Hồ sơ đã nộp, không thể sửa."))
        return redirect("dossiers:detail", public_id=dossier.public_id)
    procedure = dossier.procedure
    agencies = _agency_choices(procedure) if dossier.status == Status.DRAFT else [dossier.agency]
    if request.method == "GET":
        return _render_form(request, procedure=procedure, dossier=dossier, agencies=agencies, agency=dossier.agency,
                            data=dossier.form_data)
    data = _posted_form(request, procedure)
    agency = _pick_agency(request, agencies) or dossier.agency
    try:
        services.dossier_save_draft(applicant=request.user, procedure=procedure, agency=agency, form_data=data,
                                    dossier=dossier, request=request)
    except DomainError as exc:
        field_errors, doc_errors, message = _errors_of(exc)
        return _render_form(request, procedure=procedure, dossier=dossier, agencies=agencies, agency=agency,
                            data=data, errors=field_errors, general=message, status=422)
    doc_errors = _attach_all(request, dossier, _posted_files(request))
    if doc_errors:
        return _render_form(request, procedure=procedure, dossier=dossier, agencies=agencies, agency=agency,
                            data=data, doc_errors=doc_errors, general=_("Một số tệp chưa được đính kèm."),
                            status=422)
    if request.POST.get("action") != "submit":
        messages.success(request, _("Đã lưu nháp hồ sơ."))
        return redirect("dossiers:edit", public_id=dossier.public_id)
    try:
        if dossier.status == Status.SUPPLEMENT_REQUESTED:
            services.dossier_resubmit(dossier=dossier, actor=request.user, request=request)
            messages.success(request, _("Đã nộp bổ sung hồ sơ."))
        else:
            services.dossier_submit(dossier=dossier, actor=request.user, request=request)
            messages.success(request, _("Đã nộp hồ sơ. Mã hồ sơ: %(code)s.") % {"code": dossier.code})
    except ValidationFailed as exc:
        field_errors, doc_errors, message = _errors_of(exc)
        return _render_form(request, procedure=procedure, dossier=dossier, agencies=agencies, agency=agency,
                            data=data, errors=field_errors, doc_errors=doc_errors, general=message, status=422)
    except DomainError as exc:  # e.g. submitted twice: the first one won
        messages.info(request, str(exc.message))
    return redirect("dossiers:detail", public_id=dossier.public_id)


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.dossiers_of_applicant(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/citizen/list.html", {"page": page})


def _payment_url(dossier: Dossier) -> str:
    if dossier.fee_status != FeeStatus.PENDING or not dossier.payment_public_id:
        return ""
    try:
        return reverse("payments:pay", kwargs={"public_id": dossier.payment_public_id})
    except NoReverseMatch:
        return ""


def _timeline(dossier: Dossier) -> list[dict]:
    return [
        {"at": log.at, "label": DossierFlow.transition_label(log.transition),
         "status": DossierFlow.state_label(log.to_state)}
        for log in DossierFlow.history(dossier)
    ]


@login_required
def detail(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _mine(request, public_id)
    actions = selectors.dossier_actions(dossier=dossier, user=request.user)
    supplement = None
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        supplement = dossier.supplement_requests.filter(resolved_at__isnull=True).order_by("-requested_at").first()
    context = {
        "dossier": dossier,
        "timeline": _timeline(dossier),
        "documents": dossier.documents.select_related("file").order_by("id"),
        "steps": dossier.steps.select_related("agency").order_by("order"),
        "supplement": supplement,
        "refusal": getattr(dossier, "refusal", None) if dossier.status == Status.REFUSED else None,
        "apologies": dossier.apologies.order_by("-created_at"),
        "payment_url": _payment_url(dossier),
        "actions": actions,
        "rating": getattr(dossier, "rating", None) if dossier.status == Status.DONE else None,
        "has_result": dossier.status == Status.DONE and dossier.result_file_id is not None,
        "scores": [5, 4, 3, 2, 1],
        "fee_text": _vnd(dossier.fee_amount),
    }
    return render(request, "dossiers/citizen/detail.html", context)


@login_required
@require_POST
def resubmit(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _mine(request, public_id)
    try:
        services.dossier_resubmit(dossier=dossier, actor=request.user, request=request)
        messages.success(request, _("Đã nộp bổ sung hồ sơ."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("dossiers:edit", public_id=dossier.public_id)
    return redirect("dossiers:detail", public_id=dossier.public_id)


@login_required
@require_POST
def withdraw(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _mine(request, public_id)
    try:
        services.dossier_withdraw(dossier=dossier, actor=request.user, reason=request.POST.get("reason", ""),
                                  request=request)
        messages.success(request, _("Đã rút hồ sơ."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("dossiers:detail", public_id=dossier.public_id)


@login_required
@require_POST
def rate(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _mine(request, public_id)
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    try:
        services.dossier_rate(dossier=dossier, actor=request.user, score=score,
                              comment=request.POST.get("comment", ""), request=request)
        messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("dossiers:detail", public_id=dossier.public_id)


@login_required
def result(request: HttpRequest, public_id) -> HttpResponse:
    """The result file, once returned (the files app checks access again and audits)."""
    dossier = _mine(request, public_id)
    if dossier.status != Status.DONE or not dossier.result_file_id:
        raise Http404(_("Hồ sơ chưa có kết quả."))
    return redirect("files:download", public_id=dossier.result_file.public_id)


FORMS = {"01", "02", "03", "04", "05"}


@login_required
def form_pdf(request: HttpRequest, public_id, form: str) -> HttpResponse:
    """Forms 01–05 of one dossier, for its applicant or a scoped official."""
    if form not in FORMS:
        raise Http404
    try:
        dossier, _role = selectors.dossier_get_for_viewer(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise _not_found(exc) from None
    if form == "01" and dossier.code:
        content = pdf.receipt_pdf(dossier)
    elif form == "02" and dossier.supplement_requests.exists():
        content = pdf.supplement_pdf(dossier)
    elif form == "03" and dossier.status == Status.REFUSED:
        content = pdf.refusal_pdf(dossier)
    elif form == "04" and dossier.apologies.exists():
        content = pdf.apology_pdf(dossier.apologies.select_related("by").order_by("-created_at", "-id").first())
    elif form == "05" and dossier.received_at:
        content = pdf.control_sheet_pdf(dossier)
    else:
        raise Http404(_("Chưa có biểu mẫu này cho hồ sơ."))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{form}-{dossier.code or "ho-so"}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _viewer_dossier(request: HttpRequest, public_id) -> tuple[Dossier, str]:
    try:
        return selectors.dossier_get_for_viewer(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise _not_found(exc) from None


def _received_or_404(dossier: Dossier) -> None:
    if not dossier.received_at:
        raise Http404(_("Chưa có biểu mẫu này cho hồ sơ."))


@login_required
def control_sheet(request: HttpRequest, public_id) -> HttpResponse:
    """Form 05 as a page, for the applicant or a scoped official (once the dossier is received)."""
    dossier, role = _viewer_dossier(request, public_id)
    _received_or_404(dossier)
    context = {
        "dossier": dossier,
        "entries": pdf.control_sheet_entries(dossier),
        "history": pdf.control_sheet_history(dossier),
        "back_url": reverse("dossiers_staff:detail", args=[dossier.public_id]) if role == "staff"
        else reverse("dossiers:detail", args=[dossier.public_id]),
    }
    response = render(request, "dossiers/control_sheet.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def control_sheet_xlsx(request: HttpRequest, public_id) -> HttpResponse:
    """Form 05 as an Excel file."""
    from . import exports

    dossier, _role = _viewer_dossier(request, public_id)
    _received_or_404(dossier)
    response = HttpResponse(exports.control_sheet_workbook(dossier), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau-05-{dossier.code or "ho-so"}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
