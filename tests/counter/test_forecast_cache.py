"""The office's committed forecast is computed once per office event, however many reads of
that event start together (counter.service.views.QueueViews.office_forecast)."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from counter.db import Database
from counter.models import Office, Ticket
from counter.queue.states import Action
from counter.service import QueueService
from tests.conftest import FakeClock
from tests.counter.test_call_minutes import COUNTER, OFFICE, SERVICE, STAFF

# A service counter 1 calls after SERVICE's group (the demo office's seed).
OTHER_SERVICE = "id_card_first"

pytestmark = pytest.mark.usefixtures("demo")


def event_seq(database: Database) -> int:
    with database.read() as session:
        office = session.get(Office, OFFICE)
        assert office is not None
        return office.event_seq


async def committed(database: Database, n: int) -> None:
    """Until the office's event `n` is committed."""
    for _ in range(500):
        if event_seq(database) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"event {n} not committed")


async def told_afresh(queue: QueueService, ticket_id: int) -> tuple[int, int]:
    """What a forecast made from scratch tells a ticket now (people ahead, minutes)."""
    queue._forecasts.clear()
    queue._waiting.clear()
    fresh = await queue.ticket(OFFICE, ticket_id)
    return fresh.waiting_ahead, fresh.estimated_wait_minutes


async def test_reads_of_one_office_event_share_one_forecast(
    queue: QueueService, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write's answer and the status pages' read of the same event start together: the
    second waits for the first's forecast instead of computing its own."""
    import counter.service.views as views

    await queue.open_counter(STAFF, COUNTER)
    ticket = await queue.issue_ticket(OFFICE, SERVICE)
    computing = threading.Event()
    computed: list[int] = []
    real = views.office_forecast

    def slow(*args: object, **kwargs: object) -> object:
        computed.append(1)
        computing.set()
        time.sleep(0.3)  # the other read arrives while this one computes
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "office_forecast", slow)
    queue._forecasts.clear()

    def read() -> int:
        with database.read() as session:
            office = session.get(Office, OFFICE)
            assert office is not None
            return id(queue.office_forecast(session, office, committed=True))

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(read)
        assert computing.wait(5)
        second = pool.submit(read)
        assert first.result(10) == second.result(10)  # the same forecast object
    assert len(computed) == 1
    assert (await queue.ticket(OFFICE, ticket.id)).waiting_ahead == 0


async def test_a_burst_of_issues_shares_the_forecasts_made_after_each_write(
    queue: QueueService, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers that wait for their turn behind another answer's forecast read the lines when
    their turn comes: the first of them replays the office with every ticket committed
    meanwhile, and the others take that forecast, made after their own write. Each is told the
    forecast of an office event after its write; here no event follows the last write, so each
    equals what a forecast made from scratch now tells its ticket."""
    import anyio.to_thread

    import counter.service.views as views

    await queue.open_counter(STAFF, COUNTER)
    computing = threading.Event()
    release = threading.Event()
    computed: list[int] = []
    real = views.office_forecast

    def held(*args: object, **kwargs: object) -> object:
        computed.append(1)
        if len(computed) == 1:
            computing.set()
            assert release.wait(10)  # the others commit while the first answer forecasts
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "office_forecast", held)
    # The answers' reads in worker threads at once: they queue for their turn before taking one.
    reading: list[int] = []
    most = 0
    real_read = queue._read

    async def counted(fn):  # type: ignore[no-untyped-def]
        nonlocal most
        reading.append(1)
        most = max(most, len(reading))
        try:
            return await real_read(fn)
        finally:
            reading.pop()

    monkeypatch.setattr(queue, "_read", counted)

    first = asyncio.create_task(queue.issue_ticket(OFFICE, SERVICE))
    assert await anyio.to_thread.run_sync(computing.wait, 10)
    before = event_seq(database)
    others = [asyncio.create_task(queue.issue_ticket(OFFICE, SERVICE)) for _ in range(3)]
    await committed(database, before + 3)  # all three written, their answers waiting
    release.set()
    answers = [await first, *[await task for task in others]]
    # The first answer's forecast, then one for the three written while it was made.
    assert len(computed) == 2
    assert most == 1
    monkeypatch.setattr(views, "office_forecast", real)
    assert [(a.waiting_ahead, a.estimated_wait_minutes) for a in answers] == [
        await told_afresh(queue, a.id) for a in answers
    ]
    assert [a.waiting_ahead for a in answers] == [0, 1, 2, 3]


async def test_a_ticket_back_in_a_line_is_not_told_an_earlier_forecast(
    queue: QueueService, clock: FakeClock
) -> None:
    """A forecast made before a write holds the ticket where it was before the write: the
    write's answer replays the office again (the `since` of QueueViews.office_forecast)."""
    await queue.open_counter(STAFF, COUNTER)
    waiting = [await queue.issue_ticket(OFFICE, SERVICE) for _ in range(3)]
    # A status read caches the forecast of the current event: the first ticket is next.
    assert (await queue.ticket(OFFICE, waiting[0].id)).waiting_ahead == 0
    clock.advance(seconds=1)  # within the forecast's reuse
    # It is called, is not there, and is put back at the end of the line, behind the two
    # others, with no forecast made in between.
    called = await queue.call_next(STAFF, COUNTER)
    assert called is not None and called.id == waiting[0].id
    await queue.act(STAFF, called.id, Action.NO_SHOW)
    back = await queue.act(STAFF, called.id, Action.REACTIVATE)
    assert (back.waiting_ahead, back.estimated_wait_minutes) == await told_afresh(queue, back.id)
    assert back.waiting_ahead == 2


async def test_an_answer_delayed_past_its_ticket_s_return_to_the_line_is_told_its_new_place(
    queue: QueueService, database: Database, clock: FakeClock
) -> None:
    """A forecast made after the write still holds the ticket where it was then: if the ticket
    has left the line and come back since, the answer replays the office again rather than
    tell the old place (`Forecast.holds` compares the ticket's line and wait start)."""
    import anyio.to_thread

    await queue.open_counter(STAFF, COUNTER)

    holding, issued, cached, release = (threading.Event() for _ in range(4))

    def status_page() -> None:
        # A status page's read holds the office's forecast turn; once the ticket is issued it
        # makes and keeps the forecast of that event, with the ticket first in its line.
        with queue._forecast_turn(OFFICE):
            holding.set()
            assert issued.wait(10)
            with database.read() as session:
                office = session.get(Office, OFFICE)
                assert office is not None
                queue.office_forecast(session, office, committed=True)
            cached.set()
            assert release.wait(10)

    page = asyncio.ensure_future(anyio.to_thread.run_sync(status_page))
    assert await anyio.to_thread.run_sync(holding.wait, 10)
    start = event_seq(database)
    first = asyncio.create_task(queue.issue_ticket(OFFICE, SERVICE))
    await committed(database, start + 1)  # written; its answer waits for the turn
    with database.read() as session:
        ticket_id = session.execute(sa.select(sa.func.max(Ticket.id))).scalar_one()
    issued.set()
    assert await anyio.to_thread.run_sync(cached.wait, 10)
    others = [asyncio.create_task(queue.issue_ticket(OFFICE, SERVICE)) for _ in range(2)]
    await committed(database, start + 3)
    # The first ticket is called, does not come, and is put back behind the other two.
    called = await queue.call_next(STAFF, COUNTER)
    assert called is not None and called.id == ticket_id
    await queue.act(STAFF, called.id, Action.NO_SHOW)
    clock.advance(seconds=1)  # within the forecast's reuse
    back = asyncio.create_task(queue.act(STAFF, called.id, Action.REACTIVATE))
    await committed(database, start + 6)
    release.set()
    await page
    answer = await first
    await asyncio.gather(*others, back)
    assert (answer.waiting_ahead, answer.estimated_wait_minutes) == await told_afresh(
        queue, answer.id
    )
    assert answer.waiting_ahead == 2
