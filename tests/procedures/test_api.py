import pytest

pytestmark = pytest.mark.django_db


def test_list_search_and_filters(client, demo_catalogue):
    data = client.get("/api/v1/procedures", {"q": "giay khai sinh"}).json()
    assert data["items"][0]["code"] == "1.001193" and data["count"] >= 1
    data = client.get("/api/v1/procedures", {"level": "province"}).json()
    assert data["count"] == 5 and all(i["implementing_level"] == "province" for i in data["items"])
    data = client.get("/api/v1/procedures", {"field": "ho-tich", "page": 1}).json()
    assert {i["field"]["code"] for i in data["items"]} == {"ho-tich"}
    response = client.get("/api/v1/procedures", {"level": "nonsense"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


def test_detail(client, demo_catalogue):
    data = client.get("/api/v1/procedures/1.001193").json()
    assert data["name"] == "Đăng ký khai sinh"
    assert data["form_schema"]["properties"]["ho_ten_tre"]["title"]
    assert data["total_fee"] == 0  # registration is free; paper copies are charged per copy
    copies = next(f for f in data["fees"] if f["quantity_field"])
    assert copies["quantity_field"] == "so_ban_sao" and copies["amount"] == 8000
    assert [s["role_code"] for s in data["steps"]] == ["clerk", "specialist", "leader"]
    assert sum(s["days"] for s in data["steps"]) == data["processing_days"]
    assert data["documents"][1]["code"] == "giay-chung-sinh"
    data = client.get("/api/v1/procedures/2.000488").json()
    assert data["agencies"][0]["name"].startswith("Sở Tư pháp")


def test_unknown_is_404_in_the_error_shape(client, db):
    response = client.get("/api/v1/procedures/khong-co")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "procedure_not_found"


def test_fields(client, demo_catalogue):
    data = client.get("/api/v1/procedure-fields").json()
    assert {"code": "ho-tich", "name": "Hộ tịch"} in data


def test_in_openapi(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/procedures" in paths and "/api/v1/procedures/{code}" in paths
