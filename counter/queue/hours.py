"""When an office works: opening hours, issuing cut-off, Saturdays, holidays and business days."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from counter.texts import say


@dataclass(frozen=True)
class OfficeHours:
    opens: time = time(8, 30)
    closes: time = time(16, 30)
    saturday: bool = False
    # Off: issuing pauses over lunch (GECC counts lunch-hour service as service outside hours).
    lunch_service: bool = True
    lunch_starts: time = time(12, 0)
    lunch_ends: time = time(13, 0)
    # Off: the office issues at any hour (a demo, or a 24-hour service point).
    enforced: bool = True


def issuing_refusal(
    hours: OfficeHours,
    local_now: datetime,
    *,
    cutoff: time | None = None,
    holidays: Container[date] = (),
) -> tuple[str, str] | None:
    """None when a ticket may be issued now; otherwise the reason in Thai and English."""
    if not hours.enforced:
        return None
    day = local_now.date()
    if day in holidays:
        return say("closed_holiday")
    if not is_business_day(hours, day):
        return say("closed_today")
    now = local_now.time()
    last = min(cutoff, hours.closes) if cutoff else hours.closes
    if now < hours.opens:
        return say("not_open_yet", time=hours.opens.strftime("%H.%M"))
    if not hours.lunch_service and hours.lunch_starts <= now < hours.lunch_ends:
        return say("lunch", time=hours.lunch_ends.strftime("%H.%M"))
    if now >= last:
        return say("closed_now", time=last.strftime("%H.%M"))
    return None


# A deadline search never needs more than this: a year of holidays cannot hide every weekday.
_MAX_DAYS_SEARCHED = 3660


def next_issuing_opening(
    hours: OfficeHours, local_now: datetime, holidays: Container[date] = ()
) -> datetime | None:
    """When ticket issuing opens again (in `local_now`'s time zone), or None while it is open
    (or the office issues at any hour): after lunch when issuing pauses for it, at opening time
    later today, else at opening time on the next business day."""
    if issuing_refusal(hours, local_now, holidays=holidays) is None:
        return None
    day, now = local_now.date(), local_now.time()
    if is_business_day(hours, day, holidays):
        if now < hours.opens:
            return datetime.combine(day, hours.opens, local_now.tzinfo)
        if not hours.lunch_service and hours.lunch_starts <= now < hours.lunch_ends:
            return datetime.combine(day, hours.lunch_ends, local_now.tzinfo)
    for _ in range(_MAX_DAYS_SEARCHED):
        day += timedelta(days=1)
        if is_business_day(hours, day, holidays):
            return datetime.combine(day, hours.opens, local_now.tzinfo)
    raise ValueError("no business day found; check the holiday list")


def is_business_day(hours: OfficeHours, day: date, holidays: Container[date] = ()) -> bool:
    """A day the office works: not a holiday, not Sunday, not Saturday unless it opens then."""
    if day in holidays:
        return False
    weekday = day.weekday()
    return not (weekday == 6 or (weekday == 5 and not hours.saturday))


def add_business_days(
    hours: OfficeHours, day: date, count: int, holidays: Container[date] = ()
) -> date:
    """The `count`-th business day after `day` (`day` itself never counts, whatever it is).

    Count 0 gives `day` itself. Used for deadlines counted in business days ("acknowledge within
    1 business day": the work may take until the end of the next business day)."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    remaining = count
    for _ in range(_MAX_DAYS_SEARCHED):
        if remaining == 0:
            return current
        current += timedelta(days=1)
        if is_business_day(hours, current, holidays):
            remaining -= 1
    raise ValueError("no business day found; check the holiday list")
