"""System administration of agencies and memberships goes through the services."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import AdminUnitFactory, AgencyFactory, MembershipFactory, OfficialFactory, role
from tests.matrix import login_as
from tinhso.audit.models import AuditEvent
from tinhso.orgs.models import Agency, Membership, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser(email="quantri@tinhso.gov.vn", password="Matkhau@12345",
                                                      full_name="Quản trị")


@pytest.fixture
def admin_client(client, superuser):
    return login_as(client, superuser)


def _inline(prefix="units", rows=()):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def test_admin_creates_an_agency_with_units(admin_client):
    commune = AdminUnitFactory()
    data = {
        "code": "321.45.90.Z99", "name": "Ủy ban nhân dân xã Thử Admin", "short_name": "UBND xã Thử Admin",
        "abbreviation": "UBND", "kind": "peoples_committee", "level": "commune", "admin_unit": commune.pk,
        "parent": "", "email": "", "phone": "", "address": "", "is_active": "on",
        **_inline(rows=[{"code": "mot-cua", "name": "Bộ phận một cửa", "kind": "one_stop", "abbreviation": "",
                         "parent": "", "is_active": "on"}]),
    }
    response = admin_client.post("/admin/orgs/agency/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agency = Agency.objects.get(code="321.45.90.Z99")
    assert agency.name_folded.startswith("uy ban nhan dan xa thu admin")
    assert list(agency.units.values_list("code", "kind")) == [("mot-cua", "one_stop")]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"orgs.agency_created", "orgs.unit_created"} <= actions


def test_admin_form_shows_service_errors_and_stores_nothing(admin_client):
    data = {
        "code": "bad", "name": "Sở Sai", "short_name": "", "abbreviation": "SS", "kind": "department",
        "level": "province", "admin_unit": AdminUnitFactory().pk, "parent": "", "email": "", "phone": "",
        "address": "", "is_active": "on", **_inline(),
    }
    response = admin_client.post("/admin/orgs/agency/add/", data)
    assert response.status_code == 200
    assert "000.00.00.H12" in response.content.decode()  # the code format message
    assert not Agency.objects.filter(name="Sở Sai").exists()


def test_admin_edits_an_agency_through_the_service(admin_client):
    agency = AgencyFactory()
    data = {
        "code": agency.code, "name": "Sở Đổi Tên", "short_name": "", "abbreviation": agency.abbreviation,
        "kind": agency.kind, "level": agency.level, "admin_unit": agency.admin_unit_id, "parent": "",
        "email": "", "phone": "0290 000", "address": "", "is_active": "on", **_inline(),
    }
    response = admin_client.post(f"/admin/orgs/agency/{agency.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agency.refresh_from_db()
    assert (agency.name, agency.phone, agency.name_folded.startswith("so doi ten")) == ("Sở Đổi Tên", "0290 000", True)
    assert AuditEvent.objects.filter(action="orgs.agency_updated").exists()


def test_admin_grants_and_revokes_memberships(admin_client):
    agency, official = AgencyFactory(), OfficialFactory()
    response = admin_client.post("/admin/orgs/membership/add/", {
        "user": official.pk, "agency": agency.pk, "role": role("leader").pk, "unit": "", "position": "",
        "valid_until": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    m = Membership.objects.get(user=official)
    assert m.role.code == "leader" and m.granted_by is not None

    duplicate = admin_client.post("/admin/orgs/membership/add/", {
        "user": official.pk, "agency": agency.pk, "role": role("leader").pk,
    })
    assert duplicate.status_code == 200
    assert Membership.objects.filter(user=official).count() == 1

    admin_client.post("/admin/orgs/membership/", {"action": "revoke_selected", "_selected_action": [m.pk]})
    m.refresh_from_db()
    assert not m.is_active
    assert AuditEvent.objects.filter(action="orgs.membership_revoked").count() == 1


def test_admin_rejects_membership_for_a_citizen(admin_client):
    from tests.factories import UserFactory

    citizen = UserFactory()
    response = admin_client.post("/admin/orgs/membership/add/", {
        "user": citizen.pk, "agency": AgencyFactory().pk, "role": role("clerk").pk,
    })
    assert response.status_code == 200
    assert "Chỉ phân công cho tài khoản cán bộ" in response.content.decode()
    assert not Membership.objects.exists()


def test_staff_without_superuser_cannot_edit(client):
    staff = get_user_model().objects.create_user(email="nv@tinhso.gov.vn", password="Matkhau@12345",
                                                 full_name="Nhân viên", is_staff=True, kind="official")
    login_as(client, staff)
    assert client.get("/admin/orgs/agency/add/").status_code == 403
    agency = MembershipFactory(user=staff, role=role("agency_admin")).agency
    assert client.post(f"/admin/orgs/agency/{agency.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Agency.objects.filter(pk=agency.pk).exists()
    assert not Unit.objects.exists()
