"""Public and citizen pages of field reports, mounted at /phan-anh/ (namespace "feedback")."""

from django.urls import path

from . import views_citizen, views_public

app_name = "feedback"

urlpatterns = [
    path("", views_public.index, name="index"),
    path("ban-do.json", views_public.map_points, name="map_points"),
    path("gui/", views_citizen.report_new, name="new"),
    path("gui/trung-lap/", views_public.nearby, name="nearby"),
    path("gui/thong-tin-them/", views_public.attributes, name="attributes"),
    path("cua-toi/", views_citizen.mine, name="mine"),
    path("<uuid:public_id>/ung-ho/", views_public.support, name="support"),
    path("<uuid:public_id>/danh-gia/", views_citizen.rate, name="rate"),
    path("<uuid:public_id>/mo-lai/", views_citizen.reopen, name="reopen"),
    path("<uuid:public_id>/anh/<uuid:file_id>/", views_public.photo, name="photo"),
    path("<str:ref>/", views_public.detail, name="detail"),
]
