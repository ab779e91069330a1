"""The Django admin behind the same login and OTP challenge as the rest of the platform."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class MFAAdminSite(AdminSite):
    """``admin.site`` gets this class in ``AccountsConfig.ready``: only active staff who passed
    the OTP challenge in this session may enter, and logging in happens on our own login page
    (phone/email + password, then OTP) instead of the admin's username/password form."""

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        is_verified = getattr(request.user, "is_verified", None)
        return callable(is_verified) and is_verified()

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target, reverse("accounts:login"))
