"""GET /api/v1/search: public, public documents only, never a 500 on user input."""

from __future__ import annotations

import pytest

from tinhso.search.services import search_index

from .conftest import thing

pytestmark = pytest.mark.django_db
URL = "/api/v1/search"


@pytest.fixture
def docs(db):
    search_index(obj=thing(), kind="procedure", title="Đăng ký khai sinh", body="Giấy khai sinh", url="/tt/1")
    search_index(obj=thing(), kind="agency", title="Sở Tư pháp", body="Hộ tịch, khai sinh", url="/cq/1")
    search_index(obj=thing(), kind="dossier", title="Hồ sơ khai sinh riêng", is_public=False, scope="000.00.01.H12")


def test_public_search(client, docs):
    response = client.get(URL, {"q": "khai sinh"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert [h["title"] for h in body["hits"]] == ["Đăng ký khai sinh", "Sở Tư pháp"]
    assert set(body["hits"][0]) == {"kind", "title", "url", "snippet", "score", "object_id"}


def test_kind_filter_repeated_or_comma_separated(client, docs):
    assert client.get(URL, {"q": "khai sinh", "kind": "agency"}).json()["total"] == 1
    assert client.get(URL + "?q=khai+sinh&kind=agency&kind=procedure").json()["total"] == 2
    assert client.get(URL, {"q": "khai sinh", "kind": "agency,procedure"}).json()["total"] == 2
    assert client.get(URL, {"q": "khai sinh", "kind": "dossier"}).json()["total"] == 0


def test_signed_in_users_still_get_public_documents_only(client, docs, superuser):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=superuser, name="test", confirmed=True)
    client.force_login(superuser)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get(URL, {"q": "ho so khai sinh rieng"}).json()["total"] == 0


def test_limit_and_offset(client, docs):
    body = client.get(URL, {"q": "khai", "limit": 1, "offset": 1}).json()
    assert body["total"] == 2 and len(body["hits"]) == 1 and body["limit"] == 1
    assert client.get(URL, {"q": "khai", "limit": 1000}).json()["limit"] == 50


@pytest.mark.parametrize("q", ['"', "(", "NEAR", "*", "'; DROP TABLE search_searchdocument; --", "x" * 10_000, ""])
def test_hostile_queries_are_answered(client, docs, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200


def test_bad_numbers_are_422(client, docs):
    response = client.get(URL, {"q": "khai", "limit": "abc"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
