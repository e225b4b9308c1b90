"""The office unit of work: every service that writes an office shares it, so the events of one
process reach the bus in `seq` order whoever wrote them (queue, admin, survey, command line)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from admin.schemas import ServicePatch
from admin.service import AdminService
from bookings.service import Bookings
from complaints.service import ComplaintService
from counter.auth import Role, StaffPrincipal
from counter.bus import MemoryBus
from counter.db import Database
from counter.models import Office, Service, Ticket
from counter.queue.errors import NotFound
from counter.queue.events import OfficeUpdated
from counter.queue.states import TicketStatus
from counter.service import QueueService
from counter.unit_of_work import OfficeTx, OfficeWork, office_channel
from operations.schemas import IncidentIn
from operations.service import OperationsService
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")

ADMIN = StaffPrincipal(1, 1, "admin", "Admin", Role.ADMIN)


class SlowBus(MemoryBus):
    """A bus whose publishing of one message type waits until the test lets it go, as a
    publish to Redis or PostgreSQL waits for the network."""

    def __init__(self, slow_type: str) -> None:
        super().__init__()
        self.slow_type = slow_type
        self.reached = asyncio.Event()
        self.release = asyncio.Event()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        if message["type"] == self.slow_type and not self.release.is_set():
            self.reached.set()
            await self.release.wait()
        await super().publish(channel, message)


async def test_admin_and_queue_events_leave_the_process_in_seq_order(
    database: Database, clock: FakeClock
) -> None:
    bus = SlowBus("office.updated")
    await bus.start()
    work = OfficeWork(database, bus, clock=clock)
    queue = QueueService(database, bus, clock=clock, work=work)
    admin = AdminService(work)
    with database.read() as session:
        birth = session.exec(select(Service).where(Service.code == "birth")).one()
    try:
        async with bus.subscribe(office_channel(1)) as sub:
            change = asyncio.create_task(
                admin.update_service(ADMIN, birth.id or 0, ServicePatch(name_en="Births"))
            )
            # The admin change is committed and on its way to the bus...
            await asyncio.wait_for(bus.reached.wait(), 10)
            # ...when a kiosk takes a ticket. Its event has the next seq: it must not reach the
            # bus first. (Given the time to overtake; with one unit of work it waits instead.)
            issue = asyncio.create_task(queue.issue_ticket(1, "birth"))
            await asyncio.wait({issue}, timeout=0.5)
            bus.release.set()
            await change
            ticket = await issue
            messages = [await asyncio.wait_for(sub.get(), 5) for _ in range(2)]
    finally:
        await bus.stop()
    assert [m["type"] for m in messages] == ["office.updated", "ticket.issued"]
    assert messages[1]["seq"] == messages[0]["seq"] + 1
    assert messages[1]["number"] == ticket.number


async def test_events_of_a_rolled_back_write_are_never_published(
    database: Database, clock: FakeClock
) -> None:
    bus = MemoryBus()
    await bus.start()
    work = OfficeWork(database, bus, clock=clock)
    admin = AdminService(work)

    def fails(tx: OfficeTx) -> None:
        tx.office.name_en = "changed"
        tx.publish(OfficeUpdated(office=1, seq=tx.next_seq(), at=tx.now.isoformat(), what=[]))
        raise NotFound("ไม่พบ", "not found")

    try:
        async with bus.subscribe(office_channel(1)) as sub:
            with pytest.raises(NotFound):
                await work.run(1, fails)
            await admin.update_service(ADMIN, 1, ServicePatch(name_en="Births"))
            message = await asyncio.wait_for(sub.get(), 5)
    finally:
        await bus.stop()
    # The first message on the bus is the second write's, with the seq the first never used.
    with database.read() as session:
        office = session.get(Office, 1)
        assert office is not None and office.name_en != "changed"
        assert message["type"] == "office.updated" and message["seq"] == office.event_seq == 1


def _feature_writes(work: OfficeWork, clock: FakeClock) -> dict[str, Callable[[], Awaitable[Any]]]:
    """One write of each feature package that writes an office's rows."""
    local_now = clock().astimezone(ZoneInfo("Asia/Bangkok")).replace(tzinfo=None)
    return {
        "booking settings": lambda: Bookings(work).save_settings(1, import_columns={}),
        "complaint deadlines": lambda: ComplaintService(work).set_settings(1, 2, 15, "test"),
        "incident": lambda: OperationsService(work).record_incident(
            ADMIN, IncidentIn(kind="power", started_at=local_now - timedelta(minutes=5))
        ),
    }


@pytest.mark.parametrize("writer", ["booking settings", "complaint deadlines", "incident"])
async def test_a_feature_write_is_a_write_of_the_office_and_runs_the_day_rollover_first(
    database: Database, clock: FakeClock, writer: str
) -> None:
    """Bookings, complaints and operations write through the office unit of work: on a new
    business day their first write closes what the last day left open, and the rollover's event
    reaches the bus like any other write's."""
    bus = MemoryBus()
    await bus.start()
    work = OfficeWork(database, bus, clock=clock)
    queue = QueueService(database, bus, clock=clock, work=work)
    left = await queue.issue_ticket(1, "birth")
    clock.advance(days=1)
    try:
        async with bus.subscribe(office_channel(1)) as sub:
            await _feature_writes(work, clock)[writer]()
            message = await asyncio.wait_for(sub.get(), 5)
    finally:
        await bus.stop()
    assert message["type"] == "queue.rolled_over" and message["closed"] == 1
    with database.read() as session:
        ticket = session.get(Ticket, left.id)
        assert ticket is not None and ticket.status == TicketStatus.UNSERVED
