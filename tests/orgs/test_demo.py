"""The demo apparatus of the province: committees, departments, units, positions."""

import re
from collections import Counter

import pytest

from tinhso.accounts.models import Role
from tinhso.geo.models import AdminUnit
from tinhso.orgs import catalogue, demo, selectors, services
from tinhso.orgs.models import AGENCY_CODE_REGEX, Agency, AgencyKind, AgencyLevel, Position, Unit, UnitKind

pytestmark = pytest.mark.django_db

DEPARTMENTS = {
    "SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "STP": "Sở Tư pháp", "SKHCN": "Sở Khoa học và Công nghệ",
    "SCT": "Sở Công Thương", "SNNMT": "Sở Nông nghiệp và Môi trường", "SXD": "Sở Xây dựng",
    "SGDĐT": "Sở Giáo dục và Đào tạo", "SYT": "Sở Y tế", "SVHTTDL": "Sở Văn hóa, Thể thao và Du lịch",
    "SDTTG": "Sở Dân tộc và Tôn giáo",
}


@pytest.fixture
def apparatus(province_96):
    return services.province_apparatus_load(province=province_96)


def test_provincial_committee_office_and_departments(apparatus):
    committee = Agency.objects.get(code="000.00.00.H12")
    assert committee.name == "Ủy ban nhân dân tỉnh Cà Mau"
    assert (committee.short_name, committee.abbreviation) == ("UBND tỉnh", "UBND")
    assert committee.kind == AgencyKind.PEOPLES_COMMITTEE and committee.level == AgencyLevel.PROVINCE
    assert committee.parent is None
    office = Agency.objects.get(abbreviation="VP", level=AgencyLevel.PROVINCE)
    assert office.name == "Văn phòng Ủy ban nhân dân tỉnh Cà Mau"
    assert office.parent == committee
    for abbreviation, short_name in DEPARTMENTS.items():
        agency = Agency.objects.get(abbreviation=abbreviation)
        assert agency.short_name == short_name
        assert agency.name == f"{short_name} tỉnh Cà Mau"
        assert agency.kind == AgencyKind.DEPARTMENT
        assert agency.parent == committee
        assert agency.admin_unit.code == "96"
        kinds = Counter(agency.units.values_list("kind", flat=True))
        assert kinds[UnitKind.OFFICE] == 1 and kinds[UnitKind.ONE_STOP] == 1 and kinds[UnitKind.DIVISION] >= 1
    inspectorate = Agency.objects.get(abbreviation="TTr")
    assert (inspectorate.name, inspectorate.kind) == ("Thanh tra tỉnh Cà Mau", AgencyKind.INSPECTORATE)


def test_a_committee_for_every_commune_and_ward(apparatus):
    communal = Agency.objects.filter(level=AgencyLevel.COMMUNE)
    assert communal.count() == 64 == apparatus.communal
    assert set(communal.values_list("admin_unit__code", flat=True)) == set(
        AdminUnit.objects.filter(parent__code="96").values_list("code", flat=True)
    )
    an_xuyen = Agency.objects.get(admin_unit__code="32002")
    assert an_xuyen.name == "Ủy ban nhân dân phường An Xuyên"
    assert an_xuyen.short_name == "UBND phường An Xuyên"
    assert an_xuyen.code == "002.32.90.H12"
    assert an_xuyen.parent.code == "000.00.00.H12"
    assert set(an_xuyen.units.values_list("name", flat=True)) >= {"Bộ phận một cửa", "Văn phòng HĐND và UBND"}
    assert selectors.one_stop_unit(agency=an_xuyen).name == "Bộ phận một cửa"
    assert Agency.objects.get(admin_unit__code="32152").name == "Ủy ban nhân dân xã Đầm Dơi"


def test_codes_are_unique_well_formed_and_derived_from_official_codes(apparatus):
    codes = list(Agency.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == len(catalogue.PROVINCIAL_AGENCIES) + 64
    assert all(re.match(AGENCY_CODE_REGEX, code) for code in codes)
    for agency in Agency.objects.filter(level=AgencyLevel.COMMUNE).select_related("admin_unit"):
        commune = agency.admin_unit.code
        assert agency.code == f"{commune[2:]}.{commune[:2]}.90.H12"


def test_load_is_idempotent_and_keeps_admin_edits(apparatus, province_96):
    agencies = dict(Agency.objects.values_list("code", "pk"))
    units = Unit.objects.count()
    Agency.objects.filter(code="000.00.02.H12").update(phone="0290 3831 234", name="Sở Nội vụ tỉnh Cà Mau (sửa)")

    again = services.province_apparatus_load(province=province_96)

    assert (again.agencies_created, again.units_created) == (0, 0)
    assert dict(Agency.objects.values_list("code", "pk")) == agencies
    assert Unit.objects.count() == units
    assert Agency.objects.get(code="000.00.02.H12").phone == "0290 3831 234"


def test_positions_and_roles_exist(apparatus):
    names = set(Position.objects.values_list("name", flat=True))
    assert names >= {"Chủ tịch", "Phó Chủ tịch", "Giám đốc", "Phó Giám đốc", "Chánh Văn phòng", "Trưởng phòng",
                     "Chuyên viên", "Công chức một cửa", "Văn thư"}
    assert set(Role.objects.values_list("code", flat=True)) >= set(catalogue.ROLE_NAMES)


def test_demo_loader_logs_and_needs_geo_first(province_96):
    lines = []
    demo.load(province_code=96, log=lines.append)
    assert "64 UBND cấp xã" in lines[0]


def test_demo_loader_without_geography_is_a_clear_error():
    from tinhso.core.errors import NotFound

    with pytest.raises(NotFound, match="geo_load"):
        demo.load(province_code=96, log=print)
    assert not Agency.objects.exists()


def test_province_segment_is_a_setting(settings, province_96):
    settings.TINHSO_PROVINCE = 96
    settings.TINHSO_AGENCY_PROVINCE_SEGMENT = "h99"
    services.province_apparatus_load(province=province_96)
    assert Agency.objects.filter(code="000.00.00.H99").exists()
    assert Agency.objects.get(admin_unit__code="32002").code == "002.32.90.H99"


def test_other_province_gets_well_formed_placeholder_codes(settings):
    from tinhso.geo.services import load_province

    gia_lai = load_province(province_code=52).province
    result = services.province_apparatus_load(province=gia_lai)
    assert result.communal == 135
    committee = Agency.objects.get(code="000.00.00.H52")
    assert committee.name == "Ủy ban nhân dân tỉnh Gia Lai"
    assert Agency.objects.filter(level=AgencyLevel.COMMUNE).count() == 135


def test_centrally_run_city_names(settings):
    from tinhso.geo.services import load_province

    hanoi = load_province(province_code=1).province
    services.province_apparatus_load(province=hanoi)
    committee = Agency.objects.get(kind=AgencyKind.PEOPLES_COMMITTEE, level=AgencyLevel.PROVINCE)
    assert (committee.name, committee.short_name) == ("Ủy ban nhân dân thành phố Hà Nội", "UBND thành phố")
