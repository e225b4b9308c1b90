"""What an office may be configured to: each check returns the clean value or raises
InvalidInput with a Thai and an English message naming the field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from admin.text import message
from counter.auth import DeviceKind, Role
from counter.queue.errors import InvalidInput
from counter.queue.numbering import MAX_DAILY_NUMBER, valid_prefix
from counter.queue.policy import CounterPolicy, ServeMode, ServiceSlot
from printer.config import PrinterConfig, PrinterConfigError

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_SERVICE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

MAX_MINUTES = 480
MAX_SHARE = 20
MAX_WEIGHT = 100
MAX_POSITION = 9999
MAX_COUNTER = 9999


def invalid(key: str, **values: object) -> InvalidInput:
    return InvalidInput(*message(key, **values))


def text(value: str | None, field: str, max_len: int, *, required: str | None = None) -> str:
    clean = (value or "").strip()
    if required and not clean:
        raise invalid(required)
    if len(clean) > max_len:
        raise invalid("too_long", field=field, max=max_len)
    return clean


def clock_time(value: str, field: str) -> time:
    match = _TIME.match(value.strip())
    if not match:
        raise invalid("time_format", field=field)
    return time(int(match.group(1)), int(match.group(2)))


def optional_time(value: str | None, field: str) -> time | None:
    return clock_time(value, field) if value and value.strip() else None


def whole(value: int, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise invalid("range", field=field, low=low, high=high)
    return value


def percent(value: float, field: str) -> float:
    if not 0 <= value <= 100:
        raise invalid("range", field=field, low=0, high=100)
    return round(value, 1)


def one_of(value: str, field: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise invalid("choice", field=field, choices=", ".join(choices))
    return value


def timezone(value: str) -> str:
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("timezone", value=name) from None
    return name


def office_hours(opens: str, closes: str) -> tuple[time, time]:
    start, end = clock_time(opens, "opens"), clock_time(closes, "closes")
    if start >= end:
        raise invalid("hours_order")
    return start, end


def day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise invalid("date_format", value=value) from None


def prefix(value: str) -> str:
    clean = value.strip().upper()
    if not valid_prefix(clean):
        raise invalid("prefix")
    return clean


def service_code(value: str) -> str:
    clean = value.strip()
    if not _SERVICE_CODE.match(clean):
        raise invalid("service_code")
    return clean


def service_minutes(value: int, field: str) -> int:
    return whole(value, field, 1, MAX_MINUTES)


def daily_cap(value: int | None) -> int | None:
    return None if value is None else whole(value, "daily_cap", 1, MAX_DAILY_NUMBER)


def counter_policy(
    mode: str,
    priority_share: int,
    normal_share: int,
    ageing_cap_minutes: int,
    slots: Sequence[tuple[int, int, int]],
    booked_in_row: int = 2,
) -> CounterPolicy:
    """The counter's ordering as the queue will use it; (service id, position, weight) slots."""
    one_of(mode, "mode", [m.value for m in ServeMode])
    whole(priority_share, "priority_share", 0, MAX_SHARE)
    whole(normal_share, "normal_share", 0, MAX_SHARE)
    whole(ageing_cap_minutes, "ageing_cap_minutes", 1, MAX_MINUTES)
    whole(booked_in_row, "booked_in_row", 0, MAX_SHARE)
    for _, position, weight in slots:
        whole(position, "position", 0, MAX_POSITION)
        whole(weight, "weight", 1, MAX_WEIGHT)
    try:
        # The same object the queue builds from these rows; whatever it refuses, we refuse.
        return CounterPolicy(
            services=tuple(ServiceSlot(sid, position, weight) for sid, position, weight in slots),
            mode=ServeMode(mode),
            priority_share=priority_share,
            normal_share=normal_share,
            ageing_cap=timedelta(minutes=ageing_cap_minutes),
            booked_in_row=booked_in_row,
        )
    except ValueError as exc:
        raise invalid("counter_ratio", detail=str(exc)) from None


def username(value: str) -> str:
    clean = value.strip().lower()
    if not _USERNAME.match(clean):
        raise invalid("username")
    return clean


def role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise invalid("role") from None


def device_kind(value: str) -> DeviceKind:
    try:
        return DeviceKind(value)
    except ValueError:
        raise invalid("device_kind") from None


def printer(kind: DeviceKind, value: str | None) -> str | None:
    """A kiosk's printer setting as typed (checked by the printer package's own parser);
    empty means none. Displays have no printer."""
    clean = (value or "").strip()
    if not clean:
        return None
    if kind is not DeviceKind.KIOSK:
        raise invalid("printer_on_display")
    if len(clean) > 500:
        raise invalid("too_long", field="printer", max=500)
    try:
        PrinterConfig.parse(clean)
    except PrinterConfigError as exc:
        raise invalid("printer_invalid", detail=str(exc)) from None
    return clean
