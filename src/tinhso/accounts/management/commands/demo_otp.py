"""``tinhso demo_otp <login>``: the current 6-digit OTP of a demo account (never in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current OTP code of a demo official or admin (demo installations only)."

    def add_arguments(self, parser):
        parser.add_argument("login", help="phone number or email of the demo account")

    def handle(self, *args, login, **opts):
        if getattr(settings, "TINHSO_ENV", "") == "production":
            raise CommandError("demo_otp is disabled when TINHSO_ENV=production.")
        from tinhso.accounts.demo import current_otp

        code = current_otp(login)
        if code is None:
            raise CommandError(f"{login!r} is not a demo account with an OTP device.")
        self.stdout.write(code)
