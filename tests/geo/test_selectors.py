import pytest

from tinhso.core.errors import NotFound
from tinhso.geo import selectors

pytestmark = pytest.mark.django_db


def test_province_is_the_configured_one(province_96, settings):
    settings.TINHSO_PROVINCE = 96
    assert selectors.province() == province_96
    assert selectors.province(code="96") == province_96


def test_province_not_loaded_is_a_clear_error(settings):
    settings.TINHSO_PROVINCE = 96
    with pytest.raises(NotFound, match="geo_load --province 96"):
        selectors.province()


def test_communes_default_to_the_configured_province(province_96, settings):
    settings.TINHSO_PROVINCE = 96
    assert selectors.communes().count() == 64
    assert list(selectors.communes(q="tan thanh").values_list("full_name", flat=True)) == ["Phường Tân Thành"]
    assert selectors.communes(q="không có xã này").count() == 0


def test_unit_get(province_96):
    assert selectors.unit_get(code="32002").full_name == "Phường An Xuyên"
    with pytest.raises(NotFound):
        selectors.unit_get(code="nope")
