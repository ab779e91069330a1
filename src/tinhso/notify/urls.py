from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("badge", views.badge, name="badge"),
    path("read-all", views.mark_all_read, name="read_all"),
    path("<uuid:public_id>/read", views.mark_read, name="read"),
]
