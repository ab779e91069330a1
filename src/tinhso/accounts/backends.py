"""Password login with a phone number (any common spelling) or an email address (any case)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from tinhso.accounts.selectors import user_by_login


class PhoneOrEmailBackend(ModelBackend):
    """``authenticate(request, username=<phone or email>, password=...)``.

    Inactive users and service accounts are refused like a wrong password, so the login page can
    show one generic message whatever the reason.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        user = user_by_login(username)
        if user is None:
            # Hash anyway, so an unknown login takes as long as a wrong password.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_service_account", False)
