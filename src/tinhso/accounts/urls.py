from django.urls import path
from django.views.generic import RedirectView

from tinhso.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    # Everything under mfa/ is reachable before the OTP challenge is passed (StaffMFAMiddleware).
    path("mfa/", RedirectView.as_view(pattern_name="accounts:mfa_challenge"), name="mfa_root"),
    path("mfa/enrol/", views.mfa_enrol_view, name="mfa_enrol"),
    path("mfa/challenge/", views.mfa_challenge_view, name="mfa_challenge"),
    # Password reset pages are also reachable by a session that still owes the OTP challenge:
    # they show nothing of the account and never log anyone in.
    path("password-reset/", views.password_reset_view, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done_view, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("password-reset/done/", views.password_reset_complete_view, name="password_reset_complete"),
    path("password-change/", views.password_change_view, name="password_change"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/backup-codes/", views.mfa_backup_codes_view, name="mfa_backup_codes"),
]
