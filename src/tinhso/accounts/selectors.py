"""Reads about accounts: finding a user by login, protected identifiers, tokens, MFA state."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tinhso.accounts.models import ApiToken, BusinessProfile, CitizenProfile, User
from tinhso.accounts.phone import looks_like_phone, try_normalize_phone
from tinhso.core.errors import NotAllowed, NotFound

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)


def normalize_login(value: str) -> str | None:
    """The canonical login for what someone typed: a lower-case email or a ``0xxxxxxxxx`` phone.

    ``None`` when it is neither (a malformed phone number, an empty string).
    """
    text = str(value or "").strip()
    if not text:
        return None
    if "@" in text:
        return text.lower()
    if looks_like_phone(text):
        return try_normalize_phone(text)
    return None


def user_by_login(value: str) -> User | None:
    login = normalize_login(value)
    if login is None:
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    return User.objects.filter(phone=login).first()


def login_is_taken(login: str) -> bool:
    """``login`` must already be normalised (see ``normalize_login``)."""
    if "@" in login:
        return User.objects.filter(email__iexact=login).exists()
    return User.objects.filter(phone=login).exists()


# --- protected identifiers --------------------------------------------------------------------


def _may_reveal(actor, owner: User, perm: str) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.pk == owner.pk:
        return True
    if not actor.has_perm(perm):
        return False
    # Officials must have passed the OTP challenge before seeing someone else's identifiers.
    is_verified = getattr(actor, "is_verified", None)
    return not getattr(actor, "requires_mfa", False) or (callable(is_verified) and is_verified())


def citizen_national_id_reveal(*, actor, user: User, request: HttpRequest | None = None) -> str:
    """The full national ID of ``user``: to the owner, or to someone holding
    ``accounts.reveal_national_id``. Every reveal is audited."""
    from tinhso.audit.services import record_event

    if not _may_reveal(actor, user, "accounts.reveal_national_id"):
        raise NotAllowed(_("Bạn không có quyền xem đầy đủ số định danh cá nhân."))
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is None or not profile.national_id:
        raise NotFound(_("Chưa có số định danh cá nhân."))
    with transaction.atomic():
        record_event(actor=actor, action="profile.national_id_revealed", obj=profile, request=request,
                     details={"user": str(user.public_id)})
    return profile.national_id


def business_tax_code_reveal(*, actor, user: User, request: HttpRequest | None = None) -> str:
    from tinhso.audit.services import record_event

    if not _may_reveal(actor, user, "accounts.reveal_tax_code"):
        raise NotAllowed(_("Bạn không có quyền xem đầy đủ mã số thuế."))
    profile = BusinessProfile.objects.filter(user=user).first()
    if profile is None or not profile.tax_code:
        raise NotFound(_("Chưa có mã số thuế."))
    with transaction.atomic():
        record_event(actor=actor, action="profile.tax_code_revealed", obj=profile, request=request,
                     details={"user": str(user.public_id)})
    return profile.tax_code


def citizen_by_national_id(national_id: str) -> User | None:
    """Find a citizen by the exact national ID (through the blind index, never decrypting)."""
    from tinhso.accounts.crypto import blind_index

    profile = (
        CitizenProfile.objects.select_related("user")
        .filter(national_id_index=blind_index(national_id.strip(), purpose="national_id"))
        .first()
    )
    return profile.user if profile else None


# --- MFA ----------------------------------------------------------------------------------------


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def backup_codes_left(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- API tokens -------------------------------------------------------------------------------


def api_tokens_visible_to(*, actor: User) -> QuerySet[ApiToken]:
    """System admins see every token; anyone else only the tokens acting as themselves."""
    qs = ApiToken.objects.select_related("user", "created_by")
    if actor.is_superuser or actor.is_staff:
        return qs
    return qs.filter(user=actor)


# --- memberships --------------------------------------------------------------------------------


def memberships_summary(user: User) -> list[dict[str, Any]]:
    """A short list of the user's agency roles for /me and the profile page.

    Uses ``tinhso.orgs.selectors.memberships_of`` when that app provides it, else reads the
    membership rows directly; never fails the page if the orgs app is unavailable.
    """
    try:
        from tinhso.orgs import selectors as orgs_selectors

        rows = orgs_selectors.memberships_of(user=user)
    except (ImportError, AttributeError):
        try:
            from tinhso.orgs.models import Membership

            rows = Membership.objects.filter(user=user, is_active=True).select_related("agency", "role")
        except Exception:  # noqa: BLE001 - the summary is optional
            logger.warning("memberships of %s could not be read", user.pk, exc_info=True)
            return []
    summary = []
    for m in rows:
        agency = getattr(m, "agency", None)
        role = getattr(m, "role", None)
        summary.append(
            {
                "agency": str(getattr(agency, "public_id", "")) if agency else "",
                "agency_name": getattr(agency, "name", "") if agency else "",
                "role": getattr(role, "code", "") if role else "",
                "role_name": getattr(role, "name", "") if role else "",
            }
        )
    return summary
