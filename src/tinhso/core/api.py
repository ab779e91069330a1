"""Builds the NinjaAPI at /api/v1 with one error shape everywhere.

Every error leaves as ``{"error": {"code": str, "message": str, "details": any}}`` with a 4xx/5xx
status: validation errors, authentication and permission failures, domain errors raised by
services, unknown objects, and (without detail) unexpected server errors.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tinhso.core.errors import DomainError

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": message, "details": details}}


def build_api() -> NinjaAPI:
    from tinhso.accounts.auth import api_auth

    api = NinjaAPI(
        title="Tỉnh số API",
        version="1",
        description=(
            "REST API of Tỉnh số. Authenticate with `Authorization: Bearer <token>` (API clients) "
            "or a browser session (with the CSRF token). Every error has the shape "
            '`{"error": {"code", "message", "details"}}`.'
        ),
        auth=api_auth,
        urls_namespace="api",
    )

    def respond(request: HttpRequest, status: int, code: str, message: str, details=None) -> HttpResponse:
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(NinjaValidationError)
    def on_validation(request, exc: NinjaValidationError):
        details = [
            {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        return respond(request, 422, "validation_error", _("Dữ liệu gửi lên không hợp lệ."), details)

    @api.exception_handler(AuthenticationError)
    def on_authentication(request, exc):
        return respond(request, 401, "not_authenticated", _("Cần đăng nhập hoặc mã truy cập hợp lệ."))

    @api.exception_handler(AuthorizationError)
    def on_authorization(request, exc):
        return respond(request, 403, "permission_denied", _("Bạn không có quyền thực hiện thao tác này."))

    @api.exception_handler(PermissionDenied)
    def on_permission(request, exc):
        return respond(request, 403, "permission_denied", str(exc) or _("Bạn không có quyền thực hiện thao tác này."))

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return respond(request, 404, "not_found", _("Không tìm thấy."))

    @api.exception_handler(DomainError)
    def on_domain(request, exc: DomainError):
        return respond(request, exc.status, exc.code, str(exc.message), exc.details)

    @api.exception_handler(HttpError)
    def on_http(request, exc: HttpError):
        codes = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "too_many_requests"}
        return respond(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))

    @api.exception_handler(Exception)
    def on_error(request, exc):
        logger.exception("Unhandled API error on %s", request.path)
        return respond(request, 500, "server_error", _("Lỗi máy chủ. Vui lòng thử lại sau."))

    from tinhso.accounts.api import router as accounts_router
    from tinhso.dossiers.api import router as dossiers_router
    from tinhso.dossiers.api import tracking_router as dossier_tracking_router
    from tinhso.files.api import router as files_router
    from tinhso.geo.api import router as geo_router
    from tinhso.notify.api import router as notify_router
    from tinhso.orgs.api import router as orgs_router
    from tinhso.payments.api import router as payments_router
    from tinhso.procedures.api import fields_router as procedure_fields_router
    from tinhso.procedures.api import router as procedures_router
    from tinhso.search.api import router as search_router
    from tinhso.workflow.api import router as workflow_router

    api.add_router("/dossiers/tracking", dossier_tracking_router)  # first: see tinhso.dossiers.api
    api.add_router("/geo", geo_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/files", files_router)
    api.add_router("/notifications", notify_router)
    api.add_router("/workflow", workflow_router)
    api.add_router("/search", search_router)
    api.add_router("/payments", payments_router)
    api.add_router("/procedures", procedures_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/procedure-fields", procedure_fields_router)
    return api
