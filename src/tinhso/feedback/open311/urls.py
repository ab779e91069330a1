"""URLs of Open311 GeoReport v2 (mounted at /open311/v2/). Every resource takes its format as
an extension: ``services.json``, ``services.xml``; see docs/open311.md."""

from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_-]{1,60})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9_-]{1,60})" + FMT, views.service_request, name="request"),
    re_path(r"^tokens/(?P<token_id>[A-Za-z0-9_-]{1,60})" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.request_updates, name="updates"),
    path("media/<uuid:report_id>/<uuid:file_id>", views.media, name="media"),
]
