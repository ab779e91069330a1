"""The working-day calendar: deadlines are counted in working days, never in raw days.

A day is a working day unless its weekday is in ``settings.TINHSO_WEEKEND_DAYS`` (Python
weekday numbers, default ``[5, 6]`` = Saturday, Sunday) or a ``Holiday`` row makes it a day off;
a ``makeup_workday`` row makes a weekend day a working day. All counting happens in local time
(Asia/Ho_Chi_Minh) and returns timezone-aware datetimes.

How a deadline is counted (:func:`add_working_days`) is data, a :class:`CountingRule` usually
stored as JSON on a procedure:

1. The receipt day is the local date of ``start``. If that is not a working day, or ``start`` is
   after the rule's ``cutoff`` time, the dossier counts as received on the next working day.
   (When the receipt day itself is day 1, a receipt after ``due_time`` also moves it.)
2. With ``start_next_working_day`` (the default) day 1 is the working day after the receipt
   day; without it, the receipt day itself is day 1.
3. The deadline is day ``n`` at ``due_time`` (17:00 by default). ``n = 0`` means the receipt
   day itself (same-day procedures).

Holidays are loaded once per process and reloaded when the table changes: each lookup costs one
small aggregate query (row count and last change), which stays correct across processes and
across rolled-back transactions. For many computations in a loop, take one snapshot with
:func:`get_calendar` and call its methods.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from tinhso.core.errors import ValidationFailed

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_WEEKEND_DAYS = (5, 6)
DEFAULT_DUE_TIME = time(17, 0)
# Enough for any real deadline (ten years of working days) and a bound on the loop.
MAX_WORKING_DAYS = 3650


def _parse_time(value: Any, field: str) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationFailed(
        _("Giờ «%(field)s» không hợp lệ (dạng HH:MM).") % {"field": field}, details={"field": field}
    )


@dataclass(frozen=True)
class CountingRule:
    """How working days are counted from a receipt; see the module docstring."""

    cutoff: time | None = None
    start_next_working_day: bool = True
    due_time: time = DEFAULT_DUE_TIME

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CountingRule:
        """Build a rule from JSON-like data (times as ``"HH:MM"``); missing keys take defaults.
        Raises ValidationFailed on malformed values."""
        if not data:
            return cls()
        if not isinstance(data, Mapping):
            raise ValidationFailed(_("Quy tắc tính ngày làm việc không hợp lệ."))
        unknown = set(data) - {"cutoff", "start_next_working_day", "due_time"}
        if unknown:
            raise ValidationFailed(
                _("Quy tắc tính ngày làm việc có trường không hợp lệ: %(fields)s.")
                % {"fields": ", ".join(sorted(unknown))},
                details={"unknown": sorted(unknown)},
            )
        start_next = data.get("start_next_working_day", True)
        if not isinstance(start_next, bool):
            raise ValidationFailed(_("«start_next_working_day» phải là true hoặc false."))
        due_time = _parse_time(data.get("due_time"), "due_time") or DEFAULT_DUE_TIME
        return cls(
            cutoff=_parse_time(data.get("cutoff"), "cutoff"),
            start_next_working_day=start_next,
            due_time=due_time,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.strftime("%H:%M") if self.cutoff else None,
            "start_next_working_day": self.start_next_working_day,
            "due_time": self.due_time.strftime("%H:%M"),
        }


def to_local(value: datetime) -> datetime:
    """A datetime in Vietnam time; a naive one is taken to be Vietnam time already."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=TZ)
    return value.astimezone(TZ)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return to_local(value).date()
    return value


class WorkingCalendar:
    """An immutable snapshot: the weekend days plus the dated exceptions (date → is working)."""

    def __init__(self, exceptions: Mapping[date, bool] | None = None, weekend_days: Iterable[int] = DEFAULT_WEEKEND_DAYS):
        weekend = frozenset(int(d) for d in weekend_days)
        if not weekend <= set(range(7)) or len(weekend) >= 7:
            raise ValueError("weekend_days must be weekday numbers 0–6, leaving at least one working weekday")
        self.weekend_days = weekend
        self._exceptions = dict(exceptions or {})
        self._sorted = sorted(self._exceptions)

    # --- single days ----------------------------------------------------------------------

    def is_working_day(self, d: date | datetime) -> bool:
        d = _as_date(d)
        exception = self._exceptions.get(d)
        if exception is not None:
            return exception
        return d.weekday() not in self.weekend_days

    def next_working_day(self, d: date | datetime, *, include: bool = False) -> date:
        """The first working day after ``d`` (or ``d`` itself when ``include`` and it works)."""
        d = _as_date(d)
        if not include:
            d += timedelta(days=1)
        # Bounded: a year holds far more working days than any exception list can remove.
        for _i in range(800):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError("no working day within 800 days: check the holiday calendar")

    # --- deadlines ------------------------------------------------------------------------

    def receipt_day(self, start: datetime, rule: CountingRule | None = None) -> date:
        """The working day a receipt at ``start`` counts as (steps 1 of the module docstring)."""
        rule = rule or CountingRule()
        local = to_local(start)
        day = local.date()
        cutoff = rule.cutoff
        if not rule.start_next_working_day:
            # A receipt after the day's due time cannot count that day as day 1.
            cutoff = min(cutoff or rule.due_time, rule.due_time)
        late = cutoff is not None and local.time() > cutoff
        if late or not self.is_working_day(day):
            return self.next_working_day(day)
        return day

    def add_working_days(self, start: datetime, n: int, rule: CountingRule | None = None) -> datetime:
        """The deadline ``n`` working days after a receipt at ``start``: local, tz-aware."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0 or n > MAX_WORKING_DAYS:
            raise ValueError(f"n must be an integer from 0 to {MAX_WORKING_DAYS}")
        rule = rule or CountingRule()
        received = self.receipt_day(start, rule)
        if n == 0:
            due = datetime.combine(received, rule.due_time, tzinfo=TZ)
            return max(due, to_local(start))
        day = received
        remaining = n
        if not rule.start_next_working_day:
            remaining -= 1  # the receipt day is day 1
        while remaining > 0:
            day = self.next_working_day(day)
            remaining -= 1
        return datetime.combine(day, rule.due_time, tzinfo=TZ)

    def working_days_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days ``d`` with ``start < d <= end`` (local dates); negative when ``end`` is
        before ``start``. ``working_days_between(t, add_working_days(t, n))`` is ``n`` for a
        receipt on a working day before the cutoff under the default rule."""
        a, b = _as_date(start), _as_date(end)
        if b < a:
            return -self.working_days_between(b, a)
        total = (b - a).days
        weeks, rest = divmod(total, 7)
        count = weeks * (7 - len(self.weekend_days))
        for i in range(1, rest + 1):
            if (a + timedelta(days=weeks * 7 + i)).weekday() not in self.weekend_days:
                count += 1
        lo = bisect.bisect_right(self._sorted, a)
        hi = bisect.bisect_right(self._sorted, b)
        for d in self._sorted[lo:hi]:
            count += int(self._exceptions[d]) - int(d.weekday() not in self.weekend_days)
        return count

    def days_off(self, year: int) -> list[date]:
        """Every non-working day of ``year`` (for calendars and tests)."""
        d = date(year, 1, 1)
        out = []
        while d.year == year:
            if not self.is_working_day(d):
                out.append(d)
            d += timedelta(days=1)
        return out


# --- the process-wide snapshot --------------------------------------------------------------

_lock = threading.Lock()
_snapshot: dict[str, Any] = {"key": None, "calendar": None}


def weekend_days_setting() -> tuple[int, ...]:
    return tuple(getattr(settings, "TINHSO_WEEKEND_DAYS", DEFAULT_WEEKEND_DAYS))


def _state_key() -> tuple:
    """Changes whenever a Holiday row is added, changed or deleted (in this transaction's view)."""
    from django.db.models import Count, Max

    from .models import Holiday

    agg = Holiday.objects.aggregate(n=Count("id"), last=Max("updated_at"), maxid=Max("id"))
    return (agg["n"], agg["last"], agg["maxid"], weekend_days_setting())


def get_calendar() -> WorkingCalendar:
    """The current calendar snapshot (reloaded when the Holiday table changed)."""
    from .models import Holiday

    key = _state_key()
    cached = _snapshot
    if cached["key"] == key and cached["calendar"] is not None:
        return cached["calendar"]
    exceptions = {
        d: kind == "makeup_workday" for d, kind in Holiday.objects.values_list("date", "kind")
    }
    calendar = WorkingCalendar(exceptions, weekend_days=key[-1])
    with _lock:
        _snapshot["key"] = key
        _snapshot["calendar"] = calendar
    return calendar


def clear_cache() -> None:
    with _lock:
        _snapshot["key"] = None
        _snapshot["calendar"] = None


def is_working_day(d: date | datetime) -> bool:
    return get_calendar().is_working_day(d)


def next_working_day(d: date | datetime, *, include: bool = False) -> date:
    return get_calendar().next_working_day(d, include=include)


def add_working_days(start: datetime, n: int, rule: CountingRule | None = None) -> datetime:
    return get_calendar().add_working_days(start, n, rule)


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    return get_calendar().working_days_between(start, end)
