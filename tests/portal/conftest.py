"""Fixtures for the portal tests: the demo province and its agencies, a citizen, an official."""

from __future__ import annotations

import pytest

from tests.matrix import login_as
from tinhso.accounts.models import User, UserKind
from tinhso.geo.models import AdminUnit
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel


@pytest.fixture
def province(province_96) -> AdminUnit:
    """Cà Mau (the default TINHSO_PROVINCE) with its 64 official communes/wards, loaded by the
    geo building block (shared fixture in tests/conftest.py)."""
    return province_96


@pytest.fixture
def agencies(province) -> dict[str, Agency]:
    """The demo apparatus from the orgs building block: provincial People's Committee, its
    office, the departments, and a People's Committee for each of the 64 communes/wards."""
    from tinhso.orgs.services import province_apparatus_load

    province_apparatus_load(province=province)
    provincial = Agency.objects.filter(level=AgencyLevel.PROVINCE)
    return {
        "committee": provincial.get(kind=AgencyKind.PEOPLES_COMMITTEE),
        "office": provincial.get(kind=AgencyKind.OFFICE),
        "department": provincial.filter(kind=AgencyKind.DEPARTMENT).order_by("code").first(),
    }


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser(email="quantri@example.vn", password="mat-khau-dai-123", full_name="Quản trị")


@pytest.fixture
def citizen(db) -> User:
    return User.objects.create_user(email="dan@example.vn", password="mat-khau-dai-123", full_name="Nguyễn Văn Dân")


@pytest.fixture
def official(agencies, admin_user) -> User:
    from tinhso.orgs.services import membership_grant

    user = User.objects.create_user(
        email="canbo@example.vn", password="mat-khau-dai-123", full_name="Trần Thị Cán Bộ", kind=UserKind.OFFICIAL
    )
    membership_grant(actor=admin_user, user=user, agency=agencies["department"], role_code="specialist")
    return user


def login_verified(client, user: User) -> None:
    """Log in with an OTP-verified session (officials need MFA to pass the accounts middleware)."""
    login_as(client, user, mfa=True)
