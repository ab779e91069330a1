"""Permission matrices (tests/matrix.py) for the orgs API and membership services."""

import pytest

from tests.factories import MembershipFactory, OfficialFactory
from tests.matrix import assert_matrix, service_status, snapshot
from tinhso.audit.models import AuditEvent
from tinhso.orgs import services
from tinhso.orgs.models import Membership

pytestmark = pytest.mark.django_db


def test_actors_fixture_shape(actors):
    assert actors.names() == list(actors.NAMES)
    assert actors.anonymous.user is None
    assert actors.citizen_a.user != actors.citizen_b.user
    assert actors.official_with_role.membership.agency == actors.agency
    assert actors.official_other_agency.membership.agency == actors.other_agency
    assert actors.official_with_role.membership.role.code == actors.role_code == "clerk"


def test_my_memberships_matrix(actors):
    """Anyone logged in may read their own memberships; each sees only their own."""
    seen = {}

    def request(actor):
        response = actor.client.get("/api/v1/orgs/me/memberships")
        if response.status_code == 200:
            seen[actor.name] = [m["agency"]["public_id"] for m in response.json()]
        return response

    assert_matrix(
        actors,
        request,
        {"anonymous": 401, "citizen_a": 200, "citizen_b": 200, "official_other_agency": 200,
         "official_with_role": 200},
        unchanged=snapshot(Membership),
    )
    assert seen["citizen_a"] == seen["citizen_b"] == []
    assert seen["official_with_role"] == [str(actors.agency.public_id)]
    assert seen["official_other_agency"] == [str(actors.other_agency.public_id)]


@pytest.mark.parametrize("actors_role", ["agency_admin"])
def test_membership_grant_service_matrix(actors):
    """Only an agency admin of the agency may grant; denials store nothing (not even audit)."""
    def grant(actor):
        return service_status(lambda: services.membership_grant(
            actor=actor.user, user=OfficialFactory(), agency=actors.agency, role_code="specialist",
        ))

    assert_matrix(
        actors,
        grant,
        {"anonymous": 403, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 403,
         "official_with_role": 200},
        unchanged=snapshot(Membership.objects.filter(role__code="specialist"), AuditEvent),
    )
    assert Membership.objects.filter(agency=actors.agency, role__code="specialist").count() == 1


@pytest.mark.parametrize("actors_role", ["agency_admin"])
def test_membership_grant_api_matrix(actors):
    target = OfficialFactory()
    url = f"/api/v1/orgs/agencies/{actors.agency.public_id}/memberships"
    payload = {"user": str(target.public_id), "role": "leader"}

    assert_matrix(
        actors,
        lambda actor: actor.client.post(url, payload, content_type="application/json"),
        {"anonymous": 401, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 403,
         "official_with_role": 201},
        unchanged=snapshot(Membership, AuditEvent),
    )
    m = Membership.objects.get(user=target)
    assert (m.agency, m.role.code, m.granted_by) == (actors.agency, "leader", actors.official_with_role.user)


@pytest.mark.parametrize("actors_role", ["agency_admin"])
def test_membership_revoke_api_matrix(actors):
    membership = MembershipFactory(agency=actors.agency)
    url = f"/api/v1/orgs/memberships/{membership.public_id}/revoke"

    assert_matrix(
        actors,
        lambda actor: actor.client.post(url),
        {"anonymous": 401, "citizen_a": 403, "citizen_b": 403, "official_other_agency": 403,
         "official_with_role": 200},
        unchanged=snapshot(Membership, AuditEvent),
    )
    membership.refresh_from_db()
    assert not membership.is_active


@pytest.mark.parametrize("actors_role", ["agency_admin"])
def test_grant_api_bad_input_is_422_and_stores_nothing(actors):
    client = actors.official_with_role.client
    url = f"/api/v1/orgs/agencies/{actors.agency.public_id}/memberships"
    before = snapshot(Membership, AuditEvent)()
    cases = [
        ({"user": "00000000-0000-0000-0000-000000000000", "role": "clerk"}, "user"),
        ({"user": str(OfficialFactory().public_id), "role": "nope"}, "role"),
        ({"user": str(OfficialFactory().public_id), "role": "clerk", "unit": "khong-co"}, "unit"),
        ({"user": str(OfficialFactory().public_id), "role": "clerk", "valid_until": "2001-01-01"}, "valid_until"),
    ]
    for payload, field in cases:
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 422, payload
        assert field in response.json()["error"]["details"], payload
    assert client.post(url, {"role": "clerk"}, content_type="application/json").status_code == 422
    assert snapshot(Membership, AuditEvent)() == before


@pytest.mark.parametrize("actors_role", ["agency_admin"])
def test_grant_twice_over_the_api_is_409(actors):
    client = actors.official_with_role.client
    url = f"/api/v1/orgs/agencies/{actors.agency.public_id}/memberships"
    payload = {"user": str(OfficialFactory().public_id), "role": "clerk"}
    assert client.post(url, payload, content_type="application/json").status_code == 201
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_assert_matrix_reports_incomplete_and_wrong_expectations(actors):
    with pytest.raises(AssertionError, match="matrix incomplete"):
        assert_matrix(actors, lambda actor: 200, {"anonymous": 200})
    with pytest.raises(AssertionError, match="citizen_a: expected 403, got 200"):
        assert_matrix(actors, lambda actor: 200, dict.fromkeys(actors.names(), 200) | {"citizen_a": 403})
    with pytest.raises(AssertionError, match="denied .* but stored data changed"):
        def leaky(actor):
            MembershipFactory()
            return 403

        assert_matrix(actors, leaky, dict.fromkeys(actors.names(), 403), unchanged=snapshot(Membership))
