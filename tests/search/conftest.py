"""Fixtures of the search tests: plain objects to index (roles), users and an agency."""

from __future__ import annotations

import itertools

import pytest

from tinhso.accounts.models import Role, User

_seq = itertools.count(1)


def thing(name: str = "") -> Role:
    """Any saved model instance will do as the object a document points to."""
    n = next(_seq)
    return Role.objects.create(code=f"search-test-{n}", name=name or f"vai trò {n}")


@pytest.fixture
def make_thing(db):
    return thing


@pytest.fixture
def agency(db):
    from tinhso.geo.models import AdminUnit
    from tinhso.orgs.models import Agency

    province = AdminUnit.objects.create(code="96", level="province", kind="tỉnh", name="Cà Mau", full_name="Tỉnh Cà Mau")
    return Agency.objects.create(
        code="000.00.01.H12", name="Sở Tư pháp", kind="department", level="province", admin_unit=province
    )


@pytest.fixture
def member(agency) -> User:
    from tinhso.orgs.models import Membership

    user = User.objects.create_user(email="chuyenvien@example.vn", full_name="Chuyên viên", kind="official")
    Membership.objects.create(user=user, agency=agency, role=Role.objects.get_or_create(code="search-test-role", defaults={"name": "Chuyên viên"})[0])
    return user


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user(email="khac@example.vn", full_name="Người khác")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(email="root@example.vn", password="mat-khau-dai-123", full_name="Quản trị")
