from django.urls import path

from . import views_citizen as views

app_name = "dossiers"
urlpatterns = [
    path("", views.my_dossiers, name="mine"),
    path("nop/<str:procedure_code>/", views.apply, name="apply"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/sua/", views.edit, name="edit"),
    path("<uuid:public_id>/nop-bo-sung/", views.resubmit, name="resubmit"),
    path("<uuid:public_id>/rut/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/danh-gia/", views.rate, name="rate"),
    path("<uuid:public_id>/ket-qua/", views.result, name="result"),
    path("<uuid:public_id>/mau-<str:form>.pdf", views.form_pdf, name="pdf"),
    path("<uuid:public_id>/phieu-kiem-soat/", views.control_sheet, name="control_sheet"),
    path("<uuid:public_id>/phieu-kiem-soat.xlsx", views.control_sheet_xlsx, name="control_sheet_xlsx"),
]
