"""Demo apparatus: the provincial People's Committee, its office and departments, and a
People's Committee for every commune/ward, each with its standard units; positions and roles."""

from __future__ import annotations

from collections.abc import Callable

from tinhso.geo import selectors as geo_selectors
from tinhso.orgs import services


def load(*, province_code: int, log: Callable[[str], None]) -> None:
    province = geo_selectors.province(code=province_code)  # NotFound if geo has not been loaded
    result = services.province_apparatus_load(province=province)
    log(
        f"✓ {result.provincial} cơ quan cấp tỉnh và {result.communal} UBND cấp xã "
        f"({result.agencies_created} mới, {result.units_created} đơn vị trực thuộc mới)"
    )
