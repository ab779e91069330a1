import pytest
from django.conf import settings as django_settings


@pytest.fixture
def make_user(db):
    from tinhso.accounts.models import User

    counter = iter(range(1, 10_000))

    def make(**extra):
        n = next(counter)
        extra.setdefault("full_name", f"Người dùng {n}")
        return User.objects.create_user(email=f"files-user{n}@example.vn", password=None, **extra)

    return make


@pytest.fixture
def owner(make_user):
    return make_user()


@pytest.fixture
def media_files():
    """Every file currently under MEDIA_ROOT (the per-test folder from tests/conftest.py)."""
    from pathlib import Path

    def list_files():
        root = Path(django_settings.MEDIA_ROOT)
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return list_files
