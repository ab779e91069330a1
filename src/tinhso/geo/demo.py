"""Demo geography: the province's official communes/wards plus a few illustrative hamlets."""

from __future__ import annotations

from collections.abc import Callable

from tinhso.geo import services


def load(*, province_code: int, log: Callable[[str], None]) -> None:
    result = services.load_province(province_code=province_code)
    hamlets = services.demo_hamlets_load(province=result.province)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(result.by_kind.items()))
    log(f"✓ {result.total} đơn vị hành chính cấp xã của {result.province.full_name} ({kinds})")
    if hamlets:
        log(f"✓ {hamlets} ấp, khóm mẫu")
