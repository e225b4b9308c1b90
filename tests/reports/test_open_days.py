"""Per-day averages (the hourly profile, the heat map) divide by the days the office was open:
a day with a ticket or an open counter counts, a day with neither does not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.service import QueueService
from reports.periods import custom
from reports.service import ReportService
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")

S1 = StaffPrincipal(3, 1, "staff1", "เจ้าหน้าที่ 1", Role.STAFF)


def bangkok(d: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(d.year, d.month, d.day, h, m, tzinfo=UTC) - timedelta(hours=7)


async def test_per_day_averages_divide_by_the_days_the_office_was_open(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    monday, tuesday, thursday = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 5)
    for day, n in ((monday, 2), (thursday, 1)):
        clock.now = bangkok(day, "09:10")
        for _ in range(n):
            await queue.issue_ticket(1, "birth")
    # Tuesday: a counter was open, nobody came. Wednesday: closed (no ticket, no counter).
    clock.now = bangkok(tuesday, "10:00")
    await queue.open_counter(S1, 1)
    clock.now = bangkok(tuesday, "11:00")
    await queue.close_counter(S1, 1)
    clock.now = bangkok(date(2026, 11, 6), "12:00")

    dash = await ReportService(database, clock).dashboard(1, custom(monday, date(2026, 11, 6)))
    assert dash["open_days"] == 3
    [nine] = [h for h in dash["hourly"] if h["hour"] == 9]
    assert nine["arrivals_total"] == 3 and nine["arrivals_per_day"] == pytest.approx(3 / 3)
    [ten] = [h for h in dash["hourly"] if h["hour"] == 10]
    assert ten["open_counters"] == pytest.approx(1 / 3)
    # The heat map divides each weekday by its own open days (one Monday, one Thursday).
    assert dash["heatmap"]["days"][:5] == [1, 1, 0, 1, 0]
