"""The official's agency scope: resolved once, filters every query."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.factories import AgencyFactory, MembershipFactory, OfficialFactory, UserFactory, role
from tinhso.core.errors import NotAllowed
from tinhso.orgs import selectors
from tinhso.orgs.models import Agency, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    return OfficialFactory()


def test_scope_lists_agencies_of_current_memberships(official):
    a, b, c = AgencyFactory(), AgencyFactory(), AgencyFactory()
    MembershipFactory(user=official, agency=a, role=role("clerk"))
    MembershipFactory(user=official, agency=b, role=role("leader"))
    MembershipFactory(agency=c, role=role("clerk"))  # someone else

    assert selectors.agency_scope(user=official) == frozenset({a.pk, b.pk})
    assert selectors.agency_scope(user=official, roles=["clerk"]) == frozenset({a.pk})
    assert selectors.agency_scope(user=official, roles=["clerk", "leader"]) == frozenset({a.pk, b.pk})
    assert selectors.agency_scope(user=official, roles="leader") == frozenset({b.pk})
    assert selectors.agency_scope(user=official, roles=[]) == frozenset()


def test_inactive_expired_and_closed_memberships_give_no_scope(official):
    today = timezone.localdate()
    revoked = MembershipFactory(user=official, is_active=False)
    expired = MembershipFactory(user=official, valid_until=today - dt.timedelta(days=1))
    last_day = MembershipFactory(user=official, valid_until=today)
    future = MembershipFactory(user=official, valid_until=today + dt.timedelta(days=30))
    closed_agency = MembershipFactory(user=official, agency=AgencyFactory(is_active=False))

    scope = selectors.agency_scope(user=official)

    assert scope == frozenset({last_day.agency_id, future.agency_id})
    for m in (revoked, expired, closed_agency):
        assert m.agency_id not in scope
        assert not selectors.user_has_role(user=official, agency=m.agency, roles=["clerk"])


def test_deactivated_user_has_no_scope(official):
    m = MembershipFactory(user=official)
    official.is_active = False
    official.save(update_fields=["is_active"])
    assert selectors.agency_scope(user=official) == frozenset()
    assert not selectors.user_has_role(user=official, agency=m.agency, roles=["clerk"])


def test_anonymous_citizen_and_superuser_have_no_implicit_scope(official):
    AgencyFactory()
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser(email="root@tinhso.gov.vn", password="x" * 12, full_name="Root")
    for user in (None, AnonymousUser(), UserFactory(), root):
        assert selectors.agency_scope(user=user) == frozenset()


def test_require_role_returns_membership_or_raises(official):
    m = MembershipFactory(user=official, role=role("leader"))
    assert selectors.require_role(user=official, agency=m.agency, roles=["leader", "clerk"]) == m
    assert selectors.require_role(user=official, agency=m.agency.pk, roles=["leader"]) == m
    with pytest.raises(NotAllowed) as err:
        selectors.require_role(user=official, agency=m.agency, roles=["clerk"])
    assert err.value.message == "Bạn không có quyền thực hiện thao tác này tại cơ quan này."
    with pytest.raises(NotAllowed):
        selectors.require_role(user=official, agency=AgencyFactory(), roles=["leader"])


def test_scope_queryset_filters_by_agency_or_a_path(official):
    mine, other = AgencyFactory(), AgencyFactory()
    MembershipFactory(user=official, agency=mine, role=role("specialist"))
    colleague = MembershipFactory(agency=mine)
    stranger = MembershipFactory(agency=other)

    agencies = selectors.scope_queryset(Agency.objects.all(), user=official, roles=["specialist"], field="pk")
    assert list(agencies) == [mine]
    memberships = selectors.scope_queryset(Membership.objects.all(), user=official, roles=["specialist"])
    assert colleague in memberships and stranger not in memberships
    assert not selectors.scope_queryset(Membership.objects.all(), user=official, roles=["leader"]).exists()
    assert not selectors.scope_queryset(Membership.objects.all(), user=UserFactory(), roles=None).exists()


def test_scope_is_one_query(official, django_assert_num_queries):
    for _ in range(3):
        MembershipFactory(user=official)
    with django_assert_num_queries(1):
        selectors.agency_scope(user=official, roles=["clerk"])


def test_memberships_of(official):
    current = MembershipFactory(user=official)
    revoked = MembershipFactory(user=official, is_active=False)
    assert list(selectors.memberships_of(user=official)) == [current]
    assert set(selectors.memberships_of(user=official, current_only=False)) == {current, revoked}
    assert not selectors.memberships_of(user=AnonymousUser()).exists()


def test_public_agencies_and_agency_get():
    a = AgencyFactory(name="Sở Tư pháp tỉnh Thử", abbreviation="STP")
    AgencyFactory(is_active=False, name="Sở Tư pháp cũ")
    commune = AgencyFactory(commune=True)
    assert list(selectors.public_agencies(q="tu phap")) == [a]
    assert list(selectors.public_agencies(level="commune")) == [commune]
    assert list(selectors.public_agencies(admin_unit_code=commune.admin_unit.code)) == [commune]
    assert selectors.agency_get(public_id=a.public_id) == a
    assert selectors.agency_get(code=a.code) == a
    from tinhso.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.agency_get(public_id="not-a-uuid")
    with pytest.raises(NotFound):
        selectors.agency_get(code=AgencyFactory(is_active=False).code)
