"""The API at /api/v1: OpenAPI, docs without external requests, one error shape everywhere."""

import pytest


@pytest.mark.django_db
def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Tỉnh số API"


@pytest.mark.django_db
def test_docs_page_loads_its_assets_locally(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html


@pytest.mark.django_db
def test_unknown_api_path_uses_the_error_shape(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert body["error"]["message"]


@pytest.mark.django_db
def test_api_requires_authentication_with_the_error_shape(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_validation_errors_use_the_error_shape(client):
    response = client.get("/api/v1/geo/units", {"limit": "not-a-number"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"][0]["loc"]


@pytest.mark.django_db
def test_unknown_object_uses_the_error_shape(client):
    response = client.get("/api/v1/geo/units/99999999")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"].endswith("not_found")
    assert error["message"]
