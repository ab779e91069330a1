"""Administrators add hamlets in the Django admin; the service validates and audits."""

import pytest
from django.contrib.auth import get_user_model

from tests.matrix import login_as
from tinhso.audit.models import AuditEvent
from tinhso.geo.models import AdminUnit, Level

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/geo/adminunit/add/"


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(email="quantri@tinhso.gov.vn", password="Matkhau@12345",
                                                      full_name="Quản trị")
    return login_as(client, user)


def test_admin_adds_a_hamlet(admin_client, province_96):
    commune = AdminUnit.objects.get(code="32152")
    response = admin_client.post(ADD_URL, {
        "code": "32152-07", "level": "hamlet", "kind": "Ấp", "name": "Ấp Tân Long", "full_name": "",
        "parent": commune.pk, "is_active": "on",
    })
    assert response.status_code == 302, response.content[:2000]
    hamlet = AdminUnit.objects.get(code="32152-07")
    assert hamlet.kind == "ấp"
    assert hamlet.full_name == "Ấp Tân Long, Xã Đầm Dơi"
    assert hamlet.name_folded == "ap tan long, xa dam doi"
    assert AuditEvent.objects.filter(action="geo.unit_created", object_id=str(hamlet.pk)).exists()


def test_admin_rejects_a_hamlet_under_a_province(admin_client, province_96):
    response = admin_client.post(ADD_URL, {
        "code": "96-01", "level": "hamlet", "kind": "ấp", "name": "Ấp Sai", "parent": province_96.pk,
        "is_active": "on",
    })
    assert response.status_code == 200
    assert "Đơn vị cấp trên phải là đơn vị cấp" in response.content.decode()
    assert not AdminUnit.objects.filter(level=Level.HAMLET).exists()


def test_admin_search_ignores_diacritics(admin_client, province_96):
    response = admin_client.get("/admin/geo/adminunit/", {"q": "dam doi"})
    assert response.status_code == 200
    assert "Xã Đầm Dơi" in response.content.decode()


def test_units_cannot_be_deleted_in_admin(admin_client, province_96):
    unit = AdminUnit.objects.get(code="32002")
    assert admin_client.post(f"/admin/geo/adminunit/{unit.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AdminUnit.objects.filter(pk=unit.pk).exists()
