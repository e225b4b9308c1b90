"""The waiting lines a process keeps between forecasts (counter.service.waits.WaitingKept),
caught up with the office's events, against reading them whole: after every kind of step a
ticket can take through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from sqlmodel import col

from counter.db import Database
from counter.models import Office, Ticket
from counter.queue.errors import DomainError
from counter.queue.states import Action, TicketStatus
from counter.service import QueueService, local_day, waits
from counter.service.waits import WaitingKept, office_forecast
from tests.conftest import FakeClock
from tests.counter.test_waits import CREW, OFFICE

pytestmark = pytest.mark.usefixtures("demo")

SERVICES = ["birth", "id_card_renewal", "move_in", "marriage", "death", "id_card_first"]
# Staff 3 at counter 1, staff 4 at counter 2.
DESKS = {3: 1, 4: 2}
ACTIONS = [
    Action.START,
    Action.FINISH,
    Action.NO_SHOW,
    Action.REACTIVATE,
    Action.CANCEL,
    Action.HOLD,
    Action.RELEASE,
    Action.RECALL,
]


def whole(database: Database, clock: FakeClock) -> WaitingKept:
    with database.read() as session:
        office = session.get(Office, OFFICE)
        assert office is not None
        return WaitingKept.read(session, office, local_day(clock.now, office.timezone))


def caught_up(kept: WaitingKept, database: Database, clock: FakeClock) -> WaitingKept:
    with database.read() as session:
        office = session.get(Office, OFFICE)
        assert office is not None
        return kept.caught_up(session, office, local_day(clock.now, office.timezone))


async def step(queue: QueueService, rng: random.Random, tickets: list[int]) -> None:
    """One random step of a day: issue, call, or act on a ticket (refusals are part of it)."""
    roll = rng.random()
    staff = rng.choice(list(DESKS))
    try:
        if roll < 0.4 or not tickets:
            priority = rng.choice([None, None, None, "elderly", "monk"])
            tickets.append((await queue.issue_ticket(OFFICE, rng.choice(SERVICES), priority)).id)
        elif roll < 0.7:
            await queue.call_next(CREW[staff], DESKS[staff])
        elif roll < 0.8:
            await queue.transfer(CREW[staff], rng.choice(tickets), rng.choice(SERVICES))
        else:
            await queue.act(CREW[staff], rng.choice(tickets), rng.choice(ACTIONS))
    except DomainError:
        pass


async def test_caught_up_lines_are_what_a_whole_read_says(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    for staff, desk in DESKS.items():
        await queue.open_counter(CREW[staff], desk)
    rng = random.Random(11)
    tickets: list[int] = []
    kept = whole(database, clock)
    for i in range(160):
        await step(queue, rng, tickets)
        clock.advance(seconds=rng.randint(5, 90))
        if i % 3 == 0:
            kept = caught_up(kept, database, clock)
            read = whole(database, clock)
            assert kept.tickets == read.tickets
            assert kept.lengths == read.lengths
            assert kept.seq == read.seq
    # Every way in and out of the line was taken.

    async def status(ticket_id: int) -> str:
        return (await queue.ticket(OFFICE, ticket_id)).status

    statuses = {await status(t) for t in tickets}
    assert {TicketStatus.WAITING, TicketStatus.DONE, TicketStatus.CANCELLED} <= statuses
    assert len(kept.tickets) > 5


async def test_the_next_day_and_a_long_gap_read_whole(
    queue: QueueService, database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waits, "CATCH_UP_EVENTS", 3)
    await queue.issue_ticket(OFFICE, "birth")
    kept = whole(database, clock)
    assert len(kept.tickets) == 1
    for _ in range(4):
        await queue.issue_ticket(OFFICE, "marriage")
    assert caught_up(kept, database, clock).tickets == whole(database, clock).tickets
    yesterday = whole(database, clock)
    clock.advance(days=1)
    await queue.issue_ticket(OFFICE, "death")
    kept = caught_up(yesterday, database, clock)
    # Yesterday's tickets wait no more (the rollover closed them at the day's first write).
    assert kept.day > yesterday.day
    assert kept.tickets == whole(database, clock).tickets
    assert len(kept.tickets) == 1


async def test_the_forecast_from_kept_lines_is_the_forecast_from_a_read(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    """What status pages and answers are told (the kept lines) equals a forecast that reads
    the lines itself, ticket by ticket."""
    for staff, desk in DESKS.items():
        await queue.open_counter(CREW[staff], desk)
    rng = random.Random(5)
    tickets: list[int] = []
    for _ in range(60):
        await step(queue, rng, tickets)
        clock.advance(seconds=rng.randint(5, 60))
        with database.read() as session:
            office = session.get(Office, OFFICE)
            assert office is not None
            told = queue.office_forecast(session, office, committed=True)
            samples = queue._call_minutes[OFFICE].samples
            arrivals = queue._arrivals[OFFICE][1]
            read = office_forecast(session, office, told.now, samples, arrivals)
        assert told.called == read.called
        assert told.left_over.keys() == read.left_over.keys()


async def test_a_ticket_changed_beside_the_event_log_is_not_kept(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    """A repair by hand in the database (a status set, a row deleted) writes no event: the
    waiting count in the queue index no longer matches what is kept, so it is read whole."""
    first = await queue.issue_ticket(OFFICE, "birth")
    second = await queue.issue_ticket(OFFICE, "birth")
    kept = whole(database, clock)
    with database.write() as session:
        session.execute(
            sa.update(Ticket).where(col(Ticket.id) == first.id).values(status="cancelled")
        )
    await queue.issue_ticket(OFFICE, "marriage")
    kept = caught_up(kept, database, clock)
    assert first.id not in kept.tickets and second.id in kept.tickets
    assert kept.tickets == whole(database, clock).tickets
