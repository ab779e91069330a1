"""GET /files/<uuid>/: owner, superuser and policy-granted users only; safe headers."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import NotFound
from tinhso.files import access
from tinhso.files.selectors import file_get_for_download
from tinhso.files.services import file_delete, file_upload

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf_file(owner):
    return file_upload(owner=owner, uploaded=SimpleUploadedFile("Đơn xin \"phép\".pdf", samples.pdf()),
                       purpose="dossier_document")


@pytest.fixture
def docx_file(owner):
    return file_upload(owner=owner, uploaded=SimpleUploadedFile("Tờ trình.docx", samples.docx()), purpose="general")


def url(file, **query):
    base = reverse("files:download", kwargs={"public_id": file.public_id})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_owner_downloads_with_safe_headers(client, owner, pdf_file):
    client.force_login(owner)
    response = client.get(url(pdf_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(samples.pdf()))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Don xin phep.pdf\"; "
        "filename*=UTF-8''%C4%90%C6%A1n%20xin%20ph%C3%A9p.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    event = AuditEvent.objects.get(action="file.download")
    assert event.actor == owner and event.object_id == str(pdf_file.pk)


def test_inline_only_for_pdf_and_images(client, owner, pdf_file, docx_file):
    client.force_login(owner)
    response = client.get(url(pdf_file, inline=1))
    assert response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Security-Policy"] == "sandbox"
    response = client.get(url(docx_file, inline=1))
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_other_user_gets_404_and_nothing_is_logged(client, make_user, pdf_file):
    client.force_login(make_user())
    response = client.get(url(pdf_file))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="file.download").exists()


def test_unknown_and_existing_but_forbidden_look_the_same(client, make_user, pdf_file):
    client.force_login(make_user())
    forbidden = client.get(url(pdf_file))
    missing = client.get(reverse("files:download", kwargs={"public_id": uuid.uuid4()}))
    assert forbidden.status_code == missing.status_code == 404


def test_anonymous_is_sent_to_login(client, pdf_file):
    response = client.get(url(pdf_file))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]
    assert not AuditEvent.objects.filter(action="file.download").exists()


def test_policy_of_the_purpose_grants_access(client, make_user, pdf_file):
    clerk = make_user()
    stranger = make_user()

    def clerks_may_read(user, file):
        return user.pk == clerk.pk

    access.register_policy("dossier_document", clerks_may_read)
    try:
        client.force_login(clerk)
        assert client.get(url(pdf_file)).status_code == 200
        client.force_login(stranger)
        assert client.get(url(pdf_file)).status_code == 404
    finally:
        access.unregister_policy("dossier_document", clerks_may_read)
    client.force_login(clerk)
    assert client.get(url(pdf_file)).status_code == 404


def test_policy_of_another_purpose_does_not_apply(client, make_user, docx_file):
    reader = make_user()

    def everyone(user, file):
        return True

    access.register_policy("dossier_document", everyone)
    try:
        client.force_login(reader)
        assert client.get(url(docx_file)).status_code == 404
    finally:
        access.unregister_policy("dossier_document", everyone)


def test_superuser_may_read_any_file(make_user, pdf_file):
    admin = make_user(is_superuser=True, is_staff=True)
    assert file_get_for_download(user=admin, public_id=pdf_file.public_id) == pdf_file


def test_inactive_owner_cannot_read(owner, pdf_file):
    owner.is_active = False
    with pytest.raises(NotFound):
        file_get_for_download(user=owner, public_id=pdf_file.public_id)


@pytest.mark.parametrize("bad", ["not-a-uuid", "", None, 12])
def test_selector_rejects_malformed_ids(owner, bad):
    with pytest.raises(NotFound):
        file_get_for_download(user=owner, public_id=bad)


def test_deleted_file_is_gone(client, owner, pdf_file):
    file_delete(file=pdf_file, actor=owner)
    client.force_login(owner)
    assert client.get(url(pdf_file)).status_code == 404


def test_post_is_not_allowed(client, owner, pdf_file):
    client.force_login(owner)
    assert client.post(url(pdf_file)).status_code == 405


def test_content_disposition_escapes_hostile_names():
    from tinhso.files.views import content_disposition

    header = content_disposition("attachment", 'a"; filename="evil.html\r\nX: y.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2
    assert header.startswith('attachment; filename="a__ filename=_evil.html__X: y.pdf"; filename*=UTF-8\'\'')
