"""Multi-factor authentication for officials and system admins (django-otp TOTP + backup codes).

Flow: password login → no confirmed TOTP device: enrolment (QR code + secret, confirm with a code,
backup codes shown once) → otherwise: challenge (6-digit code or a backup code). Throttling of
wrong codes is built into django-otp devices (delays double after each failure); failures are also
audited and counted per session so the view can end a session that keeps guessing.
"""

from __future__ import annotations

import io
import re
from base64 import b32encode
from binascii import unhexlify

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import User
from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
BACKUP_DEVICE_NAME = "Mã dự phòng"
_TOTP_RE = re.compile(r"^\d{6}$")


def generic_error() -> ValidationFailed:
    return ValidationFailed(_("Mã xác thực không đúng hoặc đã hết hạn."), code="invalid_otp")


def _clean(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


def totp_secret_b32(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app (base32, groups of four)."""
    raw = b32encode(unhexlify(device.key.encode())).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no image request, no script), for the enrolment page."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    img.save(out)
    svg = out.getvalue().decode()
    # Embedded in HTML: no XML declaration, a fixed pixel size, a white quiet zone (readable in
    # dark mode too) and a text alternative. Presentation attributes only: CSP forbids style="".
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg width="220" height="220" role="img" '
                 f'aria-label="{_("Mã QR để thêm vào ứng dụng xác thực")}"', svg, count=1)
    return re.sub(r"(<svg[^>]*>)", r'\1<rect width="100%" height="100%" fill="#ffffff"/>', svg, count=1)


def mfa_enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device to enrol (created on first visit, reused after)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(_("Tài khoản đã đăng ký ứng dụng xác thực."))
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def mfa_enrolment_confirm(*, user: User, token: str, request: HttpRequest | None = None) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a code from the app. Returns the device (to mark the
    session verified) and fresh backup codes, to be shown once."""
    token = _clean(token)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
        )
        if device is None:
            raise Conflict(_("Không có thiết bị nào đang chờ xác nhận. Vui lòng tải lại trang."))
        if not (_TOTP_RE.match(token) and device.verify_token(token)):
            failed = True
        else:
            failed = False
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = _new_backup_codes(user)
            record_event(actor=user, action="user.mfa_enrolled", obj=user, request=request)
    if failed:
        with transaction.atomic():
            record_event(actor=user, action="user.mfa_failed", obj=user, request=request, details={"stage": "enrol"})
        raise generic_error()
    return device, codes


def mfa_verify(*, user: User, token: str, request: HttpRequest | None = None) -> Device:
    """Check a 6-digit TOTP code or a backup code against the user's confirmed devices.

    Returns the device that accepted it; raises the generic error otherwise. Throttled devices
    refuse even a right code until their delay has passed.
    """
    token = _clean(token)
    device: Device | None = None
    if token:
        with transaction.atomic():
            if _TOTP_RE.match(token):
                candidates = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            else:
                candidates = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            for candidate in candidates:
                if candidate.verify_token(token):
                    device = candidate
                    break
            if device is not None:
                record_event(actor=user, action="user.mfa_verified", obj=user, request=request,
                             details={"method": "backup_code" if isinstance(device, StaticDevice) else "totp"})
    if device is None:
        with transaction.atomic():
            record_event(actor=user, action="user.mfa_failed", obj=user, request=request,
                         details={"stage": "challenge"})
        raise generic_error()
    return device


def mfa_backup_codes_regenerate(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """New backup codes (the old ones stop working). Only for a user with a confirmed TOTP device."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(_("Vui lòng đăng ký ứng dụng xác thực trước."))
    with transaction.atomic():
        codes = _new_backup_codes(user)
        record_event(actor=user, action="user.mfa_backup_codes_regenerated", obj=user, request=request)
    return codes


def mfa_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Remove every OTP device of ``user`` (lost phone), so they enrol again at next login.
    Only a system admin may do it, never on their own account."""
    if not actor.is_superuser or actor.pk == user.pk:
        raise NotAllowed(_("Chỉ quản trị hệ thống được đặt lại xác thực hai lớp cho người khác."))
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        record_event(actor=actor, action="user.mfa_reset", obj=user, request=request)
    return removed
