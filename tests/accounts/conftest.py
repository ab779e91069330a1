"""Fixtures of the accounts tests: people of each kind, TOTP helpers, a logged-in client."""

from __future__ import annotations

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, AgencyFactory, MembershipFactory, OfficialFactory, UserFactory, role


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(db):
    return UserFactory(phone="0912345678", email="nguyen.an@example.vn")


@pytest.fixture
def official(db):
    """An official with a membership (so the staff workspace opens once MFA is passed)."""
    user = OfficialFactory(email="canbo.xa@tinhso.gov.vn", phone="0887654321")
    MembershipFactory(user=user, agency=AgencyFactory(), role=role("clerk"))
    return user


@pytest.fixture
def official_device(official):
    return TOTPDevice.objects.create(user=official, name="App", confirmed=True)


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for ``device`` (computed with pyotp)."""
    import base64
    from binascii import unhexlify

    secret = base64.b32encode(unhexlify(device.key)).decode()
    return pyotp.TOTP(secret).now()


def login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


__all__ = ["PASSWORD", "code_for", "login"]
