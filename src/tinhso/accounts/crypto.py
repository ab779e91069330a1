"""Personal identifiers protected at rest: Fernet encryption plus a keyed blind index.

* ``encrypt`` / ``decrypt``: Fernet (AES-128-CBC + HMAC-SHA256), a fresh IV per value, so equal
  plaintexts give different ciphertexts and a database dump reveals nothing.
* ``blind_index``: HMAC-SHA256 of the normalised value under a separate key. Deterministic, so a
  unique index and equality look-ups work, but without the key it cannot be reversed or brute-forced
  offline (a 12-digit national ID has only 10^12 values: a plain hash would be).

Both keys are derived with HKDF from ``settings.TINHSO_FIELD_KEY`` or, when that is empty, from
``SECRET_KEY``. Set ``TINHSO_FIELD_KEY`` in production so that rotating ``SECRET_KEY`` does not make
stored identifiers unreadable. ``TINHSO_FIELD_OLD_KEYS`` (a list) lets old values still be read
while they are re-encrypted under a new key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class DecryptionFailed(Exception):
    """A stored value could not be decrypted with any configured key."""


def _derive(master: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tinhso", info=info).derive(master.encode())


def _master() -> str:
    return getattr(settings, "TINHSO_FIELD_KEY", "") or settings.SECRET_KEY


@lru_cache(maxsize=8)
def _fernet_for(masters: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(_derive(m, b"tinhso field encryption v1"))) for m in masters]
    )


@lru_cache(maxsize=8)
def _index_key_for(master: str) -> bytes:
    return _derive(master, b"tinhso blind index v1")


def _fernet() -> MultiFernet:
    old = tuple(getattr(settings, "TINHSO_FIELD_OLD_KEYS", ()) or ())
    return _fernet_for((_master(), *old))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise DecryptionFailed("stored value cannot be decrypted with the configured keys") from exc


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed, deterministic digest of ``value`` for uniqueness and look-ups (64 hex chars)."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(_index_key_for(_master()), message, hashlib.sha256).hexdigest()


def mask_identifier(value: str | None, *, keep_start: int = 4, keep_end: int = 4) -> str:
    """``079012341234`` → ``0790****1234``; short values are masked entirely."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return f"{value[:keep_start]}{'*' * (len(value) - keep_start - keep_end)}{value[-keep_end:]}"
