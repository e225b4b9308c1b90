"""Counter sessions: the open and paused intervals of each counter, from its opened / paused /
resumed / closed log, and the day rollup of them (report_day_session) that the dashboard, the
evidence pack and the staff assessment read like the other rollups: seconds open and paused per
day, counter, staff member and pause reason, and open seconds per local hour. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from reports.rollup import OfficeClock, local_day_bounds


@dataclass(frozen=True)
class CounterInterval:
    counter_id: int
    kind: str  # open | paused
    start: datetime
    end: datetime
    reason: str | None = None
    # Who had the counter open (the staff member who opened the session).
    staff_id: int | None = None

    @property
    def seconds(self) -> int:
        return max(0, round((self.end - self.start).total_seconds()))


_SESSION_KINDS = frozenset({"opened", "paused", "resumed", "closed"})


def counter_intervals(
    events: Sequence[Any],
    clock: OfficeClock,
    start: datetime,
    end: datetime,
    now: datetime,
    open_before: Mapping[int, int | None] | None = None,
) -> list[CounterInterval]:
    """Open and paused intervals per counter from its opened/closed/paused/resumed log.

    A session the day-end rollover closed (reason "day_end") is taken to end at the office's
    closing time that day, not when the next morning's first action happened to close it.
    A session begun before `start` — a counter in `open_before` (open now, opened earlier; the
    staff member who holds it) or one whose first event in the log is a pause or a close —
    counts from `start`; one still open counts up to now. Intervals are clipped to [start, end).
    """
    out: list[CounterInterval] = []
    open_at: dict[int, datetime] = dict.fromkeys(open_before or {}, start)
    paused_at: dict[int, tuple[datetime, str | None]] = {}
    opened_by: dict[int, int | None] = dict(open_before or {})
    seen: set[int] = set()

    def day_close(since: datetime) -> datetime:
        local = since.astimezone(clock.tz)
        closing = datetime.combine(local.date(), clock.closes, clock.tz).astimezone(UTC)
        return max(closing, since)

    def add(cid: int, kind: str, a: datetime, b: datetime, reason: str | None = None) -> None:
        a, b = max(a, start), min(b, end)
        if b > a:
            out.append(CounterInterval(cid, kind, a, b, reason, opened_by.get(cid)))

    for cid, kind, at, reason, _seq, *staff in events:
        if kind not in _SESSION_KINDS:
            continue
        if cid not in seen and kind != "opened":
            # The session (or the pause a "resumed" ends) began before the period.
            open_at.setdefault(cid, start)
            opened_by.setdefault(cid, staff[0] if staff else None)
            if kind == "resumed":
                paused_at[cid] = (start, reason)
        seen.add(cid)
        if kind == "opened":
            open_at[cid] = at
            opened_by[cid] = staff[0] if staff else None
        elif kind == "paused":
            paused_at[cid] = (at, reason)
        elif kind in ("resumed", "closed"):
            stop = at
            if kind == "closed" and reason == "day_end" and cid in open_at:
                stop = min(at, day_close(open_at[cid]))
            if cid in paused_at:
                since, why = paused_at.pop(cid)
                add(cid, "paused", since, stop, why)
            if kind == "closed" and cid in open_at:
                add(cid, "open", open_at.pop(cid), stop)
    # Still open now (today): count up to the end of the period or now, whichever first.
    now = min(end, now)
    for cid, since in open_at.items():
        add(cid, "open", since, now)
    for cid, (since, why) in paused_at.items():
        add(cid, "paused", since, now, why)
    return out


def hour_seconds(start: datetime, end: datetime, tz: Any) -> list[tuple[int, float]]:
    """The seconds of [start, end) in each local hour it touches (hour of the day, seconds)."""
    out: list[tuple[int, float]] = []
    offset = start.astimezone(tz).utcoffset()
    if offset is not None and offset == end.astimezone(tz).utcoffset():
        # One UTC offset over the interval (always, without daylight saving): whole-hour
        # arithmetic on local seconds.
        a = start.timestamp() + offset.total_seconds()
        b = end.timestamp() + offset.total_seconds()
        h = int(a // 3600)
        while a < b:
            edge = float((h + 1) * 3600)
            if edge > b:
                edge = b
            out.append((h % 24, edge - a))
            a = edge
            h += 1
        return out
    cur = start
    while cur < end:
        local = cur.astimezone(tz)
        next_hour = (
            local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        ).astimezone(UTC)
        stop = min(next_hour, end)
        out.append((local.hour, (stop - cur).total_seconds()))
        cur = stop
    return out


def open_by_hour(intervals: Iterable[CounterInterval], tz: Any) -> dict[int, float]:
    """Open counter seconds per local hour of the day."""
    out: dict[int, float] = {}
    for i in intervals:
        if i.kind == "open":
            for hour, seconds in hour_seconds(i.start, i.end, tz):
                out[hour] = out.get(hour, 0.0) + seconds
    return out


# ------------------------------------------------------------------ the day rollup

# The day rollover closes every counter's session, except one whose ticket is still in service
# at midnight, and the next rollover closes that: no session reaches more than two days back.
# Reading the log from this long before a day sees the opening of every session in the day.
LOOKBACK = timedelta(days=2)
# The hour of the rows that hold whole intervals (their rounded seconds and how many began that
# day), beside the rows of open seconds per local hour.
WHOLE = -1


@dataclass(frozen=True)
class SessionRow:
    """One row of report_day_session: seconds a counter was open or paused on a local day,
    by who opened the session and why it paused; `hour` WHOLE for the intervals' rounded
    seconds (`starts`: how many began that day), else the seconds all counters were open in
    that local hour (counter and staff 0)."""

    business_day: date
    counter_id: int
    staff_id: int  # 0: nobody recorded
    kind: str  # open | paused
    reason: str  # "" when none
    hour: int
    seconds: float
    starts: int = 0

    def as_row(self, office_id: int) -> dict[str, Any]:
        return {
            "office_id": office_id,
            "business_day": self.business_day,
            "counter_id": self.counter_id,
            "staff_id": self.staff_id,
            "kind": self.kind,
            "reason": self.reason,
            "hour": self.hour,
            "seconds": self.seconds,
            "starts": self.starts,
        }


def day_rows(
    intervals: Iterable[CounterInterval], tz: Any, first: date, last: date
) -> list[SessionRow]:
    """The day rollup of these intervals over the local days `first`..`last`: each interval cut
    at local midnight, its pieces summed per day, counter, staff member, kind and reason (each
    piece's seconds rounded; `starts` counts the intervals that began that day), and the open
    pieces' seconds per local hour, all counters together."""
    lo, hi = local_day_bounds(first, last, tz)
    sums: dict[tuple[date, int, int, str, str, int], list[float]] = {}

    def add(key: tuple[date, int, int, str, str, int], seconds: float, starts: int) -> None:
        entry = sums.get(key)
        if entry is None:
            entry = sums[key] = [0.0, 0]
        entry[0] += seconds
        entry[1] += starts

    for i in intervals:
        cursor, end = max(i.start, lo), min(i.end, hi)
        staff, reason = i.staff_id or 0, i.reason or ""
        while cursor < end:
            day = cursor.astimezone(tz).date()
            stop = min(end, datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC))
            whole = max(0, round((stop - cursor).total_seconds()))
            add((day, i.counter_id, staff, i.kind, reason, WHOLE), whole, int(cursor == i.start))
            if i.kind == "open":
                # The hourly profile counts open counters, whichever: one row per hour.
                for hour, seconds in hour_seconds(cursor, stop, tz):
                    add((day, 0, 0, "open", "", hour), seconds, 0)
            cursor = stop
    return [
        SessionRow(*key, seconds, int(starts)) for key, (seconds, starts) in sorted(sums.items())
    ]


@dataclass
class SessionTotals:
    """A period's counter time, from day rows (stored, or made from the log for days not
    sealed): per counter and per staff member, seconds open and paused by reason; open seconds
    per local hour; the days a counter was opened."""

    open_s: dict[int, int] = field(default_factory=dict)
    paused_s: dict[int, dict[str, int]] = field(default_factory=dict)
    staff_open_s: dict[int, int] = field(default_factory=dict)
    staff_paused_s: dict[int, dict[str, int]] = field(default_factory=dict)
    open_hours: dict[int, float] = field(default_factory=dict)
    open_days: set[date] = field(default_factory=set)

    def add(
        self,
        counter_id: int,
        staff_id: int,
        kind: str,
        reason: str,
        hour: int,
        seconds: float,
    ) -> None:
        if hour != WHOLE:
            self.open_hours[hour] = self.open_hours.get(hour, 0.0) + seconds
            return
        whole = round(seconds)
        if kind == "open":
            self.open_s[counter_id] = self.open_s.get(counter_id, 0) + whole
            if staff_id:
                self.staff_open_s[staff_id] = self.staff_open_s.get(staff_id, 0) + whole
        elif kind == "paused":
            _add_reason(self.paused_s.setdefault(counter_id, {}), reason, whole)
            if staff_id:
                _add_reason(self.staff_paused_s.setdefault(staff_id, {}), reason, whole)

    def add_rows(self, rows: Iterable[SessionRow]) -> None:
        for r in rows:
            self.add(r.counter_id, r.staff_id, r.kind, r.reason, r.hour, r.seconds)
            if r.kind == "open" and r.hour == WHOLE and r.starts:
                self.open_days.add(r.business_day)


def _add_reason(by_reason: dict[str, int], reason: str, seconds: int) -> None:
    by_reason[reason] = by_reason.get(reason, 0) + seconds


def totals_of(
    intervals: Sequence[CounterInterval], tz: Any, first: date, last: date
) -> SessionTotals:
    """The totals of intervals over the local days `first`..`last` (tests, one counter)."""
    totals = SessionTotals()
    totals.add_rows(day_rows(intervals, tz, first, last))
    return totals


def sessions_before(counters: Mapping[int, Any], start: datetime) -> dict[int, int | None]:
    """Counters open now whose session began before `start`: open all along since then."""
    return {
        cid: c.staff_id
        for cid, c in counters.items()
        if c.staff_id is not None and c.opened_at is not None and c.opened_at < start
    }
