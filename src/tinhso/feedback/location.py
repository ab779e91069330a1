"""Where a report is: coordinates checked against the province's bounding box, distances.

There is no PostGIS: points are two decimals (WGS 84, 6 decimal places ≈ 0.1 m). The box of the
configured province comes from ``TINHSO_FEEDBACK_BBOX`` (``"south,west,north,east"``) or, when
unset, from :data:`PROVINCE_BOXES` (administrative units carry no geometry); a province missing
from both accepts any point on Vietnamese territory (mainland and near-shore islands).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from tinhso.core.errors import ValidationFailed

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class BBox:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    @classmethod
    def parse(cls, value) -> BBox:
        """From ``"south,west,north,east"``, a 4-sequence, or a BBox. Raises ValidationFailed."""
        if isinstance(value, BBox):
            return value
        parts = value.split(",") if isinstance(value, str) else list(value or ())
        try:
            south, west, north, east = (float(p) for p in parts)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(_("Khung bản đồ không hợp lệ (cần: nam,tây,bắc,đông)."),
                                   code="invalid_bbox") from exc
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            raise ValidationFailed(_("Khung bản đồ không hợp lệ (cần: nam,tây,bắc,đông)."), code="invalid_bbox")
        return cls(south, west, north, east)


# Post-2025 Cà Mau (with the former Bạc Liêu) including Hòn Khoai, Hòn Chuối and Hòn Đá Bạc.
PROVINCE_BOXES: dict[int, BBox] = {96: BBox(8.35, 104.40, 9.75, 105.95)}
VIETNAM = BBox(8.15, 102.10, 23.40, 109.50)


def province_bbox() -> BBox:
    configured = getattr(settings, "TINHSO_FEEDBACK_BBOX", "") or ""
    if configured:
        return BBox.parse(configured)
    return PROVINCE_BOXES.get(int(settings.TINHSO_PROVINCE), VIETNAM)


def _decimal(value, field: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed(
            _("Cần chọn vị trí trên bản đồ (vĩ độ và kinh độ)."), code="location_required", details={"field": field}
        )
    if isinstance(value, bool):
        raise ValidationFailed(_("Tọa độ không hợp lệ."), code="invalid_location", details={"field": field})
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Tọa độ không hợp lệ."), code="invalid_location", details={"field": field}) from exc
    if not d.is_finite():
        raise ValidationFailed(_("Tọa độ không hợp lệ."), code="invalid_location", details={"field": field})
    return d.quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)


def clean_point(latitude, longitude) -> tuple[Decimal, Decimal]:
    """The point as two 6-place decimals, or ValidationFailed with a clear message: missing,
    malformed, (0, 0) or outside the province's box."""
    lat, lon = _decimal(latitude, "lat"), _decimal(longitude, "long")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        raise ValidationFailed(_("Tọa độ không hợp lệ."), code="invalid_location", details={"field": "lat"})
    box = province_bbox()
    if not box.contains(float(lat), float(lon)):
        raise ValidationFailed(
            _("Vị trí phản ánh nằm ngoài địa bàn tỉnh. Vui lòng chọn lại vị trí trên bản đồ."),
            code="outside_province",
            details={"field": "lat", "bbox": [box.south, box.west, box.north, box.east]},
        )
    return lat, lon


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(lat: float, lon: float, radius_m: float) -> BBox:
    """A box that contains every point within ``radius_m`` (a little larger: a prefilter)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.01
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return BBox(lat - dlat, lon - dlon, lat + dlat, lon + dlon)
