"""The office's committed forecast is computed once per office event, however many reads of
that event start together (counter.service.views.QueueViews.office_forecast)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from counter.db import Database
from counter.models import Office
from counter.service import QueueService
from tests.counter.test_call_minutes import COUNTER, OFFICE, SERVICE, STAFF

pytestmark = pytest.mark.usefixtures("demo")


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
