"""``tinhso api_token create --user <login> --name <name> [--scope s]... [--days 90]``,
``tinhso api_token list [--user <login>]``, ``tinhso api_token revoke <prefix or public id>``."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tinhso.accounts.models import ApiToken
from tinhso.accounts.selectors import user_by_login
from tinhso.accounts.services import api_token_create, api_token_revoke
from tinhso.core.errors import DomainError


class Command(BaseCommand):
    help = "Issue, list and revoke API tokens for other systems."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token; the plain token is printed once")
        create.add_argument("--user", required=True, help="phone number or email of the account the token acts as")
        create.add_argument("--name", required=True, help="what the token is for, e.g. 'Cổng DVC quốc gia'")
        create.add_argument("--scope", action="append", default=[], help="a scope (repeat for several)")
        create.add_argument("--days", type=int, default=90, help="days until it expires (0: never; default 90)")
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--user", default=None)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix or public id")
        revoke.add_argument("token")

    def handle(self, *args, action, **opts):
        try:
            getattr(self, f"_{action}")(**opts)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _user(self, login):
        user = user_by_login(login)
        if user is None:
            raise CommandError(f"No account with login {login!r}.")
        return user

    def _create(self, *, user, name, scope, days, **_):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        token, plaintext = api_token_create(actor=None, user=self._user(user), name=name, scopes=scope,
                                            expires_at=expires_at)
        self.stdout.write(f"Token {token.public_id} for {token.user.get_username()} "
                          f"(expires {expires_at.isoformat() if expires_at else 'never'}).")
        self.stdout.write("Copy it now, it is not stored and cannot be shown again:")
        self.stdout.write(plaintext)

    def _list(self, *, user=None, **_):
        qs = ApiToken.objects.select_related("user").order_by("-created_at")
        if user:
            qs = qs.filter(user=self._user(user))
        for t in qs:
            state = "revoked" if t.revoked_at else ("expired" if not t.is_usable() else "active")
            self.stdout.write(f"{t.public_id}  {t.prefix}…  {state:8}  {t.user.get_username()}  {t.name}")

    def _revoke(self, *, token, **_):
        qs = ApiToken.objects.all()
        found = qs.filter(prefix=token).first()
        if found is None:
            try:
                found = qs.filter(public_id=token).first()
            except Exception:  # noqa: BLE001 - not a UUID
                found = None
        if found is None:
            raise CommandError("No such token.")
        api_token_revoke(actor=None, token=found)
        self.stdout.write(f"Revoked {found.public_id}.")
