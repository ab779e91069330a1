from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tinhso.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from django.contrib import admin

        from tinhso.accounts.admin_site import MFAAdminSite

        # The admin app registered its models on the default site already; swap the class of
        # that same instance so every registration stays and the OTP requirement applies.
        admin.site.__class__ = MFAAdminSite
