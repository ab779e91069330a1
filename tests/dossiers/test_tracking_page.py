"""The public tracking page /tra-cuu/: code + secret, no personal data, rate limit per IP."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.dossiers.test_staff_support import world_fixture  # noqa: F401 - fixture

URL = "/tra-cuu/"
GENERIC = "Không tìm thấy hồ sơ hoặc mã bí mật không đúng."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_form_without_parameters(db):
    response = Client().get(URL)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_right_secret_shows_status_and_history_without_personal_data(world):
    from tinhso.accounts.services import citizen_profile_update

    citizen_profile_update(actor=world.citizen, user=world.citizen, national_id="079123456789",
                           date_of_birth=None, address="Ấp Tân Lợi")
    dossier = world.received()
    response = Client().get(URL, {"code": dossier.code.lower(), "secret": dossier.tracking_secret})
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html and world.procedure.name in html and world.agency.name in html
    assert "Đang xử lý" in html and "Chờ tiếp nhận" in html  # status and the history
    for personal in ("Nguyễn Văn An", world.citizen.phone, world.citizen.email, "079123456789", "6789", "Ấp Tân Lợi",
                     world.clerk.full_name):
        assert personal not in html
    result = html.split('id="result-title"', 1)[1]
    assert dossier.tracking_secret not in result
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]


def test_post_form_works_too(world):
    dossier = world.submit()
    response = Client().post(URL, {"code": dossier.code, "secret": dossier.tracking_secret})
    assert response.status_code == 200 and dossier.code in response.content.decode()


@pytest.mark.parametrize("case", ["wrong_secret", "unknown_code", "draft"])
def test_mismatch_gives_one_generic_answer(world, case):
    dossier = world.submit()
    params = {"code": dossier.code, "secret": "SAI-MA"}
    if case == "unknown_code":
        params = {"code": "000.00.00.H99-260101-9999", "secret": dossier.tracking_secret}
    elif case == "draft":
        dossier.__class__.objects.filter(pk=dossier.pk).update(status="draft")
        params = {"code": dossier.code, "secret": dossier.tracking_secret}
    response = Client().get(URL, params)
    assert response.status_code == 404
    html = response.content.decode()
    assert GENERIC in html and world.procedure.name not in html


def test_missing_secret_is_a_400(db):
    response = Client().get(URL, {"code": "ABC"})
    assert response.status_code == 400


def test_rate_limit_per_ip(world, settings):
    settings.TINHSO_TRACKING_LIMIT = 3
    dossier = world.submit()
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _i in range(3):
        assert client.get(URL, {"code": dossier.code, "secret": "x"}).status_code == 404
    blocked = client.get(URL, {"code": dossier.code, "secret": dossier.tracking_secret})
    assert blocked.status_code == 429
    assert "tra cứu quá nhiều lần" in blocked.content.decode() and 'id="track-status"' not in blocked.content.decode()
    assert blocked["Retry-After"] == "600"
    other_ip = Client(REMOTE_ADDR="203.0.113.8")
    assert other_ip.get(URL, {"code": dossier.code, "secret": dossier.tracking_secret}).status_code == 200
    assert client.get(URL).status_code == 200  # the empty form is not counted nor blocked
