"""National IDs entered in a dossier's form are masked on the staff page; an official in scope
may reveal them once (audited); nobody else can."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.dossiers.test_staff_support import pdf_upload, world_fixture  # noqa: F401 - fixture
from tests.factories import UserFactory
from tests.matrix import login_as
from tinhso.audit.models import AuditEvent
from tinhso.dossiers import services

NATIONAL_ID = "079123456789"
SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên người được khai sinh"},
        "so_dinh_danh_me": {"type": "string", "title": "Số định danh cá nhân của mẹ", "x-widget": "national_id"},
    },
    "required": ["ho_ten"],
}


@pytest.fixture
def dossier(world):
    world.procedure.form_schema = SCHEMA
    world.procedure.save(update_fields=["form_schema"])
    return services.dossier_create_and_submit(
        applicant=world.citizen, procedure=world.procedure, agency=world.agency,
        form_data={"ho_ten": "Nguyễn Văn An", "so_dinh_danh_me": NATIONAL_ID},
        uploads={"to-khai": pdf_upload()}, idempotency_key=None,
    )


def _reveals():
    return AuditEvent.objects.filter(action="dossier.reveal_national_id")


def test_national_id_in_the_form_is_masked_by_default(world, dossier):
    html = login_as(Client(), world.clerk).get(f"/staff/dossiers/{dossier.public_id}/").content.decode()
    assert NATIONAL_ID not in html
    assert "0791****6789" in html and 'data-masked="national_id"' in html
    assert 'id="reveal-national-id"' in html and "Số định danh cá nhân của mẹ" in html
    assert not _reveals().exists()


def test_reveal_shows_the_full_value_once_and_is_audited(world, dossier):
    client = login_as(Client(), world.specialist)  # any official in scope, not only the clerk
    url = f"/staff/dossiers/{dossier.public_id}/hien-so-dinh-danh/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert NATIONAL_ID in response.content.decode()
    event = _reveals().get()
    assert event.object_id == str(dossier.pk) and event.details["fields"] == ["so_dinh_danh_me"]
    assert NATIONAL_ID not in str(event.details)
    again = client.get(f"/staff/dossiers/{dossier.public_id}/").content.decode()
    assert NATIONAL_ID not in again


def test_others_cannot_reveal(world, dossier):
    url = f"/staff/dossiers/{dossier.public_id}/hien-so-dinh-danh/"
    other_agency = login_as(Client(), world.other_clerk).post(url)
    assert other_agency.status_code == 404 and NATIONAL_ID not in other_agency.content.decode()
    citizen_b = login_as(Client(), UserFactory(), mfa=False).post(url)
    assert citizen_b.status_code == 403 and NATIONAL_ID not in citizen_b.content.decode()
    assert Client().post(url).status_code == 302
    assert not _reveals().exists()


def test_reveal_without_a_national_id_in_the_form_changes_nothing(world):
    plain = world.submit()
    response = login_as(Client(), world.clerk).post(f"/staff/dossiers/{plain.public_id}/hien-so-dinh-danh/")
    assert response.status_code == 302 and response["Location"] == f"/staff/dossiers/{plain.public_id}/"
    assert not _reveals().exists()


def test_staff_api_masks_national_ids_in_the_form(world, dossier):
    client = login_as(Client(), world.clerk)
    response = client.get(f"/api/v1/dossiers/staff/{dossier.public_id}")
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert NATIONAL_ID not in body
    assert response.json()["form_data"]["so_dinh_danh_me"] == "0791****6789"


def test_applicant_api_shows_their_own_form_unmasked(world, dossier):
    response = login_as(Client(), world.citizen, mfa=False).get(f"/api/v1/dossiers/{dossier.public_id}")
    assert response.status_code == 200
    assert response.json()["form_data"]["so_dinh_danh_me"] == NATIONAL_ID
