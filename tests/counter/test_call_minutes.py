"""How long a call keeps a counter, as the forecast learns it (counter.service.waits.CallMinutes):
read whole, or caught up with only what ended since, against the durations this test made."""

from __future__ import annotations

from datetime import datetime

import pytest

from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.queue.states import Action
from counter.service import QueueService
from counter.service.waits import DURATION_SAMPLES, CallMinutes
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")

OFFICE = 1
STAFF = StaffPrincipal(3, OFFICE, "s3", "Staff 3", Role.STAFF)
COUNTER = 1
SERVICE = "birth"


async def serve(
    queue: QueueService, clock: FakeClock, minutes: list[float], made: list[tuple[int, float]]
) -> None:
    """Issue, call, start and finish one ticket per entry, each call lasting those minutes."""
    for length in minutes:
        ticket = await queue.issue_ticket(OFFICE, SERVICE)
        clock.advance(minutes=1)
        called = await queue.call_next(STAFF, COUNTER)
        assert called is not None and called.id == ticket.id
        await queue.act(STAFF, called.id, Action.START)
        clock.advance(minutes=length)
        await queue.act(STAFF, called.id, Action.FINISH)
        made.append((called.service_id, length))


def read(database: Database, now: datetime) -> CallMinutes:
    with database.read() as session:
        return CallMinutes.read(session, OFFICE, now)


async def test_caught_up_is_what_a_whole_read_says(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    await queue.open_counter(STAFF, COUNTER)
    made: list[tuple[int, float]] = []
    await serve(queue, clock, [3.0, 7.5, 12.0], made)
    early = read(database, clock.now)
    await serve(queue, clock, [4.0, 9.25], made)
    with database.read() as session:
        caught = early.caught_up(session, OFFICE, clock.now)
    whole = read(database, clock.now)
    assert caught.rows == whole.rows
    assert caught.read_at == early.read_at  # still re-read whole a minute after the first read
    service_id = made[0][0]
    # Against the durations made here, oldest first.
    assert caught.samples == {service_id: [pytest.approx(m) for _, m in made]}


async def test_catching_up_keeps_the_newest_samples_within_the_fortnight(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    await queue.open_counter(STAFF, COUNTER)
    made: list[tuple[int, float]] = []
    await serve(queue, clock, [5.0], made)
    early = read(database, clock.now)
    clock.advance(days=15)  # the first call is now older than the history counted
    await serve(queue, clock, [2.0, 6.0], made)
    with database.read() as session:
        caught = early.caught_up(session, OFFICE, clock.now)
    assert caught.rows == read(database, clock.now).rows
    assert [m for *_, m in caught.rows] == [pytest.approx(2.0), pytest.approx(6.0)]
    assert len(caught.rows) <= DURATION_SAMPLES


async def test_a_call_ending_at_the_same_instant_as_the_newest_kept_counts_once(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    """Two transactions end at one instant (a clock that stands still, or a step back): the
    one read after the other is caught up too, and neither twice."""
    await queue.open_counter(STAFF, COUNTER)
    await serve(queue, clock, [3.0], [])
    first = await queue.issue_ticket(OFFICE, SERVICE)
    second = await queue.issue_ticket(OFFICE, SERVICE)
    called = await queue.call_next(STAFF, COUNTER)
    assert called is not None and called.id == first.id
    await queue.act(STAFF, first.id, Action.START)
    clock.advance(minutes=30)
    called = await queue.call_next(STAFF, COUNTER)  # finishes the first at this instant
    assert called is not None and called.id == second.id
    kept = read(database, clock.now)
    await queue.act(STAFF, second.id, Action.NO_SHOW)  # ends the second at the same instant
    with database.read() as session:
        caught = kept.caught_up(session, OFFICE, clock.now)
    whole = read(database, clock.now)
    assert caught.rows == whole.rows
    assert [m for *_, m in caught.rows] == [
        pytest.approx(3.0),
        pytest.approx(30.0),
        pytest.approx(0.0),
    ]


async def test_a_call_ended_in_this_process_counts_in_the_next_forecast(
    queue: QueueService, clock: FakeClock
) -> None:
    """Within the minute a reading serves, the end of a call in this process is read at once."""
    await queue.open_counter(STAFF, COUNTER)
    await serve(queue, clock, [2.0], [])
    for _ in range(3):
        await queue.issue_ticket(OFFICE, SERVICE)
    last = await queue.issue_ticket(OFFICE, SERVICE)
    called = await queue.call_next(STAFF, COUNTER)
    assert called is not None
    await queue.act(STAFF, called.id, Action.START)
    clock.advance(minutes=200)
    before = await queue.ticket(OFFICE, last.id)  # learns from the 2-minute call alone
    await queue.act(STAFF, called.id, Action.FINISH)  # the same instant: a 200-minute call
    after = await queue.ticket(OFFICE, last.id)
    assert before.waiting_ahead == after.waiting_ahead == 2
    # Two calls ahead, each now expected to last much longer than one learnt from 2 minutes.
    assert after.estimated_wait_minutes > 2 * before.estimated_wait_minutes
