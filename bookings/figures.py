"""The booking figures of a period (pure): arrivals by channel, punctuality and no-shows.

Definitions (written in the report's footer):
- arrivals: tickets issued in the period (visits). *Booked here*: checked-in bookings made on
  this system's page or by staff; *imported*: checked-in bookings of another system's list;
  *walk-in*: every other ticket.
- punctuality: a checked-in booking is *early* when it checked in before its slot began,
  *on time* within the slot's first 15 minutes (the default check-in window's end), *late*
  after; the mean is of check-in minus slot start, in minutes (negative = early).
- no-show: a booking of a past day, never cancelled, never checked in. A booking of today or
  later that has not checked in is still *pending*.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from bookings.models import Booking
from bookings.rules import Source
from counter.models import Ticket

ON_TIME = timedelta(minutes=15)


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def channel_figures(
    bookings: Iterable[Booking], tickets: Mapping[int, Ticket], visits: int, today: date
) -> dict[str, Any]:
    rows = list(bookings)
    booked_here = imported = 0
    early = on_time = late = 0
    offsets: list[float] = []
    no_show = cancelled = pending = 0
    for b in rows:
        if b.cancelled_at is not None:
            cancelled += 1
            continue
        if b.ticket_id is None or b.checked_in_at is None:
            if b.day < today:
                no_show += 1
            else:
                pending += 1
            continue
        if b.ticket_id not in tickets:
            continue
        if b.source == Source.IMPORT:
            imported += 1
        else:
            booked_here += 1
        offset = b.checked_in_at - b.slot_start
        offsets.append(offset.total_seconds() / 60)
        if offset < timedelta(0):
            early += 1
        elif offset <= ON_TIME:
            on_time += 1
        else:
            late += 1
    checked_in = booked_here + imported
    due = checked_in + no_show
    return {
        "arrivals": {
            "total": visits,
            "walk_in": max(0, visits - checked_in),
            "booked": booked_here,
            "imported": imported,
        },
        "bookings": {
            "made": len(rows),
            "cancelled": cancelled,
            "checked_in": checked_in,
            "no_show": no_show,
            "pending": pending,
            "no_show_pct": _pct(no_show, due),
        },
        "punctuality": {
            "checked_in": checked_in,
            "early": early,
            "on_time": on_time,
            "late": late,
            "on_time_or_early_pct": _pct(early + on_time, checked_in),
            "mean_offset_minutes": round(statistics.fmean(offsets), 1) if offsets else None,
        },
    }
