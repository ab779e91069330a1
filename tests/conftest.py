"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Private files of each test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


# --- shared fixtures of the geo/orgs building blocks (see tests/factories.py, tests/matrix.py) ---


@pytest.fixture
def agency(db):
    """A provincial department (synthetic province and code)."""
    from tests.factories import AgencyFactory

    return AgencyFactory()


@pytest.fixture
def actors_role():
    """The role ``actors.official_with_role`` holds; override in a module, or parametrize:
    ``@pytest.mark.parametrize("actors_role", ["leader"])``."""
    return "clerk"


@pytest.fixture
def actors(db, agency, actors_role):
    """anonymous, citizen_a, citizen_b, official_other_agency, official_with_role around ``agency``
    (see tests/matrix.py)."""
    from tests.matrix import build_actors

    return build_actors(agency=agency, role_code=actors_role)


@pytest.fixture
def province_96(db):
    """Cà Mau (96) and its 64 communes/wards, loaded through ``geo.services.load_province``
    (a few bulk queries, so function scope stays fast and every test gets a clean database)."""
    from tinhso.geo.services import load_province

    return load_province(province_code=96).province


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: the database is rolled back after each test, and
    cached reads (commune lists, procedures, tracking answers) must not outlive it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
