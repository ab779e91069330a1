from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from tinhso.api import api
from tinhso.core import views as core_views

admin.site.site_header = f"{settings.TINHSO_SITE_NAME} — quản trị hệ thống"
admin.site.site_title = settings.TINHSO_SITE_NAME

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("tinhso.accounts.urls")),
    path("files/", include("tinhso.files.urls")),
    path("notifications/", include("tinhso.notify.urls")),
    path("thu-tuc/", include("tinhso.procedures.urls")),
    path("ho-so/", include("tinhso.dossiers.urls")),
    path("staff/dossiers/", include("tinhso.dossiers.urls_staff")),
    path("tra-cuu/", include("tinhso.dossiers.urls_public")),
    path("thanh-toan/", include("tinhso.payments.urls")),
    path("phan-anh/", include("tinhso.feedback.urls_public")),
    path("staff/phan-anh/", include("tinhso.feedback.urls_staff")),
    path("gop-y/", include("tinhso.feedback.urls_ideas")),
    path("staff/gop-y/", include("tinhso.feedback.urls_ideas_staff")),
    path("open311/v2/", include("tinhso.feedback.open311.urls")),
    path("", include("tinhso.portal.urls")),
]

if settings.TINHSO_BENCH_ENDPOINTS and not settings.PRODUCTION:  # baseline endpoints of the benchmarks only
    urlpatterns.insert(0, path("bench/", include(("tinhso.core.bench_views", "bench"))))

handler404 = "tinhso.core.views.page_not_found"
handler500 = "tinhso.core.views.server_error"
