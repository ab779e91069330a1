"""Working-day arithmetic: Vietnam's holidays, weekends, make-up days, counting rules, and
properties that must hold for any receipt time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinhso.core.errors import ValidationFailed
from tinhso.workflow.calendar import CountingRule, WorkingCalendar
from tinhso.workflow.holidays import lunar_new_year, vietnam_public_holidays

from .conftest import vietnam_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = vietnam_calendar()


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


# --- holidays ----------------------------------------------------------------------------


def test_tet_2026_per_lunar_calendar():
    assert lunar_new_year(2026) == date(2026, 2, 17)
    tet = [h.date for h in vietnam_public_holidays(2026) if "Nguyên đán" in h.name]
    assert tet == [date(2026, 2, d) for d in range(16, 21)]  # Mon 16 – Fri 20


def test_public_holidays_2026():
    days = {h.date: h.name for h in vietnam_public_holidays(2026)}
    assert len(days) == 11
    assert days[date(2026, 1, 1)] == "Tết Dương lịch"
    assert "Hùng Vương" in days[date(2026, 4, 26)]  # 10/3 lunar
    for d in (date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 1), date(2026, 9, 2)):
        assert d in days


@pytest.mark.parametrize("year, tet", [(2025, date(2025, 1, 29)), (2027, date(2027, 2, 6))])
def test_tet_other_years(year, tet):
    dates = [h.date for h in vietnam_public_holidays(year)]
    assert tet - timedelta(days=1) in dates
    assert tet + timedelta(days=3) in dates


def test_out_of_range_year():
    with pytest.raises(ValueError):
        vietnam_public_holidays(1800)


# --- single days --------------------------------------------------------------------------


def test_weekends_and_holidays_are_days_off():
    assert CAL.is_working_day(date(2026, 2, 13))  # Friday
    assert not CAL.is_working_day(date(2026, 2, 14))  # Saturday
    assert not CAL.is_working_day(date(2026, 2, 16))  # Tết
    assert not CAL.is_working_day(vn(2026, 9, 2, 10))  # datetime: its local date counts
    # 2026-02-15 17:30 UTC is already Monday 16 (Tết) in Vietnam
    assert not CAL.is_working_day(datetime(2026, 2, 15, 17, 30, tzinfo=ZoneInfo("UTC")))


def test_makeup_workday_and_extra_day_off():
    cal = vietnam_calendar(extra={date(2026, 2, 14): True, date(2026, 2, 23): False})
    assert cal.is_working_day(date(2026, 2, 14))
    assert not cal.is_working_day(date(2026, 2, 23))


def test_configurable_weekend():
    cal = WorkingCalendar({}, weekend_days=[6])  # only Sunday off
    assert cal.is_working_day(date(2026, 2, 14))
    with pytest.raises(ValueError):
        WorkingCalendar({}, weekend_days=range(7))


# --- deadlines ----------------------------------------------------------------------------


def test_friday_after_cutoff_before_tet_counts_from_the_monday_after():
    """Received Fri 13/02/2026 at 16:00 with a 15:00 cut-off: the weekend and Tết (16–20/02)
    are skipped, so the receipt counts as Monday 23/02."""
    start = vn(2026, 2, 13, 16, 0)
    receipt_day_counts = CountingRule(cutoff=time(15, 0), start_next_working_day=False)
    assert CAL.add_working_days(start, 1, receipt_day_counts) == vn(2026, 2, 23, 17, 0)
    next_day_counts = CountingRule(cutoff=time(15, 0), start_next_working_day=True)
    assert CAL.add_working_days(start, 1, next_day_counts) == vn(2026, 2, 24, 17, 0)


def test_before_cutoff_the_receipt_day_counts():
    rule = CountingRule(cutoff=time(15, 0), start_next_working_day=False)
    assert CAL.add_working_days(vn(2026, 2, 13, 10, 0), 1, rule) == vn(2026, 2, 13, 17, 0)
    assert CAL.add_working_days(vn(2026, 2, 13, 15, 0), 2, rule) == vn(2026, 2, 23, 17, 0)


def test_default_rule_day_one_is_the_next_working_day():
    assert CAL.add_working_days(vn(2026, 2, 13, 10, 0), 1) == vn(2026, 2, 23, 17, 0)
    assert CAL.add_working_days(vn(2026, 2, 13, 10, 0), 3) == vn(2026, 2, 25, 17, 0)
    # Received on a Saturday: counts as received on the next working day (Mon 23 after Tết).
    assert CAL.add_working_days(vn(2026, 2, 14, 9, 0), 1) == vn(2026, 2, 24, 17, 0)
    # 15 working days from Mon 20/04/2026 skip 30/04 and 01/05.
    assert CAL.add_working_days(vn(2026, 4, 20, 9, 0), 15) == vn(2026, 5, 13, 17, 0)


def test_zero_days_is_the_receipt_day():
    assert CAL.add_working_days(vn(2026, 2, 13, 10, 0), 0) == vn(2026, 2, 13, 17, 0)
    assert CAL.add_working_days(vn(2026, 2, 14, 10, 0), 0) == vn(2026, 2, 23, 17, 0)


def test_makeup_day_counts():
    cal = vietnam_calendar(extra={date(2026, 2, 7): True})  # Saturday made a working day
    assert cal.add_working_days(vn(2026, 2, 6, 9, 0), 1) == vn(2026, 2, 7, 17, 0)
    assert CAL.add_working_days(vn(2026, 2, 6, 9, 0), 1) == vn(2026, 2, 9, 17, 0)


def test_custom_due_time_and_utc_input():
    rule = CountingRule(due_time=time(11, 30))
    # 02:00 UTC is 09:00 in Vietnam, Friday 13/02
    assert CAL.add_working_days(datetime(2026, 2, 13, 2, 0, tzinfo=ZoneInfo("UTC")), 1, rule) == vn(2026, 2, 23, 11, 30)


def test_naive_start_is_vietnam_time():
    assert CAL.add_working_days(datetime(2026, 2, 13, 16, 0), 1, CountingRule(cutoff=time(15, 0))) == vn(  # noqa: DTZ001
        2026, 2, 24, 17, 0
    )


@pytest.mark.parametrize("n", [-1, 1.5, True, 100_000])
def test_bad_n(n):
    with pytest.raises(ValueError):
        CAL.add_working_days(vn(2026, 2, 13, 10, 0), n)


def test_working_days_between():
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert CAL.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0
    # 261 weekdays in 2026, 10 of them public holidays (Hùng Kings' day is a Sunday)
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 251


# --- counting rules as data ---------------------------------------------------------------


def test_rule_round_trip():
    rule = CountingRule.from_dict({"cutoff": "15:00", "start_next_working_day": False, "due_time": "16:30"})
    assert rule == CountingRule(cutoff=time(15, 0), start_next_working_day=False, due_time=time(16, 30))
    assert rule.to_dict() == {"cutoff": "15:00", "start_next_working_day": False, "due_time": "16:30"}
    assert CountingRule.from_dict(rule.to_dict()) == rule
    assert CountingRule.from_dict(None) == CountingRule()
    assert CountingRule().to_dict() == {"cutoff": None, "start_next_working_day": True, "due_time": "17:00"}


@pytest.mark.parametrize(
    "data",
    [{"cutoff": "25:00"}, {"cutoff": 15}, {"due_time": "noon"}, {"start_next_working_day": "yes"}, {"x": 1}, ["a"]],
)
def test_bad_rules(data):
    with pytest.raises(ValidationFailed):
        CountingRule.from_dict(data)


# --- properties -------------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2024, 6, 1), max_value=datetime(2027, 12, 31), timezones=st.just(VN))  # noqa: DTZ001
rules = st.builds(
    CountingRule,
    cutoff=st.one_of(st.none(), st.times(min_value=time(7, 0), max_value=time(18, 0))),
    start_next_working_day=st.booleans(),
    due_time=st.times(min_value=time(8, 0), max_value=time(18, 0)),
)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=60), rule=rules)
def test_deadline_is_a_working_day_after_the_start(start, n, rule):
    due = CAL.add_working_days(start, n, rule)
    assert CAL.is_working_day(due)
    assert due.timetz() == rule.due_time.replace(tzinfo=VN)
    assert due >= start
    assert due.date() >= start.date()


@settings(max_examples=200, deadline=None)
@given(start=starts, a=st.integers(min_value=0, max_value=40), b=st.integers(min_value=0, max_value=40), rule=rules)
def test_deadline_is_monotonic_in_n(start, a, b, rule):
    lo, hi = sorted((a, b))
    assert CAL.add_working_days(start, lo, rule) <= CAL.add_working_days(start, hi, rule)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=60), rule=rules)
def test_counting_back_gives_n(start, n, rule):
    due = CAL.add_working_days(start, n, rule)
    received = CAL.receipt_day(start, rule)
    assert CAL.working_days_between(received, due) == (n if rule.start_next_working_day else n - 1)


@settings(max_examples=200, deadline=None)
@given(start=starts.filter(lambda d: CAL.is_working_day(d)), n=st.integers(min_value=0, max_value=60))
def test_default_rule_add_then_count(start, n):
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@settings(max_examples=200, deadline=None)
@given(a=st.dates(date(2024, 1, 1), date(2028, 12, 31)), b=st.dates(date(2024, 1, 1), date(2028, 12, 31)))
def test_between_matches_day_by_day_count(a, b):
    lo, hi = sorted((a, b))
    brute = sum(CAL.is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
    assert CAL.working_days_between(lo, hi) == brute
    assert CAL.working_days_between(hi, lo) == -brute


@settings(max_examples=100, deadline=None)
@given(start=st.datetimes(datetime(2026, 2, 1), datetime(2026, 2, 20), timezones=st.just(VN)),  # noqa: DTZ001
       n=st.integers(min_value=1, max_value=10), rule=rules)
def test_tet_2026_is_never_a_deadline(start, n, rule):
    due = CAL.add_working_days(start, n, rule)
    assert not date(2026, 2, 14) <= due.date() <= date(2026, 2, 22)
