"""A checked-in booking is called at its slot ahead of walk-ins, without starving them: the
service layer with a controlled clock, the forecast's positions checked against the calls that
then happen, and the wait the reports count from the later of slot and check-in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlmodel import select

from bookings.rules import ServiceRules
from bookings.service import Bookings
from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Counter, Ticket, TicketEvent
from counter.queue.states import Action
from counter.service import QueueService, TicketView
from reports.metrics import Event, transactions_of
from tests.bookings.conftest import bkk
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")

OFFICE = 1
S1 = StaffPrincipal(3, OFFICE, "staff1", "Staff 1", Role.STAFF)
MONDAY = date(2026, 11, 30)
# Marriage registration: counters 3 (first in its order) and 4 serve it; only 3 opens here.
SERVICE = "marriage"


async def check_in(bookings: Bookings, queue: QueueService, code: str) -> TicketView:
    async def issue(service: str, slot: datetime, hook: Any) -> TicketView:
        return await queue.issue_ticket(OFFICE, service, booked_for=slot, with_ticket=hook)

    return await bookings.check_in(code, OFFICE, issue)


async def test_booked_tickets_are_called_at_their_slot_ahead_of_walk_ins_but_bounded(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    bookings = Bookings(queue.work)
    await bookings.save_service_rules(OFFICE, SERVICE, ServiceRules(capacity=10))
    with database.write() as session:
        counter = session.get(Counter, 3)
        assert counter is not None
        # A long ageing cap, so that only the booked run bound lets walk-ins through.
        counter.ageing_cap_minutes = 240
    codes = [
        (
            await bookings.book(SERVICE, MONDAY, "10:00", f"ผู้จอง {i}", f"08100000{i}", consent=True)
        ).code
        for i in range(4)
    ]

    # Monday 09:35: six walk-ins arrive, a minute apart; the counter calls the first.
    clock.now = bkk(2026, 11, 30, 9, 35)
    walk_ins = []
    for _ in range(6):
        walk_ins.append(await queue.issue_ticket(OFFICE, SERVICE))
        clock.advance(minutes=1)
    first = await queue.call_next(S1, 3)
    assert first is not None and first.id == walk_ins[0].id
    await queue.act(S1, first.id, Action.START)

    # 09:45–09:48: the four bookings check in, early (their slot is 10:00).
    clock.now = bkk(2026, 11, 30, 9, 45)
    booked = []
    for code in codes:
        booked.append(await check_in(bookings, queue, code))
        clock.advance(minutes=1)
    assert all(b.booked_for == bkk(2026, 11, 30, 10, 0) for b in booked)

    # Before their slot nobody is held back: the next call is still a walk-in.
    clock.now = bkk(2026, 11, 30, 9, 50)
    before = await queue.call_next(S1, 3)
    assert before is not None and before.id == walk_ins[1].id
    await queue.act(S1, before.id, Action.START)

    # What each is told now, from the forecast (the counter is busy until about 10:05).
    told = {t.id: (await queue.ticket(OFFICE, t.id)).waiting_ahead for t in booked + walk_ins[2:]}

    # From 10:00 the counter calls, five minutes apart.
    clock.now = bkk(2026, 11, 30, 10, 0)
    order = []
    for _ in range(8):
        called = await queue.call_next(S1, 3)
        assert called is not None
        order.append(called.id)
        await queue.act(S1, called.id, Action.START)
        clock.advance(minutes=5)
    b = [t.id for t in booked]
    w = [t.id for t in walk_ins]
    # Two bookings, a walk-in, two bookings, then the walk-ins: never more than two in a row.
    assert order == [b[0], b[1], w[2], b[2], b[3], w[3], w[4], w[5]]
    # The positions the tickets were told are the calls that came before them.
    assert told == {tid: order.index(tid) for tid in told}

    # The reports' wait of a booked ticket starts at its slot, not at its early check-in.
    with database.read() as session:
        ticket = session.get(Ticket, b[0])
        assert ticket is not None
        rows = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == b[0])).all()
    evs = [Event(r.seq, r.kind, r.at, r.transaction_no, r.service_id) for r in rows]
    tx = transactions_of(b[0], evs, None, booked_for=ticket.booked_for)[0]
    assert tx.queued_at == bkk(2026, 11, 30, 10, 0)
    assert tx.wait_s == 0
