"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Touches no dependency on purpose."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = "readyz:probe"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")


def _check_broker() -> None:
    from tinhso.config.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database, the cache and the Celery broker are reachable."""
    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    results: dict[str, str] = {}
    ok = True
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = "unavailable"
            ok = False
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception=None):
    """404: the API's error shape under /api/, the HTML page elsewhere."""
    if _wants_json(request):
        from django.utils.translation import gettext as _

        from tinhso.core.api import error_body

        return JsonResponse(error_body("not_found", _("Không tìm thấy.")), status=404)
    from django.views.defaults import page_not_found as html_404

    return html_404(request, exception)


def server_error(request: HttpRequest):
    """500: the API's error shape under /api/, the static HTML page elsewhere."""
    if _wants_json(request):
        from tinhso.core.api import error_body

        return JsonResponse(error_body("server_error", "Lỗi máy chủ. Vui lòng thử lại sau."), status=500)
    from django.views.defaults import server_error as html_500

    return html_500(request)
