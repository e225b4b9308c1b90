"""Pure booking rules: the slots of a day, their capacity, when booking for a day is open, the
check-in window, codes and phone numbers. No database, no clock: time is a parameter."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from counter.queue.hours import OfficeHours, is_business_day


class Source(StrEnum):
    WEB = "web"
    STAFF = "staff"
    IMPORT = "import"


@dataclass(frozen=True)
class ServiceRules:
    """How one service is booked (bookings.models.BookableService, or the defaults)."""

    enabled: bool = True
    slot_minutes: int = 30
    # None: derived (see capacity_of).
    capacity: int | None = None
    share_pct: int = 50
    window_days: int = 15
    cutoff: time = time(16, 0)


@dataclass(frozen=True)
class OfficeRules:
    check_in_before: int = 30
    check_in_after: int = 15
    per_phone_per_day: int = 2


def capacity_of(counters: int, slot_minutes: int, standard_minutes: int, share_pct: int) -> int:
    """Bookings one slot takes: the citizens the counters serving the service can see in a slot
    at the standard time, times the share offered to bookings (the rest is for walk-ins)."""
    if counters <= 0 or slot_minutes <= 0:
        return 0
    per_counter = slot_minutes / max(1, standard_minutes)
    return math.floor(counters * per_counter * share_pct / 100)


def slot_times(hours: OfficeHours, slot_minutes: int, last: time | None = None) -> list[time]:
    """The local start times of a day's slots: from opening, every `slot_minutes`, each ending
    by closing (or the service's issuing cut-off); none over lunch when the office stops then."""
    end = min(last, hours.closes) if last else hours.closes
    day = date(2000, 1, 3)  # any day: only the times matter
    at = datetime.combine(day, hours.opens)
    stop = datetime.combine(day, end)
    step = timedelta(minutes=slot_minutes)
    lunch = (datetime.combine(day, hours.lunch_starts), datetime.combine(day, hours.lunch_ends))
    out = []
    while at + step <= stop:
        over_lunch = at < lunch[1] and at + step > lunch[0]
        if hours.lunch_service or not over_lunch:
            out.append(at.time())
        at += step
    return out


def booking_refusal(
    rules: ServiceRules,
    hours: OfficeHours,
    holidays: Container[date],
    day: date,
    local_now: datetime,
    *,
    staff: bool = False,
) -> str | None:
    """None when `day` may be booked now; else the key of the reason (bookings.text.ERR).

    Staff booking for a caller may book today and past the cut-off; the window still holds."""
    if not rules.enabled:
        return "not_bookable"
    today = local_now.date()
    if day < today or (day == today and not staff):
        return "too_soon"
    if day > today + timedelta(days=rules.window_days):
        return "too_far"
    if day in holidays:
        return "holiday"
    if not is_business_day(hours, day):
        return "closed_day"
    if not staff and day == today + timedelta(days=1) and local_now.time() >= rules.cutoff:
        return "past_cutoff"
    return None


class Window(StrEnum):
    EARLY = "early"
    OPEN = "open"
    LATE = "late"


def check_in_window(slot_start: datetime, now: datetime, rules: OfficeRules) -> Window:
    """Whether a booking may check in now: from `check_in_before` minutes before its slot to
    `check_in_after` minutes after its start; later, the citizen takes a walk-in ticket."""
    if now < slot_start - timedelta(minutes=rules.check_in_before):
        return Window.EARLY
    if now > slot_start + timedelta(minutes=rules.check_in_after):
        return Window.LATE
    return Window.OPEN


CODE_DIGITS = 8
_CODE_CLEAN = re.compile(r"[\s\-]+")
_CODE_OK = re.compile(r"^[A-Z0-9]{4,32}$")


def new_code() -> str:
    """A booking code of digits only (a kiosk keypad types it); unguessable enough that a
    rate-limited stranger cannot find someone's booking to cancel it."""
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def normalise_code(text: str) -> str | None:
    """A typed or scanned code as stored: no spaces or dashes, capitals; None if it cannot be."""
    code = _CODE_CLEAN.sub("", text or "").upper()
    # A scanned QR may carry the booking page's address; the code is its last part.
    code = code.rsplit("/", 1)[-1].rsplit("=", 1)[-1]
    return code if _CODE_OK.match(code) else None


_PHONE_CLEAN = re.compile(r"[\s\-().]+")


def normalise_phone(text: str) -> str | None:
    """A Thai phone number as ten (or nine, a landline) digits starting with 0; None if not."""
    phone = _PHONE_CLEAN.sub("", text or "")
    if phone.startswith("+66"):
        phone = "0" + phone[3:]
    elif phone.startswith("66") and len(phone) == 11:
        phone = "0" + phone[2:]
    if re.fullmatch(r"0\d{8,9}", phone):
        return phone
    return None


def format_code(code: str) -> str:
    """How a code is shown: our eight digits in two groups ("1234 5678"); others as they are."""
    if len(code) == CODE_DIGITS and code.isdigit():
        return f"{code[:4]} {code[4:]}"
    return code
