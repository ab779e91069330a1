"""Loading a province from the vietnam-provinces package."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from vietnam_provinces import ProvinceCode, Ward

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import NotFound
from tinhso.geo import selectors, services
from tinhso.geo.models import AdminUnit, Level

pytestmark = pytest.mark.django_db


def test_ca_mau_has_64_communes_9_wards_55_communes():
    result = services.load_province(province_code=96)

    province = AdminUnit.objects.get(code="96")
    assert province.level == Level.PROVINCE
    assert province.full_name == "Tỉnh Cà Mau"
    assert province.kind == "tỉnh"
    units = AdminUnit.objects.filter(parent=province, level=Level.COMMUNE)
    assert units.count() == 64
    assert Counter(units.values_list("kind", flat=True)) == {"phường": 9, "xã": 55}
    assert result.total == 64
    assert result.by_kind == {"phường": 9, "xã": 55}
    assert result.created == 65  # the province + 64 units


def test_units_carry_official_codes_and_names():
    services.load_province(province_code=96)

    an_xuyen = AdminUnit.objects.get(code="32002")
    assert an_xuyen.kind == "phường"
    assert an_xuyen.name == "An Xuyên"
    assert an_xuyen.full_name == "Phường An Xuyên"
    assert an_xuyen.name_folded == "phuong an xuyen"
    assert an_xuyen.parent.code == "96"
    dam_doi = AdminUnit.objects.get(code="32152")
    assert (dam_doi.kind, dam_doi.name, dam_doi.name_folded) == ("xã", "Đầm Dơi", "xa dam doi")
    assert all(len(code) == 5 for code in AdminUnit.objects.filter(level=Level.COMMUNE).values_list("code", flat=True))


def test_load_is_idempotent_and_repairs_edits():
    services.load_province(province_code=96)
    ids = dict(AdminUnit.objects.values_list("code", "pk"))
    AdminUnit.objects.filter(code="32002").update(name="Sai tên", full_name="Phường Sai tên")

    again = services.load_province(province_code=96)

    assert dict(AdminUnit.objects.values_list("code", "pk")) == ids  # nothing duplicated or recreated
    assert again.created == 0
    assert again.updated == 1
    assert again.unchanged == 63
    assert AdminUnit.objects.get(code="32002").full_name == "Phường An Xuyên"


def test_reload_deactivates_units_no_longer_listed():
    province = services.load_province(province_code=96).province
    AdminUnit.objects.create(code="32999", level=Level.COMMUNE, kind="xã", name="Cũ", full_name="Xã Cũ",
                             parent=province)

    result = services.load_province(province_code=96)

    assert result.deactivated == 1
    assert not AdminUnit.objects.get(code="32999").is_active
    assert selectors.communes(province=province).count() == 64


def test_load_records_one_audit_event():
    before = AuditEvent.objects.count()
    services.load_province(province_code=96)
    events = AuditEvent.objects.order_by("-seq")[: AuditEvent.objects.count() - before]
    assert [e.action for e in events] == ["geo.province_loaded"]
    assert events[0].details["by_kind"] == {"phường": 9, "xã": 55}


@pytest.mark.parametrize("code", [97, 0, -1, 1000])
def test_unknown_province_is_a_clear_error_and_stores_nothing(code):
    with pytest.raises(NotFound) as err:
        services.load_province(province_code=code)
    assert f"mã {code}" in str(err.value.message)
    assert err.value.code == "unknown_province"
    assert not AdminUnit.objects.exists()


def test_another_province_is_a_setting(settings):
    """Gia Lai (52): as many units as the package lists (135 in 2025.10)."""
    settings.TINHSO_PROVINCE = 52
    expected = Counter(w.division_type.value for w in Ward.iter_by_province(ProvinceCode(52)))

    result = services.load_province(province_code=52)

    assert selectors.province() == result.province
    assert result.province.full_name == "Tỉnh Gia Lai"
    assert selectors.communes().count() == sum(expected.values()) == 135
    assert Counter(selectors.communes().values_list("kind", flat=True)) == expected


def test_centrally_run_city_and_special_zones():
    """Hà Nội is a 'thành phố'; Phú Quốc (An Giang) is a special zone (đặc khu)."""
    hanoi = services.load_province(province_code=1).province
    assert (hanoi.kind, hanoi.name, hanoi.full_name) == ("thành phố", "Hà Nội", "Thành phố Hà Nội")
    assert hanoi.code == "01"
    services.load_province(province_code=91)
    phu_quoc = AdminUnit.objects.get(level=Level.COMMUNE, kind="đặc khu", name="Phú Quốc")
    assert phu_quoc.full_name == "Đặc khu Phú Quốc"


def test_demo_hamlets_are_marked_and_idempotent(province_96):
    created = services.demo_hamlets_load(province=province_96, communes=4, per_commune=2)
    assert created == 8
    assert services.demo_hamlets_load(province=province_96, communes=4, per_commune=2) == 0
    hamlets = AdminUnit.objects.filter(level=Level.HAMLET)
    assert hamlets.count() == 8
    assert all(h.is_demo for h in hamlets)
    assert Counter(hamlets.values_list("kind", flat=True)) == {"khóm": 4, "ấp": 4}
    ward = selectors.communes(province=province_96).filter(kind="phường").first()
    assert list(selectors.hamlets(commune=ward).values_list("code", "name", "kind")) == [
        (f"{ward.code}-01", "Khóm 1", "khóm"),
        (f"{ward.code}-02", "Khóm 2", "khóm"),
    ]
    assert AdminUnit.objects.get(code=f"{ward.code}-01").full_name == f"Khóm 1, {ward.full_name}"
    commune = selectors.communes(province=province_96).filter(kind="xã").first()
    assert selectors.hamlets(commune=commune).first().name == "Ấp 1"


def test_demo_loader_logs_the_count():
    from tinhso.geo import demo

    lines = []
    demo.load(province_code=96, log=lines.append)
    assert lines[0].startswith("✓ 64 đơn vị hành chính cấp xã của Tỉnh Cà Mau")
    assert AdminUnit.objects.filter(level=Level.HAMLET, kind="ấp").exists()
    assert AdminUnit.objects.filter(level=Level.HAMLET, kind="khóm").exists()


def test_geo_load_command(capsys):
    call_command("geo_load", "--province", "96")
    assert "64 đơn vị hành chính cấp xã của Tỉnh Cà Mau" in capsys.readouterr().out
    with pytest.raises(CommandError, match="mã 97"):
        call_command("geo_load", "--province", "97")
