"""The fairness evidence, the staff assessment and the counter time read rollups (calls by
reason, each line's priority and normal waits, the staff breakdown, the counter sessions of each
day), sealed day by day and merged by month. On a synthetic month their figures equal a recount
made here from the raw tickets, ticket events and counter events — for the whole month (the
month rollup), for a run of days (the day rollups) and before anything is sealed (the log read
live)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from counter.db import Database
from counter.models import CounterEvent, Office, Service, Ticket, TicketEvent
from reports import repository as repo
from reports.metrics import Event, transactions_of
from reports.periods import Period, custom, month
from reports.service import ReportService
from reports.synthetic import OfficeShape
from tests.conftest import Demo, FakeClock
from tests.reports.conftest import insert_history

pytestmark = pytest.mark.usefixtures("demo")

FIRST, LAST = date(2025, 11, 1), date(2025, 11, 30)


@pytest.fixture
def month_of_history(database: Database, demo: Demo) -> None:
    # Enough out-of-order calls and priority tickets to count.
    insert_history(database, FIRST, LAST, OfficeShape(tickets_per_year=15_000, survey=0.2), seed=11)


def _stats(values: list[int]) -> dict[str, Any]:
    """n, mean, median, nearest-rank P90 and max, counted here."""
    if not values:
        return {"n": 0, "mean": None, "median": None, "p90": None, "max": None}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "mean": statistics.fmean(ordered),
        "median": statistics.median(ordered),
        "p90": ordered[max(1, math.ceil(0.9 * len(ordered))) - 1],
        "max": ordered[-1],
    }


def recount(database: Database, period: Period) -> dict[str, Any]:
    """Calls by reason, out-of-order calls, waits by line and per-staff figures, from the raw
    ticket and event rows of the period's business days."""
    with database.read() as session:
        tickets = {
            tid: (number, priority)
            for tid, number, priority in session.execute(
                sa.select(Ticket.id, Ticket.number, Ticket.priority).where(
                    Ticket.office_id == 1,
                    Ticket.business_day >= period.first,
                    Ticket.business_day <= period.last,
                )
            )
        }
        events: dict[int, list[Any]] = defaultdict(list)
        for row in session.execute(
            sa.select(
                TicketEvent.ticket_id,
                TicketEvent.seq,
                TicketEvent.kind,
                TicketEvent.at,
                TicketEvent.transaction_no,
                TicketEvent.service_id,
                TicketEvent.counter_id,
                TicketEvent.staff_id,
                TicketEvent.detail,
            ).order_by(TicketEvent.seq)
        ):
            if row[0] in tickets:
                events[row[0]].append(row)
        standards = {
            s.id: s.standard_minutes * 60 for s in session.execute(sa.select(Service)).scalars()
        }
    calls: Counter[tuple[int, str]] = Counter()
    out_of_order: list[tuple[int, str, str]] = []
    waits: dict[tuple[int, bool], list[int]] = {}
    staff: dict[int, Counter[str]] = defaultdict(Counter)
    for tid, rows in events.items():
        number, priority = tickets[tid]
        for _, seq, kind, _at, _txn, sid, _cid, _stid, detail in rows:
            if kind == "called":
                reason = (detail or {}).get("reason") or "normal"
                calls[(sid, reason)] += 1
                if reason == "out_of_order":
                    out_of_order.append((seq, number, (detail or {}).get("note", "")))
        replayed = [Event(*row[1:8]) for row in rows]
        for tx in transactions_of(tid, replayed, priority):
            line = waits.setdefault((tx.service_id, bool(priority)), [])
            if tx.wait_s is not None:
                line.append(tx.wait_s)
            if tx.staff_id is None:
                continue
            mine = staff[tx.staff_id]
            mine["transactions"] += tx.outcome in ("done", "transferred")
            mine["transferred"] += tx.outcome == "transferred"
            mine["no_show"] += tx.outcome == "no_show"
            if tx.service_s is not None:
                mine["within_standard"] += tx.service_s <= standards[tx.service_id]
    return {
        "calls": calls,
        "out_of_order": [(n, note) for _, n, note in sorted(out_of_order)],
        "waits": waits,
        "staff": staff,
        **recount_sessions(database, period),
    }


def recount_sessions(database: Database, period: Period) -> dict[str, Any]:
    """Seconds each counter and each staff member's sessions were open, and paused by reason;
    open seconds in all; the days a counter was opened: from the raw counter events (the
    synthetic sessions open and close within their day)."""
    with database.read() as session:
        tz = ZoneInfo(session.get(Office, 1).timezone)  # type: ignore[union-attr]
        start = datetime.combine(period.first, time(0), tz).astimezone(UTC)
        end = datetime.combine(period.last + timedelta(days=1), time(0), tz).astimezone(UTC)
        events = session.execute(
            sa.select(
                CounterEvent.counter_id,
                CounterEvent.kind,
                CounterEvent.at,
                CounterEvent.reason,
                CounterEvent.staff_id,
            )
            .where(CounterEvent.office_id == 1, CounterEvent.at >= start, CounterEvent.at < end)
            .order_by(CounterEvent.seq)
        ).all()
    opened: dict[int, tuple[datetime, int]] = {}
    paused: dict[int, tuple[datetime, str]] = {}
    counter_open: Counter[int] = Counter()
    staff_open: Counter[int] = Counter()
    counter_paused: dict[int, Counter[str]] = defaultdict(Counter)
    staff_paused: dict[int, Counter[str]] = defaultdict(Counter)
    open_total = 0.0
    days: set[date] = set()
    for cid, kind, at, reason, staff_id in events:
        if kind == "opened":
            opened[cid] = (at, staff_id)
            days.add(at.astimezone(tz).date())
        elif kind == "paused":
            paused[cid] = (at, reason or "")
        elif kind == "resumed":
            since, why = paused.pop(cid)
            seconds = round((at - since).total_seconds())
            counter_paused[cid][why] += seconds
            staff_paused[opened[cid][1]][why] += seconds
        elif kind == "closed":
            since, who = opened.pop(cid)
            counter_open[cid] += round((at - since).total_seconds())
            staff_open[who] += round((at - since).total_seconds())
            open_total += (at - since).total_seconds()
    assert not opened and not paused
    return {
        "counter_open": counter_open,
        "counter_paused": counter_paused,
        "staff_open": staff_open,
        "staff_paused": staff_paused,
        "open_total": open_total,
        "session_days": days,
    }


async def assert_matches(reports: ReportService, database: Database, period: Period) -> None:
    truth = recount(database, period)
    got = await reports.fairness(1, period, include_staff=True)
    assert sum(truth["calls"].values()) > 300
    for line in got["by_service"]:
        sid = line["service_id"]
        for reason, n in line["by_reason"].items():
            assert n == truth["calls"].get((sid, reason), 0), (sid, reason)
        for priority, key in ((True, "priority_wait"), (False, "normal_wait")):
            expected = truth["waits"].get((sid, priority))
            if expected is None:
                assert line[key] is None
                continue
            assert line[key]["waited"] == len(expected)
            assert line[key]["wait"] == pytest.approx(_stats(expected))
    assert {line["service_id"] for line in got["by_service"]} == {
        sid for sid, _ in truth["calls"]
    } | {sid for sid, _ in truth["waits"]}
    assert got["overall"]["calls"] == sum(truth["calls"].values())
    for priority, key in ((True, "priority_wait"), (False, "normal_wait")):
        pooled = [w for (_, p), ws in truth["waits"].items() if p == priority for w in ws]
        assert got["overall"][key]["wait"] == pytest.approx(_stats(pooled))
    assert [(c["number"], c["note"]) for c in got["out_of_order"]] == truth["out_of_order"]

    people = {p["staff_id"]: p for p in (await reports.staff_assessment(1, period))["staff"]}
    assert set(truth["staff"]) <= set(people)
    for sid, counted in truth["staff"].items():
        p = people[sid]
        assert p["transactions"] == counted["transactions"] > 0, sid
        assert p["within_standard"] == counted["within_standard"], sid
        assert p["no_show"] == counted["no_show"], sid
        assert p["transferred"] == counted["transferred"], sid
        assert p["within_standard_pct"] == pytest.approx(
            counted["within_standard"] / counted["transactions"] * 100
        )
    for sid, p in people.items():
        assert p["open_s"] == truth["staff_open"][sid], sid
        assert p["paused_by_reason"] == dict(truth["staff_paused"][sid]), sid
    assert sum(truth["staff_open"].values()) > 0

    dash = await reports.dashboard(1, period)
    counted_counters = {c for c in truth["counter_open"]} | set(truth["counter_paused"])
    assert {c["counter_id"] for c in dash["counter_time"]} >= counted_counters
    for line in dash["counter_time"]:
        cid = line["counter_id"]
        assert line["open_s"] == truth["counter_open"][cid], cid
        assert line["paused_by_reason"] == dict(truth["counter_paused"][cid]), cid
    assert dash["open_days"] == len(truth["session_days"])  # a counter opened every day
    open_hours = sum(h["open_counters"] for h in dash["hourly"]) * 3600 * dash["open_days"]
    assert open_hours == pytest.approx(truth["open_total"])


@pytest.mark.usefixtures("month_of_history")
async def test_rollup_figures_equal_a_recount_of_the_raw_log(
    database: Database, clock: FakeClock
) -> None:
    reports = ReportService(database, clock)
    whole, days = month(FIRST), custom(date(2025, 11, 3), date(2025, 11, 12))
    # Nothing sealed yet (the office's day rollover has not run): read live from the log.
    await assert_matches(reports, database, days)
    # The rollover has run since: the month is final, sealed day by day and merged.
    with database.write() as session:
        office = session.get(Office, 1)
        assert office is not None
        office.last_business_day = date(2025, 12, 3)
    await assert_matches(reports, database, whole)
    assert recount(database, whole)["out_of_order"]  # the month has calls out of order to list
    with database.read() as session:
        assert repo.last_sealed_day(session, 1) is not None
        assert FIRST in repo.built_months(session, 1)
    await assert_matches(reports, database, days)
