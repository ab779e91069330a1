"""Vietnamese mobile numbers: one canonical form ``0xxxxxxxxx`` for storage and login.

People type the same number many ways: ``+84 912 345 678``, ``84912345678``, ``0912.345.678``,
``(+84) 912-345-678``. All of them are stored and looked up as ``0912345678``.
"""

from __future__ import annotations

import re

# Mobile prefixes in use since the 2018 renumbering (10 digits, leading 0):
# 03x Viettel, 05x Vietnamobile/Gmobile/Reddi, 07x MobiFone, 08x VinaPhone/Viettel/MobiFone/Itel,
# 09x all networks.
MOBILE_RE = re.compile(r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9\d)\d{7}$")
_SEPARATORS_RE = re.compile(r"[\s.\-()/]")


class InvalidPhone(ValueError):
    """The text is not a Vietnamese mobile number."""


def normalize_phone(value: str) -> str:
    """Return the canonical ``0xxxxxxxxx`` form, or raise ``InvalidPhone``."""
    text = _SEPARATORS_RE.sub("", str(value or ""))
    if text.startswith("+84"):
        rest = text[3:]
    elif text.startswith("0084"):
        rest = text[4:]
    elif text.startswith("84") and len(text) == 11:
        rest = text[2:]
    else:
        rest = text
    if not rest.isdigit():
        raise InvalidPhone(value)
    if not rest.startswith("0"):
        rest = "0" + rest
    if not MOBILE_RE.match(rest):
        raise InvalidPhone(value)
    return rest


def try_normalize_phone(value: str) -> str | None:
    try:
        return normalize_phone(value)
    except InvalidPhone:
        return None


def looks_like_phone(value: str) -> bool:
    """True when the text has no letters and no '@' — the user meant a phone number."""
    text = str(value or "").strip()
    return bool(text) and "@" not in text and not any(ch.isalpha() for ch in text)


def mask_phone(phone: str | None) -> str:
    """``0912345678`` → ``0912***678``."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:4]}{'*' * (len(phone) - 7)}{phone[-3:]}"


def mask_email(email: str | None) -> str:
    """``nguyen.an@example.vn`` → ``ng***@example.vn``."""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"
