"""Public API of administrative units."""

import pytest

from tinhso.geo import selectors
from tinhso.geo.models import AdminUnit

pytestmark = pytest.mark.django_db

BASE = "/api/v1/geo"


def test_list_communes_of_the_province_is_public_and_paginated(client, province_96, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}/units", {"level": "commune", "parent": "96", "limit": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 64
    assert len(body["items"]) == 10
    first = body["items"][0]
    assert set(first) >= {"code", "level", "kind", "name", "full_name", "parent_code", "is_demo"}
    assert first["parent_code"] == "96"

    codes = [u["code"] for u in body["items"]]
    page2 = client.get(f"{BASE}/units", {"level": "commune", "parent": "96", "limit": 10, "offset": 10}).json()
    assert not set(codes) & {u["code"] for u in page2["items"]}


def test_list_filters_by_level(client, province_96):
    body = client.get(f"{BASE}/units", {"level": "province"}).json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "code": "96", "level": "province", "kind": "tỉnh", "name": "Cà Mau", "full_name": "Tỉnh Cà Mau",
        "parent_code": None, "is_demo": False,
    }


@pytest.mark.parametrize("q", ["an xuyen", "An Xuyên", "AN XUYEN", "phuong an xuy"])
def test_name_query_ignores_diacritics_and_case(client, province_96, q):
    body = client.get(f"{BASE}/units", {"q": q}).json()
    assert [u["full_name"] for u in body["items"]] == ["Phường An Xuyên"]


def test_dam_doi_found_without_d_stroke(client, province_96):
    body = client.get(f"{BASE}/units", {"q": "dam doi"}).json()
    assert "Xã Đầm Dơi" in [u["full_name"] for u in body["items"]]


def test_invalid_level_is_a_422_in_the_error_shape(client, province_96):
    response = client.get(f"{BASE}/units", {"level": "district"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_invalid_limit_is_rejected(client, province_96):
    assert client.get(f"{BASE}/units", {"limit": 0}).status_code == 422


def test_get_one_unit(client, province_96):
    response = client.get(f"{BASE}/units/32002")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Phường An Xuyên"


def test_unknown_unit_is_404_with_the_error_shape(client, province_96):
    response = client.get(f"{BASE}/units/99999")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unit_not_found"
    assert "99999" in error["message"]


def test_children_of_province_and_of_commune(client, province_96):
    body = client.get(f"{BASE}/units/96/children", {"limit": 100}).json()
    assert body["count"] == 64
    assert {u["kind"] for u in body["items"]} == {"phường", "xã"}

    from tinhso.geo.services import demo_hamlets_load

    demo_hamlets_load(province=province_96, communes=2, per_commune=3)
    ward = selectors.communes(province=province_96).filter(kind="phường").first()
    body = client.get(f"{BASE}/units/{ward.code}/children").json()
    assert [u["name"] for u in body["items"]] == ["Khóm 1", "Khóm 2", "Khóm 3"]
    assert all(u["is_demo"] and u["level"] == "hamlet" for u in body["items"])
    assert client.get(f"{BASE}/units/00000/children").status_code == 404


def test_inactive_units_are_hidden(client, province_96):
    AdminUnit.objects.filter(code="32002").update(is_active=False)
    assert client.get(f"{BASE}/units", {"level": "commune"}).json()["count"] == 63


def test_openapi_documents_the_geo_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/geo/units" in spec["paths"]
    assert "/api/v1/geo/units/{code}/children" in spec["paths"]
    assert "AdminUnitOut" in spec["components"]["schemas"]
    assert not spec["paths"]["/api/v1/geo/units"]["get"].get("security")


def test_unfiltered_list_is_top_down(client, province_96):
    items = client.get(f"{BASE}/units", {"limit": 2}).json()["items"]
    assert [u["level"] for u in items] == ["province", "commune"]
