"""Demo data: the statutory public holidays of last year, this year and next year."""

from __future__ import annotations

from django.utils import timezone

from .services import calendar_seed_year


def load(*, province_code: int, log) -> None:
    this_year = timezone.localdate().year
    created = 0
    for year in (this_year - 1, this_year, this_year + 1):
        created += len(calendar_seed_year(year=year))
    log(f"workflow: public holidays {this_year - 1}–{this_year + 1} ({created} new calendar rows)")
