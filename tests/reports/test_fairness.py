"""Fairness evidence on a synthetic month: calls made by call-next count as in policy order,
calls by number as out of order with their reasons, and priority and normal waits match what
the test itself timed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Staff
from counter.queue.states import Action
from counter.service import QueueService
from reports import periods
from reports.service import ReportService
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, login

BKK = ZoneInfo("Asia/Bangkok")
# Counter 1 serves civil registration and ID cards; these four tickets arrive each morning.
ARRIVALS = [("birth", None), ("birth", "elderly"), ("id_card_first", None), ("move_in", None)]


def staff(database: Database, username: str) -> StaffPrincipal:
    with database.read() as session:
        row = session.exec(select(Staff).where(Staff.username == username)).one()
    assert row.id is not None
    return StaffPrincipal(row.id, row.office_id, row.username, row.display_name, Role(row.role))


def workdays(year: int, month: int) -> list[date]:
    day, out = date(year, month, 1), []
    while day.month == month:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


async def synthetic_month(
    queue: QueueService, clock: FakeClock, database: Database
) -> dict[str, object]:
    """A month of mornings at counter 1; every third day the last arrival is called first, by
    number, with a reason. Returns what happened, counted by the test itself."""
    me = staff(database, "staff1")
    expected_calls: dict[str, Counter[str]] = defaultdict(Counter)
    out_of_order: list[tuple[str, str]] = []
    waits: dict[str, list[float]] = {"priority": [], "normal": []}
    for n, day in enumerate(workdays(2026, 11)):
        clock.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=BKK).astimezone(UTC)
        issued = {}
        for code, priority in ARRIVALS:
            view = await queue.issue_ticket(1, code, priority, staff_id=me.staff_id)
            issued[view.id] = (code, priority, clock.now)
            clock.advance(minutes=1)
        clock.advance(minutes=10)
        await queue.open_counter(me, 1)
        pending = list(issued)
        if n % 3 == 0:
            last = pending[-1]
            note = "คนพิการ นั่งรถเข็น"
            view = await queue.call_ticket(me, last, 1, note)
            expected_calls[issued[last][0]]["out_of_order"] += 1
            out_of_order.append((view.number, note))
            pending.remove(last)
            await serve(queue, me, clock, view.id, issued, waits)
        while pending:
            view = await queue.call_next(me, 1)
            assert view is not None
            expected_calls[issued[view.id][0]]["in_order"] += 1
            pending.remove(view.id)
            await serve(queue, me, clock, view.id, issued, waits)
        await queue.close_counter(me, 1)
    return {"calls": expected_calls, "out_of_order": out_of_order, "waits": waits}


async def serve(
    queue: QueueService,
    me: StaffPrincipal,
    clock: FakeClock,
    ticket_id: int,
    issued: dict[int, tuple[str, str | None, datetime]],
    waits: dict[str, list[float]],
) -> None:
    _, priority, at = issued[ticket_id]
    waits["priority" if priority else "normal"].append((clock.now - at).total_seconds())
    await queue.act(me, ticket_id, Action.START)
    clock.advance(minutes=4)
    await queue.act(me, ticket_id, Action.FINISH)
    clock.advance(seconds=30)


@pytest.mark.usefixtures("demo")
async def test_fairness_on_a_synthetic_month(
    queue: QueueService, clock: FakeClock, database: Database
) -> None:
    happened = await synthetic_month(queue, clock, database)
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    reports = ReportService(database, clock)
    got = await reports.fairness(1, periods.month(date(2026, 11, 1)), include_staff=True)

    calls = happened["calls"]
    assert isinstance(calls, dict)
    lines = {line["code"]: line for line in got["by_service"]}
    assert set(lines) == set(calls)
    for code, counted in calls.items():
        line = lines[code]
        assert line["in_order"] == counted["in_order"], code
        assert line["out_of_order"] == counted["out_of_order"], code
        assert line["calls"] == counted["in_order"] + counted["out_of_order"]
        total = counted["in_order"] + counted["out_of_order"]
        assert line["in_order_pct"] == pytest.approx(counted["in_order"] / total * 100)
    overall = got["overall"]
    assert overall["calls"] == 4 * len(workdays(2026, 11))
    # Call-next chose the elderly ticket for its priority turn at least once a day.
    assert overall["by_reason"]["priority"] >= len(workdays(2026, 11)) - overall["out_of_order"]

    listed = got["out_of_order"]
    assert [(c["number"], c["note"]) for c in listed] == happened["out_of_order"]
    assert all(c["counter"] == 1 and c["staff"] == "เจ้าหน้าที่ 1" for c in listed)
    assert all(c["service_th"] == "แจ้งย้ายเข้า" for c in listed)

    waits = happened["waits"]
    assert isinstance(waits, dict)
    for kind in ("priority", "normal"):
        engine = overall[f"{kind}_wait"]
        assert engine["waited"] == len(waits[kind])
        assert engine["wait"]["mean"] == pytest.approx(mean(waits[kind]), abs=1)


@pytest.mark.usefixtures("demo")
async def test_fairness_api_is_for_managers(app_client: httpx.AsyncClient, demo: Demo) -> None:
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    staff1 = await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])
    url = "/api/v1/reports/fairness?period=month&on=2026-11-01"
    r = await app_client.get(url, headers=manager)
    assert r.status_code == 200 and r.json()["overall"]["calls"] == 0
    assert (await app_client.get(url, headers=staff1)).status_code == 403
