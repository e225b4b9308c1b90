"""A day end never erases service: a ticket started at 23:40 and finished at 00:04 counts on the
day its service started, in that day's month and fiscal year (DOMAIN.md); so does one held in
the middle of its service at midnight, called back and finished after it.

The night chosen is 30 September → 1 October 2026: the day, the month and the fiscal year all
change at that midnight (FY 2569 ends, FY 2570 begins).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Counter, Ticket
from counter.queue.states import Action
from counter.service import QueueService
from reports import repository as repo
from reports.periods import day, fiscal, month
from reports.service import ReportService
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")

OFFICE = 1
S1 = StaffPrincipal(3, OFFICE, "staff1", "เจ้าหน้าที่ 1", Role.STAFF)
LAST_DAY = date(2026, 9, 30)
FIRST_DAY = date(2026, 10, 1)


def bangkok(d: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(d.year, d.month, d.day, h, m, tzinfo=UTC) - timedelta(hours=7)


async def served(reports: ReportService, period_of: object) -> tuple[int, float | None]:
    summary = await reports.summary(OFFICE, period_of)  # type: ignore[arg-type]
    overall = summary["overall"]
    return overall["served"], overall["service"]["mean"]


async def test_a_service_across_midnight_counts_on_the_day_it_started(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    reports = ReportService(database, clock)
    clock.now = bangkok(LAST_DAY, "23:30")
    t = await queue.issue_ticket(OFFICE, "birth")
    clock.now = bangkok(LAST_DAY, "23:35")
    await queue.call_next(S1, 1)
    clock.now = bangkok(LAST_DAY, "23:40")
    await queue.act(S1, t.id, Action.START)
    clock.now = bangkok(FIRST_DAY, "00:01")
    await queue.issue_ticket(OFFICE, "death")  # the rollover to 1 October runs here

    # Still in service: its day is not final, so it is not sealed as unfinished.
    summary = await reports.summary(OFFICE, day(LAST_DAY))
    assert summary["overall"]["open"] == 1 and summary["overall"]["served"] == 0

    clock.now = bangkok(FIRST_DAY, "00:04")
    done = await queue.act(S1, t.id, Action.FINISH)
    assert done.status == "done"
    # The next day's rollover makes 30 September and 1 October final (sealed rollups).
    clock.now = bangkok(date(2026, 10, 2), "09:00")
    await queue.issue_ticket(OFFICE, "birth")

    service_s = 24 * 60
    assert await served(reports, day(LAST_DAY)) == (1, service_s)
    with database.read() as session:  # read from the sealed rollups now
        assert repo.last_sealed_day(session, OFFICE) == FIRST_DAY
    assert await served(reports, month(LAST_DAY)) == (1, service_s)
    assert await served(reports, fiscal(2569)) == (1, service_s)
    assert await served(reports, day(FIRST_DAY)) == (0, None)
    assert await served(reports, month(FIRST_DAY)) == (0, None)
    assert await served(reports, fiscal(2570)) == (0, None)
    summary = await reports.summary(OFFICE, day(LAST_DAY))
    assert summary["overall"]["unserved"] == 0 and summary["overall"]["open"] == 0


def status_of(database: Database, ticket_id: int) -> str:
    with database.read() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket.status


async def test_a_service_held_across_midnight_keeps_its_service(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    """Held in the middle of its service (the citizen went for a copy) at 23:40, called back
    at 00:02 and finished at 00:04: 10 + 1 minutes of service and 22 held, on 30 September."""
    reports = ReportService(database, clock)
    clock.now = bangkok(LAST_DAY, "23:20")
    t = await queue.issue_ticket(OFFICE, "birth")
    clock.now = bangkok(LAST_DAY, "23:25")
    await queue.call_next(S1, 1)
    clock.now = bangkok(LAST_DAY, "23:30")
    await queue.act(S1, t.id, Action.START)
    clock.now = bangkok(LAST_DAY, "23:40")
    await queue.act(S1, t.id, Action.HOLD)
    clock.now = bangkok(FIRST_DAY, "00:01")
    await queue.issue_ticket(OFFICE, "death")  # the rollover to 1 October runs here

    # Still held at its counter, which stays open for staff to call the citizen back.
    assert status_of(database, t.id) == "held"
    with database.read() as session:
        counter = session.exec(select(Counter).where(Counter.number == 1)).one()
        assert counter.staff_id == S1.staff_id
    summary = await reports.summary(OFFICE, day(LAST_DAY))
    assert summary["overall"]["open"] == 1 and summary["overall"]["unserved"] == 0

    clock.now = bangkok(FIRST_DAY, "00:02")
    await queue.act(S1, t.id, Action.UNHOLD)
    clock.now = bangkok(FIRST_DAY, "00:03")
    await queue.act(S1, t.id, Action.START)
    clock.now = bangkok(FIRST_DAY, "00:04")
    assert (await queue.act(S1, t.id, Action.FINISH)).status == "done"
    clock.now = bangkok(date(2026, 10, 2), "09:00")
    await queue.issue_ticket(OFFICE, "birth")  # 30 September and 1 October are final now

    service_s = (10 + 1) * 60
    assert await served(reports, day(LAST_DAY)) == (1, service_s)
    assert await served(reports, fiscal(2569)) == (1, service_s)
    assert await served(reports, fiscal(2570)) == (0, None)
    summary = await reports.summary(OFFICE, day(LAST_DAY))
    assert summary["overall"]["hold_s"] == 22 * 60
    assert summary["overall"]["unserved"] == 0 and summary["overall"]["open"] == 0


async def test_a_hold_before_service_closes_and_a_forgotten_held_service_closes_next_day(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    """Held before it was started, a ticket has no service to keep: the rollover closes it. One
    held in the middle of its service and never called back is closed at the next rollover,
    like a forgotten service: how it ended is unknown."""
    clock.now = bangkok(LAST_DAY, "23:00")
    started = await queue.issue_ticket(OFFICE, "birth")
    waiting = await queue.issue_ticket(OFFICE, "birth")
    clock.now = bangkok(LAST_DAY, "23:05")
    await queue.call_next(S1, 1)
    await queue.act(S1, started.id, Action.START)
    clock.now = bangkok(LAST_DAY, "23:15")
    await queue.act(S1, started.id, Action.HOLD)
    await queue.call_next(S1, 1)
    clock.now = bangkok(LAST_DAY, "23:20")
    await queue.act(S1, waiting.id, Action.HOLD)  # called, then set aside before a start

    clock.now = bangkok(FIRST_DAY, "08:00")
    await queue.issue_ticket(OFFICE, "death")  # rollover to 1 October
    assert status_of(database, waiting.id) == "unserved"
    assert status_of(database, started.id) == "held"

    clock.now = bangkok(date(2026, 10, 2), "08:00")
    await queue.issue_ticket(OFFICE, "death")  # rollover to 2 October
    assert status_of(database, started.id) == "unserved"
    reports = ReportService(database, clock)
    summary = await reports.summary(OFFICE, day(LAST_DAY))
    assert summary["overall"]["unserved"] == 2 and summary["overall"]["served"] == 0
