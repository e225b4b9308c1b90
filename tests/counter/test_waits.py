"""The wait every surface shows, against the real thing: the forecast at one instant, then the
counters actually calling through the service layer (on SQLite and PostgreSQL) with each call
lasting its service's standard time; every ticket must be called where and when it was told."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select

from counter.auth import DeviceKind, Role, StaffPrincipal, add_device
from counter.db import Database
from counter.models import Counter, CounterService, Office, Service
from counter.queue.states import Action
from counter.service import QueueService
from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

OFFICE = 1
# Demo accounts: 1 admin, 2 manager, 3 staff1, 4 staff2 — one per counter.
CREW = {
    n: StaffPrincipal(n, OFFICE, f"s{n}", f"Staff {n}", role)
    for n, role in [(1, Role.ADMIN), (2, Role.MANAGER), (3, Role.STAFF), (4, Role.STAFF)]
}

# (minute issued, service, priority): four counters with overlapping services (demo office).
ARRIVALS = [
    (0, "birth", None),
    (1, "id_card_renewal", None),
    (2, "move_in", None),
    (3, "marriage", None),
    (4, "birth", None),
    (5, "id_card_first", None),
    (6, "divorce", None),
    (7, "complaint_intake", None),
    (8, "move_destination", "elderly"),
    (9, "firearm_licence_intake", None),
    (10, "birth", None),
    (11, "id_card_renewal", "monk"),
    (12, "marriage", None),
    (13, "death", None),
    (14, "id_card_renewal", None),
    (15, "surname_by_marriage", None),
    (16, "birth", "pregnant"),
    (17, "move_in", None),
]


def configure(database: Database) -> None:
    """Make the rules matter: a 1:2 priority ratio, a weighted counter, a short ageing cap."""
    with database.write() as session:
        counters = {c.number: c for c in session.exec(select(Counter)).all()}
        counters[1].priority_share, counters[1].normal_share = 1, 2
        counters[2].ageing_cap_minutes = 25
        counters[3].mode = "weight"
        for row in session.exec(
            select(CounterService).where(CounterService.counter_id == counters[3].id)
        ).all():
            row.weight = 2 if row.position == 0 else 1


async def test_the_forecast_matches_the_counters_actually_calling(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    configure(database)
    start = clock.now
    ids = []
    for minute, service, priority in ARRIVALS:
        clock.now = start + timedelta(minutes=minute)
        ids.append((await queue.issue_ticket(OFFICE, service, priority)).id)
    t0 = clock.advance(minutes=2)
    # Issuing has closed: nobody else will come, so the forecast foresees no arrivals and the
    # counters calling below must meet it exactly.
    with database.write() as session:
        office = session.exec(select(Office)).one()
        office.hours_enforced = True
        office.closes = t0.astimezone(ZoneInfo(office.timezone)).time()
    for number, actor in CREW.items():
        await queue.open_counter(actor, number)
    told = {tid: await queue.ticket(OFFICE, tid) for tid in ids}

    with database.read() as session:
        minutes = {s.id: s.standard_minutes for s in session.exec(select(Service)).all()}
        serves: dict[int, set[int]] = {}
        number_of = {c.id: c.number for c in session.exec(select(Counter)).all()}
        for row in session.exec(select(CounterService)).all():
            serves.setdefault(number_of[row.counter_id], set()).add(row.service_id)

    # The real thing: whichever counter is free first (lowest number on a tie) calls next, and
    # keeps the citizen for the standard time of the service (no history: the forecast's prior).
    free = {number: t0 for number in CREW}
    calls: list[tuple[int, int, int, timedelta]] = []  # (counter, ticket, service, wait)
    while free:
        number = min(free, key=lambda n: (free[n], n))
        clock.now = free[number]
        view = await queue.call_next(CREW[number], number)
        if view is None:
            del free[number]
            continue
        await queue.act(CREW[number], view.id, Action.START)
        calls.append((number, view.id, view.service_id, clock.now - t0))
        free[number] = clock.now + timedelta(minutes=minutes[view.service_id])

    assert sorted(tid for _, tid, _, _ in calls) == sorted(ids)
    for place, (_, tid, service_id, wait) in enumerate(calls):
        ahead = sum(1 for number, *_ in calls[:place] if service_id in serves[number])
        waited = wait.total_seconds() / 60
        view = told[tid]
        assert view.waiting_ahead == ahead, view.number
        expected = 0 if ahead == 0 and waited == 0 else max(1, round(waited))
        assert view.estimated_wait_minutes == expected, view.number
        low, high = view.estimated_wait_range
        # Whole minutes: a call within the minute is "1 minute" once someone is ahead.
        assert low <= (waited if expected == 0 else max(1, waited)) <= high, view.number
    # The rules mattered: some ticket was called out of its issue order, and one across services.
    assert [tid for _, tid, _, _ in calls] != sorted(ids)


async def test_nobody_is_told_zero_minutes_while_every_counter_is_busy(
    queue: QueueService, clock: FakeClock
) -> None:
    for number, actor in CREW.items():
        await queue.open_counter(actor, number)
    for service in ("birth", "id_card_renewal", "marriage", "complaint_intake"):
        await queue.issue_ticket(OFFICE, service)
    for number, actor in CREW.items():
        view = await queue.call_next(actor, number)
        assert view is not None
        await queue.act(actor, view.id, Action.START)
    clock.advance(minutes=1)
    for service in ("birth", "id_card_renewal", "marriage", "complaint_intake"):
        view = await queue.issue_ticket(OFFICE, service)
        assert view.estimated_wait_minutes >= 1 and view.estimated_wait_range[0] >= 1, service
    second = await queue.issue_ticket(OFFICE, "birth")
    assert second.waiting_ahead >= 1 and second.estimated_wait_minutes >= 1


async def test_the_kiosk_list_tells_what_a_ticket_taken_now_is_then_told(
    queue: QueueService, clock: FakeClock
) -> None:
    await queue.open_counter(CREW[1], 1)
    for service in ("birth", "id_card_renewal", "birth", "move_in"):
        await queue.issue_ticket(OFFICE, service)
    listed = {q.service: q for q in await queue.queue(OFFICE)}
    for service in ("birth", "id_card_renewal", "marriage"):
        view = await queue.issue_ticket(OFFICE, service)
        q = listed[service]
        assert (view.waiting_ahead, view.estimated_wait_range) == (
            q.waiting_ahead,
            q.estimated_wait_range,
        ), service
        listed = {q.service: q for q in await queue.queue(OFFICE)}


async def test_finished_calls_teach_the_estimate_the_real_pace(
    queue: QueueService, clock: FakeClock
) -> None:
    await queue.open_counter(CREW[4], 4)
    for _ in range(12):
        await queue.issue_ticket(OFFICE, "complaint_intake")
    before = (await queue.issue_ticket(OFFICE, "complaint_intake")).estimated_wait_minutes
    for _ in range(12):
        view = await queue.call_next(CREW[4], 4)
        assert view is not None
        await queue.act(CREW[4], view.id, Action.START)
        clock.advance(minutes=2)  # far quicker than the standard
        await queue.act(CREW[4], view.id, Action.FINISH)
    for _ in range(12):
        await queue.issue_ticket(OFFICE, "complaint_intake")
    after = await queue.issue_ticket(OFFICE, "complaint_intake")
    assert after.waiting_ahead == 13
    assert after.estimated_wait_minutes < before / 2


async def test_priority_tickets_arriving_steadily_lengthen_a_normal_tickets_wait(
    queue: QueueService, clock: FakeClock
) -> None:
    # Counter 1 alone (civil registration first). Over the last hour a priority birth
    # registration came every 30 minutes and was served in the standard 10 minutes.
    start = clock.now
    await queue.open_counter(CREW[1], 1)
    for minute in (0, 30):
        clock.now = start + timedelta(minutes=minute)
        await queue.issue_ticket(OFFICE, "birth", "elderly")
        view = await queue.call_next(CREW[1], 1)
        assert view is not None and view.priority == "elderly"
        await queue.act(CREW[1], view.id, Action.START)
        clock.advance(minutes=10)
        await queue.act(CREW[1], view.id, Action.FINISH)
    clock.now = start + timedelta(minutes=60)
    views = [await queue.issue_ticket(OFFICE, "birth") for _ in range(4)]
    last = await queue.ticket(OFFICE, views[-1].id)
    # Worked independently: 3 ahead at 10 minutes is 30 minutes of work; priority tickets
    # (one every 30 minutes, 10 minutes each) take a third of the counter meanwhile, so the
    # call comes at t = 30 + t / 3, about 45 minutes; the replay counts whole calls.
    assert last.waiting_ahead == 3
    assert last.estimated_wait_minutes > 30
    assert abs(last.estimated_wait_minutes - 30 / (1 - 10 / 30)) <= 10
    assert views[-1].estimated_wait_minutes == last.estimated_wait_minutes


class TestApiFields:
    async def test_ticket_kiosk_answer_status_page_and_kiosk_list(
        self, app_client: httpx.AsyncClient, database: Database, clock: FakeClock
    ) -> None:
        with database.write() as session:
            _, token = add_device(session, OFFICE, DeviceKind.KIOSK, "k", clock())
        kiosk = {"Authorization": f"Bearer {token}"}
        staff = await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])
        await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=staff)
        r = await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=kiosk)
        t = r.json()
        assert r.status_code == 201
        assert t["waiting_ahead"] == 1 and t["estimated_wait_minutes"] >= 1
        low, high = t["estimated_wait_range"]
        assert 1 <= low <= t["estimated_wait_minutes"] <= high
        assert t["wait_th"] == f"รอ 1 คิว (ประมาณ {low}–{high} นาที)"
        assert t["wait_en"] == f"1 ahead (about {low}–{high} min)"

        staff_view = (await app_client.get(f"/api/v1/tickets/{t['id']}", headers=staff)).json()
        status = (
            await app_client.get(f"/api/v1/status/{t['status_url'].rsplit('/', 1)[1]}")
        ).json()
        for body in (staff_view, status):
            assert body["waiting_ahead"] == 1
            assert body["estimated_wait_minutes"] == t["estimated_wait_minutes"]
            assert body["estimated_wait_range"] == [low, high]

        listing = (await app_client.get("/api/v1/kiosk/services", headers=kiosk)).json()
        services = {s["code"]: s for g in listing["groups"] for s in g["services"]}
        assert services["birth"]["waiting"] == 2 and services["birth"]["waiting_ahead"] == 2
        assert services["birth"]["wait_th"].startswith("รอ 2 คิว (ประมาณ ")
        assert services["divorce"]["estimated_wait_range"][1] >= 1
        queue_api = (await app_client.get("/api/v1/queue", headers=staff)).json()
        birth = next(s for s in queue_api["services"] if s["service"] == "birth")
        assert birth["waiting_ahead"] == 2 and len(birth["estimated_wait_range"]) == 2
