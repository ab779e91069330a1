"""The officials' dossier workspace, mounted at /staff/dossiers/ (namespace "dossiers_staff")."""

from django.urls import path

from . import views_intake, views_staff, views_stats

# The staff-workspace panel is registered when this URLconf loads (before any request is
# resolved); DossiersConfig.ready() may call views_staff.register_panel() as well (idempotent).
views_staff.register_panel()

app_name = "dossiers_staff"
urlpatterns = [
    path("", views_staff.queue, name="queue"),
    path("phan-cong/", views_staff.bulk_assign, name="bulk_assign"),
    path("tiep-nhan-truc-tiep/", views_intake.counter_intake, name="intake"),
    path("thong-ke/", views_stats.statistics, name="statistics"),
    path("thong-ke/excel/", views_stats.statistics_xlsx, name="statistics_xlsx"),
    path("so-theo-doi/", views_stats.log_book, name="log_book"),
    path("so-theo-doi/excel/", views_stats.log_book_xlsx, name="log_book_xlsx"),
    path("so-theo-doi/pdf/", views_stats.log_book_pdf, name="log_book_pdf"),
    path("<uuid:public_id>/", views_staff.detail, name="detail"),
    path("<uuid:public_id>/phan-cong/", views_staff.assign, name="assign"),
    path("<uuid:public_id>/hien-so-dinh-danh/", views_staff.reveal_national_id, name="reveal_national_id"),
    path("<uuid:public_id>/thao-tac/<slug:action>/", views_staff.act, name="act"),
]
