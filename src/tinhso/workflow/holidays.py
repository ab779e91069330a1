"""Vietnam's public holidays (Labour Code 2019, art. 112) for one solar year.

Only the fixed statutory days: compensatory days off and make-up working days are decided each
year by the government and entered by administrators as calendar rows. The day next to National
Day (the law allows 1/9 or 3/9) defaults to 1/9 and is an ordinary row that can be changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _
from lunardate import LunarDate

# lunardate's tables cover these solar years.
MIN_YEAR = 1901
MAX_YEAR = 2099


@dataclass(frozen=True)
class PublicHoliday:
    date: date
    name: str


def _solar(lunar: LunarDate) -> date:
    convert = getattr(lunar, "to_solar_date", None) or lunar.toSolarDate
    return convert()


def lunar_new_year(year: int) -> date:
    """The solar date of Tết (1st day of the 1st lunar month) in ``year``."""
    return _solar(LunarDate(year, 1, 1))


def vietnam_public_holidays(year: int) -> list[PublicHoliday]:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    tet = lunar_new_year(year)
    days = [
        PublicHoliday(date(year, 1, 1), str(_("Tết Dương lịch"))),
        PublicHoliday(tet - timedelta(days=1), str(_("Tết Nguyên đán (ngày cuối năm âm lịch)"))),
    ]
    for i in range(4):
        days.append(
            PublicHoliday(tet + timedelta(days=i), str(_("Tết Nguyên đán (mùng %(day)d tháng Giêng)") % {"day": i + 1}))
        )
    days += [
        PublicHoliday(_solar(LunarDate(year, 3, 10)), str(_("Giỗ Tổ Hùng Vương (10/3 âm lịch)"))),
        PublicHoliday(date(year, 4, 30), str(_("Ngày Chiến thắng (30/4)"))),
        PublicHoliday(date(year, 5, 1), str(_("Ngày Quốc tế Lao động (1/5)"))),
        PublicHoliday(date(year, 9, 1), str(_("Quốc khánh (ngày liền kề 1/9)"))),
        PublicHoliday(date(year, 9, 2), str(_("Quốc khánh (2/9)"))),
    ]
    return sorted(days, key=lambda h: h.date)
