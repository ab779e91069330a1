"""Fixtures of the feedback tests: Cà Mau's communes, a small apparatus (the provincial
People's Committee, two commune committees, a department), officials with handler roles, a
category with one required attribute and the default routing rule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tinhso.feedback import services
from tinhso.orgs.models import AgencyKind, AgencyLevel
from tinhso.workflow.calendar import clear_cache

# Phường An Xuyên (Cà Mau), near the People's Committee.
LAT, LON = Decimal("9.181200"), Decimal("105.152300")
ROAD_ATTRS = [{"code": "hien_trang", "datatype": "singlevaluelist", "required": True, "order": 1,
               "description": "Hiện trạng", "values": [{"key": "o-ga", "name": "Ổ gà"}, {"key": "khac", "name": "Khác"}]}]


@pytest.fixture(autouse=True)
def _fresh_calendar():
    clear_cache()
    yield
    clear_cache()


@dataclass
class World:
    province: object
    anxuyen: object
    tanthanh: object
    province_pc: object
    anxuyen_pc: object
    tanthanh_pc: object
    department: object
    handler: object  # report_handler at An Xuyên
    clerk: object  # clerk at An Xuyên
    leader: object  # leader at An Xuyên
    other_official: object  # report_handler at Tân Thành
    province_leader: object  # leader at the provincial committee (supervisor)
    dept_official: object  # report_handler at the department
    citizen: object
    citizen_b: object
    superuser: object
    category: object
    other_category: object


def _member(agency, code):
    return MembershipFactory(agency=agency, role=role(code)).user


@pytest.fixture
def world(province_96) -> World:
    from tinhso.geo.models import AdminUnit

    anxuyen = AdminUnit.objects.get(code="32002")
    tanthanh = AdminUnit.objects.get(code="32025")
    province_pc = AgencyFactory(kind=AgencyKind.PEOPLES_COMMITTEE, level=AgencyLevel.PROVINCE, admin_unit=province_96,
                                name="Ủy ban nhân dân tỉnh Cà Mau")
    anxuyen_pc = AgencyFactory(commune=True, admin_unit=anxuyen, parent=province_pc, name="UBND phường An Xuyên")
    tanthanh_pc = AgencyFactory(commune=True, admin_unit=tanthanh, parent=province_pc, name="UBND phường Tân Thành")
    department = AgencyFactory(admin_unit=province_96, parent=province_pc, name="Sở Nông nghiệp và Môi trường")
    superuser = UserFactory(is_superuser=True, is_staff=True)
    category = services.category_save(actor=None, code="duong-giao-thong", name="Đường giao thông", sla_days=5,
                                       attributes=ROAD_ATTRS)
    other = services.category_save(actor=None, code="chieu-sang", name="Chiếu sáng công cộng", sla_days=3)
    services.routing_rule_save(actor=None, category=None, commune=None, target="commune_committee")
    return World(
        province=province_96, anxuyen=anxuyen, tanthanh=tanthanh, province_pc=province_pc, anxuyen_pc=anxuyen_pc,
        tanthanh_pc=tanthanh_pc, department=department, handler=_member(anxuyen_pc, "report_handler"),
        clerk=_member(anxuyen_pc, "clerk"), leader=_member(anxuyen_pc, "leader"),
        other_official=_member(tanthanh_pc, "report_handler"), province_leader=_member(province_pc, "leader"),
        dept_official=_member(department, "report_handler"), citizen=UserFactory(), citizen_b=UserFactory(),
        superuser=superuser, category=category, other_category=other,
    )


def submit(world: World, **kw):
    args = {
        "reporter": world.citizen, "category": world.category, "latitude": LAT, "longitude": LON,
        "description": "Ổ gà lớn giữa đường Trần Hưng Đạo.", "commune": "32002",
        "attributes": {"hien_trang": "o-ga"},
    }
    args.update(kw)
    return services.report_submit(**args)


@pytest.fixture
def report(world):
    return submit(world)
