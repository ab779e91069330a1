"""Public tracking page, mounted at /tra-cuu/ (namespace "tracking")."""

from django.urls import path

from . import views_public

app_name = "tracking"
urlpatterns = [
    path("", views_public.lookup, name="lookup"),
]
