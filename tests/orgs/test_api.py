"""The agency directory API and the current user's memberships."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    OfficialFactory,
    PositionFactory,
    UnitFactory,
    role,
)
from tests.matrix import login_as
from tinhso.orgs import services

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs"


@pytest.fixture
def apparatus(province_96):
    return services.province_apparatus_load(province=province_96)


def test_directory_is_public_paginated_and_filtered(client, apparatus, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}/agencies", {"limit": 20})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 16 + 64
    assert len(body["items"]) == 20
    assert body["items"][0]["code"] == "000.00.00.H12"  # province level first, by code
    assert body["items"][0]["admin_unit_code"] == "96"

    communes = client.get(f"{BASE}/agencies", {"level": "commune", "limit": 100}).json()
    assert communes["count"] == 64
    departments = client.get(f"{BASE}/agencies", {"kind": "department"}).json()
    assert {a["abbreviation"] for a in departments["items"]} >= {"SNV", "STC", "SYT", "SGDĐT"}
    found = client.get(f"{BASE}/agencies", {"q": "an xuyen"}).json()
    assert [a["name"] for a in found["items"]] == ["Ủy ban nhân dân phường An Xuyên"]
    by_unit = client.get(f"{BASE}/agencies", {"admin_unit": "32152"}).json()
    assert [a["short_name"] for a in by_unit["items"]] == ["UBND xã Đầm Dơi"]
    assert by_unit["items"][0]["parent"]["code"] == "000.00.00.H12"


@pytest.mark.parametrize("params", [{"level": "district"}, {"kind": "ministry"}, {"limit": 0}, {"offset": -1}])
def test_bad_filters_are_422(client, params):
    response = client.get(f"{BASE}/agencies", params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_agency_detail_with_units(client, apparatus):
    from tinhso.orgs.models import Agency

    agency = Agency.objects.get(admin_unit__code="32002")
    response = client.get(f"{BASE}/agencies/{agency.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "002.32.90.H12"
    assert {u["name"] for u in body["units"]} >= {"Bộ phận một cửa", "Văn phòng HĐND và UBND"}
    assert {u["kind"] for u in body["units"]} >= {"one_stop", "office"}


def test_unknown_or_closed_agency_is_404(client):
    import uuid

    assert client.get(f"{BASE}/agencies/{uuid.uuid4()}").json()["error"]["code"] == "agency_not_found"
    closed = AgencyFactory(is_active=False)
    assert client.get(f"{BASE}/agencies/{closed.public_id}").status_code == 404
    assert client.get(f"{BASE}/agencies/not-a-uuid").status_code == 422


def test_my_memberships(client):
    official = OfficialFactory()
    unit_m = MembershipFactory(user=official, role=role("clerk"))
    unit = UnitFactory(agency=unit_m.agency, kind="one_stop", name="Bộ phận một cửa")
    unit_m.unit, unit_m.position = unit, PositionFactory()
    unit_m.save()
    revoked = MembershipFactory(user=official, is_active=False)
    MembershipFactory()  # someone else's
    login_as(client, official)

    response = client.get(f"{BASE}/me/memberships")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 1
    assert body[0]["public_id"] == str(unit_m.public_id)
    assert body[0]["role"] == {"code": "clerk", "name": unit_m.role.name}
    assert body[0]["unit"]["kind"] == "one_stop"
    assert body[0]["position"]["name"] == "Chuyên viên"
    assert body[0]["is_current"] is True
    everything = client.get(f"{BASE}/me/memberships", {"include_inactive": "true"}).json()
    assert {m["public_id"]: m["is_current"] for m in everything} == {
        str(unit_m.public_id): True, str(revoked.public_id): False,
    }


def test_expired_membership_is_not_current(client):
    official = OfficialFactory()
    MembershipFactory(user=official, valid_until=timezone.localdate() - dt.timedelta(days=1))
    login_as(client, official)
    assert client.get(f"{BASE}/me/memberships").json() == []
    assert client.get(f"{BASE}/me/memberships", {"include_inactive": 1}).json()[0]["is_current"] is False


def test_openapi_documents_the_orgs_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/orgs/agencies", "/api/v1/orgs/agencies/{public_id}", "/api/v1/orgs/me/memberships",
                 "/api/v1/orgs/agencies/{public_id}/memberships", "/api/v1/orgs/memberships/{public_id}/revoke"):
        assert path in spec["paths"], path
    assert not spec["paths"]["/api/v1/orgs/agencies"]["get"].get("security")
    assert spec["paths"]["/api/v1/orgs/me/memberships"]["get"].get("security")
