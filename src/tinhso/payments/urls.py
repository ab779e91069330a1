from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("", views.my_payments, name="list"),
    path("callback/<slug:gateway_name>/", views.callback, name="callback"),
    path("sandbox/<slug:bill_number>/", views.sandbox, name="sandbox"),
    path("<uuid:public_id>/", views.pay, name="pay"),
    path("<uuid:public_id>/trang-thai/", views.status, name="status"),
    path("<uuid:public_id>/huy/", views.cancel, name="cancel"),
    path("<uuid:public_id>/tao-lai/", views.reissue, name="reissue"),
    path("<uuid:public_id>/bien-lai.pdf", views.receipt, name="receipt"),
]
