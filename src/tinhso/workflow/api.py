"""Public helpers of the working-day calendar under ``/api/v1/workflow``."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from .calendar import MAX_WORKING_DAYS, CountingRule, get_calendar, to_local
from .selectors import holidays_of_year

router = Router(tags=["workflow"])


class HolidayOut(Schema):
    date: date
    name: str
    kind: str
    kind_label: str
    note: str


class HolidaysParams(Schema):
    year: int | None = Field(None, ge=1901, le=2099, description="mặc định: năm hiện tại")


@router.get("/calendar/holidays", response=list[HolidayOut], auth=None, summary="Ngày nghỉ lễ, nghỉ bù, làm bù trong năm")
def calendar_holidays(request, params: Query[HolidaysParams]):
    year = params.year or timezone.localdate().year
    return [
        {"date": h.date, "name": h.name, "kind": h.kind, "kind_label": str(h.get_kind_display()), "note": h.note}
        for h in holidays_of_year(year)
    ]


class AddWorkingDaysParams(Schema):
    start: datetime = Field(..., description="thời điểm tiếp nhận (ISO 8601; không có múi giờ = giờ Việt Nam)")
    days: int = Field(..., ge=0, le=MAX_WORKING_DAYS)
    cutoff: time | None = Field(None, description="nhận sau giờ này thì tính từ ngày làm việc tiếp theo")
    start_next_working_day: bool = True
    due_time: time | None = None


class AddWorkingDaysOut(Schema):
    start: datetime
    days: int
    due: datetime
    rule: dict


@router.get(
    "/calendar/add-working-days",
    response=AddWorkingDaysOut,
    auth=None,
    summary="Tính ngày hẹn trả sau một số ngày làm việc",
)
def calendar_add_working_days(request, params: Query[AddWorkingDaysParams]):
    rule = CountingRule.from_dict(
        {
            "cutoff": params.cutoff,
            "start_next_working_day": params.start_next_working_day,
            "due_time": params.due_time,
        }
    )
    start = to_local(params.start)
    due = get_calendar().add_working_days(start, params.days, rule)
    return {"start": start, "days": params.days, "due": due, "rule": rule.to_dict()}
