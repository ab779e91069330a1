"""The officials' field-report workspace, mounted at /staff/phan-anh/ (namespace "feedback_staff")."""

from django.urls import path

from . import views_staff, views_stats

app_name = "feedback_staff"
urlpatterns = [
    path("", views_staff.queue, name="queue"),
    path("phan-cong/", views_staff.bulk_assign, name="bulk_assign"),
    path("thong-ke/", views_stats.statistics, name="statistics"),
    path("thong-ke/excel/", views_stats.statistics_xlsx, name="statistics_xlsx"),
    path("thong-ke/ban-do-nhiet.json", views_stats.heatmap_json, name="heatmap"),
    path("mau-tra-loi/", views_staff.templates_list, name="templates"),
    path("mau-tra-loi/them/", views_staff.template_create, name="template_create"),
    path("mau-tra-loi/<int:pk>/sua/", views_staff.template_edit, name="template_edit"),
    path("mau-tra-loi/<int:pk>/xoa/", views_staff.template_delete, name="template_delete"),
    path("<uuid:public_id>/", views_staff.detail, name="detail"),
    path("<uuid:public_id>/tim-phan-anh-goc/", views_staff.duplicate_search, name="duplicate_search"),
    path("<uuid:public_id>/thao-tac/<slug:action>/", views_staff.act, name="act"),
]
