"""Agencies, units and memberships are written through services: checked, atomic, audited."""

import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections  # noqa: F401 - connection is used by skipif
from django.utils import timezone

from tests.factories import (
    AdminUnitFactory,
    AgencyFactory,
    MembershipFactory,
    OfficialFactory,
    PositionFactory,
    UnitFactory,
    UserFactory,
    role,
)
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.orgs import selectors, services
from tinhso.orgs.models import Agency, AgencyKind, AgencyLevel, Membership, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser(email="quantri@tinhso.gov.vn", password="Matkhau@12345",
                                                      full_name="Quản trị hệ thống")


@pytest.fixture
def agency_admin(agency):
    return MembershipFactory(agency=agency, role=role("agency_admin")).user


def _grant(actor, user, agency, role_code="clerk", **extra):
    return services.membership_grant(actor=actor, user=user, agency=agency, role_code=role_code, **extra)


# --- membership_grant ------------------------------------------------------------------------


def test_agency_admin_grants_a_role_with_unit_and_position(agency, agency_admin):
    official = OfficialFactory()
    unit = UnitFactory(agency=agency)
    position = PositionFactory(code="cong-chuc-mot-cua", name="Công chức một cửa")

    m = _grant(agency_admin, official, agency, unit=unit, position=position,
               valid_until=timezone.localdate() + dt.timedelta(days=365))

    assert (m.user, m.agency, m.role.code, m.unit, m.position) == (official, agency, "clerk", unit, position)
    assert m.granted_by == agency_admin
    assert selectors.agency_scope(user=official, roles=["clerk"]) == frozenset({agency.pk})
    event = AuditEvent.objects.get(action="orgs.membership_granted")
    assert event.actor == agency_admin
    assert event.details["role"] == "clerk" and event.details["agency"] == agency.code


def test_superuser_grants_anywhere(agency, superuser):
    assert _grant(superuser, OfficialFactory(), agency, "leader").role.code == "leader"


@pytest.mark.parametrize("who", ["anonymous", "citizen", "clerk_here", "admin_elsewhere", "expired_admin"])
def test_grant_is_denied_and_changes_nothing(agency, who):
    actor = {
        "anonymous": lambda: None,
        "citizen": UserFactory,
        "clerk_here": lambda: MembershipFactory(agency=agency, role=role("clerk")).user,
        "admin_elsewhere": lambda: MembershipFactory(role=role("agency_admin")).user,
        "expired_admin": lambda: MembershipFactory(
            agency=agency, role=role("agency_admin"), valid_until=timezone.localdate() - dt.timedelta(days=1)
        ).user,
    }[who]()
    target = OfficialFactory()
    before = (Membership.objects.count(), AuditEvent.objects.count())

    with pytest.raises(NotAllowed):
        _grant(actor, target, agency)

    assert (Membership.objects.count(), AuditEvent.objects.count()) == before
    assert not Membership.objects.filter(user=target).exists()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("citizen_target", "user"),
        ("inactive_target", "user"),
        ("unknown_role", "role"),
        ("foreign_unit", "unit"),
        ("past_date", "valid_until"),
        ("closed_agency", "agency"),
    ],
)
def test_invalid_grant_is_a_422_with_field_details(agency, superuser, case, field):
    target = UserFactory() if case == "citizen_target" else OfficialFactory(is_active=case != "inactive_target")
    kwargs = {"role_code": "no_such_role" if case == "unknown_role" else "clerk"}
    if case == "foreign_unit":
        kwargs["unit"] = UnitFactory()
    if case == "past_date":
        kwargs["valid_until"] = timezone.localdate() - dt.timedelta(days=1)
    if case == "closed_agency":
        Agency.objects.filter(pk=agency.pk).update(is_active=False)
        agency.refresh_from_db()
    before = Membership.objects.count()

    with pytest.raises(ValidationFailed) as err:
        services.membership_grant(actor=superuser, user=target, agency=agency, **kwargs)

    assert field in err.value.details
    assert Membership.objects.count() == before


def test_granting_an_active_role_twice_is_a_conflict(agency, superuser):
    official = OfficialFactory()
    _grant(superuser, official, agency)
    with pytest.raises(Conflict):
        _grant(superuser, official, agency)
    assert Membership.objects.filter(user=official).count() == 1


def test_revoke_then_grant_again_reactivates_the_same_row(agency, agency_admin):
    official = OfficialFactory()
    m = _grant(agency_admin, official, agency)

    revoked = services.membership_revoke(actor=agency_admin, membership=m)
    assert not revoked.is_active and revoked.revoked_by == agency_admin and revoked.revoked_at is not None
    assert selectors.agency_scope(user=official) == frozenset()
    with pytest.raises(Conflict):
        services.membership_revoke(actor=agency_admin, membership=m)

    again = _grant(agency_admin, official, agency, "clerk")
    assert again.pk == m.pk and again.is_active and again.revoked_at is None
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["orgs.membership_granted", "orgs.membership_revoked", "orgs.membership_granted"]


def test_revoke_is_denied_for_others(agency):
    m = MembershipFactory(agency=agency)
    for actor in (None, UserFactory(), m.user, MembershipFactory(role=role("agency_admin")).user):
        with pytest.raises(NotAllowed):
            services.membership_revoke(actor=actor, membership=m)
    m.refresh_from_db()
    assert m.is_active


def test_membership_update(agency, agency_admin):
    m = MembershipFactory(agency=agency)
    unit = UnitFactory(agency=agency)
    updated = services.membership_update(actor=agency_admin, membership=m, unit=unit)
    assert updated.unit == unit
    with pytest.raises(ValidationFailed):
        services.membership_update(actor=agency_admin, membership=m, unit=UnitFactory())


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_of_the_same_role_make_one_membership():
    agency = AgencyFactory()
    admin = get_user_model().objects.create_superuser(email="root@tinhso.gov.vn", password="x" * 12, full_name="R")
    official = OfficialFactory()
    role("clerk")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait()
            _grant(admin, official, agency)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except BaseException as exc:  # reported by the main thread
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    assert Membership.objects.filter(user=official, agency=agency).count() == 1


# --- agencies and units --------------------------------------------------------------------------


def _agency_kwargs(**overrides):
    commune = AdminUnitFactory()
    values = {
        "code": "123.45.90.Z99", "name": "Ủy ban nhân dân xã Thử", "kind": AgencyKind.PEOPLES_COMMITTEE,
        "level": AgencyLevel.COMMUNE, "admin_unit": commune, "short_name": "UBND xã Thử", "abbreviation": "UBND",
    }
    values.update(overrides)
    return values


def test_superuser_creates_an_agency(superuser):
    agency = services.agency_create(actor=superuser, **_agency_kwargs(code=" 123.45.90.z99 "))
    assert agency.code == "123.45.90.Z99"
    assert agency.name_folded == "uy ban nhan dan xa thu ubnd xa thu ubnd"
    assert AuditEvent.objects.filter(action="orgs.agency_created", object_id=str(agency.pk)).exists()


def test_agency_admin_creates_only_under_their_agency(agency, agency_admin):
    child = services.agency_create(actor=agency_admin, parent=agency, **_agency_kwargs())
    assert child.parent == agency
    with pytest.raises(NotAllowed):
        services.agency_create(actor=agency_admin, **_agency_kwargs(code="124.45.90.Z99"))
    with pytest.raises(NotAllowed):
        services.agency_create(actor=agency_admin, parent=AgencyFactory(), **_agency_kwargs(code="125.45.90.Z99"))
    assert not Agency.objects.filter(code__in=["124.45.90.Z99", "125.45.90.Z99"]).exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"code": "H12"}, "code"),
        ({"code": "000.00.00.12H"}, "code"),
        ({"name": "  "}, "name"),
        ({"kind": "ministry"}, "kind"),
        ({"level": AgencyLevel.PROVINCE}, "admin_unit"),  # a commune is not a province
    ],
)
def test_invalid_agency_is_rejected(superuser, override, field):
    with pytest.raises(ValidationFailed) as err:
        services.agency_create(actor=superuser, **_agency_kwargs(**override))
    assert field in err.value.details
    assert not Agency.objects.filter(name="Ủy ban nhân dân xã Thử").exists()


def test_duplicate_agency_code_is_a_conflict(superuser, agency):
    with pytest.raises(Conflict):
        services.agency_create(actor=superuser, **_agency_kwargs(code=agency.code))


def test_agency_update_rules(agency, agency_admin, superuser):
    updated = services.agency_update(actor=agency_admin, agency=agency, phone="0290 3831 000", name="Sở Mới")
    assert (updated.phone, updated.name, updated.name_folded.startswith("so moi")) == ("0290 3831 000", "Sở Mới", True)
    with pytest.raises(NotAllowed):  # structural changes need a superuser
        services.agency_update(actor=agency_admin, agency=agency, code="999.99.99.Z99")
    with pytest.raises(NotAllowed):
        services.agency_update(actor=UserFactory(), agency=agency, phone="1")
    with pytest.raises(ValidationFailed):
        services.agency_update(actor=superuser, agency=agency, public_id="x")
    child = AgencyFactory(parent=agency, admin_unit=agency.admin_unit)
    with pytest.raises(ValidationFailed) as err:  # no cycles in the hierarchy
        services.agency_update(actor=superuser, agency=agency, parent=child)
    assert "parent" in err.value.details
    event = AuditEvent.objects.filter(action="orgs.agency_updated").get()
    assert event.details["changes"]["phone"]["to"] == "0290 3831 000"


def test_unit_create_and_update(agency, agency_admin):
    unit = services.unit_create(actor=agency_admin, agency=agency, code="mot-cua", name="Bộ phận một cửa",
                                kind="one_stop")
    assert selectors.one_stop_unit(agency=agency) == unit
    with pytest.raises(Conflict):
        services.unit_create(actor=agency_admin, agency=agency, code="mot-cua", name="Trùng")
    with pytest.raises(NotAllowed):
        services.unit_create(actor=UserFactory(), agency=agency, code="x", name="X")
    services.unit_update(actor=agency_admin, unit=unit, is_active=False)
    assert selectors.one_stop_unit(agency=agency) is None
    assert Unit.objects.filter(agency=agency).count() == 1
