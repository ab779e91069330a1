"""POST /api/v1/files and GET /api/v1/files/{id}."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.files.models import StoredFile

from . import samples

pytestmark = pytest.mark.django_db


def post_file(client, name, content):
    return client.post("/api/v1/files", {"file": SimpleUploadedFile(name, content, content_type="image/png")})


def test_upload_returns_metadata(client, owner, media_files):
    client.force_login(owner)
    response = post_file(client, "Giấy phép.pdf", samples.pdf())
    assert response.status_code == 201, response.content
    body = response.json()
    stored = StoredFile.objects.get()
    assert body["id"] == str(stored.public_id)
    assert body["name"] == "Giấy phép.pdf"
    assert body["size"] == len(samples.pdf())
    assert body["content_type"] == "application/pdf"
    assert stored.owner == owner and stored.purpose == "general"
    assert len(media_files()) == 1


def test_bad_upload_uses_the_error_shape_and_stores_nothing(client, owner, media_files):
    client.force_login(owner)
    response = post_file(client, "thu.pdf", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 415
    assert response.json()["error"] == {
        "code": "unsupported_media_type",
        "message": "Tệp không đúng định dạng cho phép (PDF, JPEG, PNG, DOCX, XLSX).",
        "details": None,
    }
    assert StoredFile.objects.count() == 0 and media_files() == []


def test_too_large_is_413(client, owner, settings, media_files):
    settings.TINHSO_UPLOAD_MAX_BYTES = 100
    client.force_login(owner)
    response = post_file(client, "don.pdf", samples.pdf())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert StoredFile.objects.count() == 0 and media_files() == []


def test_missing_file_field_is_422(client, owner):
    client.force_login(owner)
    response = client.post("/api/v1/files", {})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_anonymous_upload_is_401(client, media_files):
    response = post_file(client, "don.pdf", samples.pdf())
    assert response.status_code == 401
    assert StoredFile.objects.count() == 0 and media_files() == []


def test_metadata_for_owner_only(client, owner, make_user):
    client.force_login(owner)
    file_id = post_file(client, "don.pdf", samples.pdf()).json()["id"]
    response = client.get(f"/api/v1/files/{file_id}")
    assert response.status_code == 200
    assert response.json()["name"] == "don.pdf"
    client.force_login(make_user())
    response = client.get(f"/api/v1/files/{file_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/files/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/files/not-a-uuid").status_code == 404
