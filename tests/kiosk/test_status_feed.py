"""The citizens' status pages over a real server: every followed ticket hears its own change after
one shared database read per office event (not one per phone), and a heartbeat keeps time in a
busy office."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from counter.auth import Role, StaffPrincipal
from counter.queue.states import Action
from counter.service import QueueService
from counter.settings import Settings
from kiosk.routes import StatusChannel, configure_status_feed
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, FakeClock
from tests.live import served_in_process

pytestmark = pytest.mark.usefixtures("demo")


@dataclass
class Reads:
    """SQL statements on the app's read engine, and which of them read followed tickets."""

    statements: int = 0
    batches: int = 0
    hooked: list[tuple[sa.Engine, Any]] = field(default_factory=list)

    def hook(self, engine: sa.Engine) -> None:
        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.statements += 1
            # The batched read of every followed ticket (repository.tickets_by_token).
            if "ticket.token IN" in statement:
                self.batches += 1

        sa.event.listen(engine, "before_cursor_execute", count)
        self.hooked.append((engine, count))

    def unhook(self) -> None:
        """The engine may outlive the test (tests/pg_pool.py shares it): stop counting on it."""
        for engine, count in self.hooked:
            sa.event.remove(engine, "before_cursor_execute", count)
        self.hooked.clear()


@dataclass
class Site:
    url: str
    client: httpx.AsyncClient
    reads: Reads
    app: Any
    staff: dict[str, str] = field(default_factory=dict)


@pytest.fixture
async def site(db_url: str, clock: FakeClock) -> AsyncIterator[Site]:
    app = create_app(Settings(database_url=db_url, bus_url=""), clock=clock)
    async with app.router.lifespan_context(app), served_in_process(app) as url:
        configure_status_feed(app, heartbeat_seconds=0.3)
        reads = Reads()
        reads.hook(app.state.db.read_engine)
        try:
            async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                r = await client.post(
                    "/api/v1/auth/login",
                    json={"username": "staff1", "password": DEMO_PASSWORDS["staff1"]},
                )
                assert r.status_code == 200, r.text
                headers = {"Authorization": f"Bearer {r.json()['token']}"}
                yield Site(url, client, reads, app, headers)
        finally:
            reads.unhook()


class Page:
    """One phone's status page: the server-sent events of one ticket."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token
        self.statuses: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.heartbeats = 0
        self.heard = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> dict[str, Any]:
        self._task = asyncio.create_task(self._read())
        return await self.next()

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            return await self.statuses.get()

    async def _read(self) -> None:
        async with self.client.stream("GET", f"/t/{self.token}/events") as response:
            assert response.status_code == 200
            event = "message"
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    data = json.loads(line.removeprefix("data: "))
                    if event == "heartbeat":
                        self.heartbeats += 1
                        self.heard.set()
                    else:
                        await self.statuses.put(data)
                    event = "message"

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await self._task


async def issue(site: Site, service: str = "birth") -> dict[str, Any]:
    r = await site.client.post("/api/v1/tickets", json={"service": service}, headers=site.staff)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_every_page_hears_its_own_change_after_one_read_per_event(site: Site) -> None:
    # Sixty phones: a read per phone would be sixty statements or more; the shared reads of two
    # events (the followed tickets and the office's forecast) are a few dozen however many follow.
    tickets = [await issue(site) for _ in range(60)]
    pages = [Page(site.client, t["status_url"].rsplit("/", 1)[1]) for t in tickets]
    firsts = [await page.open() for page in pages]
    assert [f["waiting_ahead"] for f in firsts] == list(range(60))
    # The pages joined the office's channel: the read that takes them in comes first (on a loaded
    # machine it can come late), so that only the two events' reads are counted below.
    (channel,) = site.app.state.feeds.channels(StatusChannel)
    async with asyncio.timeout(30):
        while channel.pending:
            await asyncio.sleep(0.01)
    r = await site.client.post("/api/v1/counters/1/open", headers=site.staff)
    assert r.status_code == 204, r.text

    before = (site.reads.statements, site.reads.batches)
    r = await site.client.post("/api/v1/counters/1/call-next", headers=site.staff)
    assert r.status_code == 200 and r.json()["number"] == tickets[0]["number"], r.text
    # Opening the counter may first move the estimates (a counter is open now): skip to the call.
    called = await pages[0].next()
    while called["status"] == "waiting":
        called = await pages[0].next()
    assert (called["status"], called["counter"]) == ("called", 1)
    for i, page in enumerate(pages[1:], start=1):
        status = await page.next()
        while status["waiting_ahead"] == i:
            status = await page.next()
        assert (status["status"], status["waiting_ahead"]) == ("waiting", i - 1)
    statements = site.reads.statements - before[0]
    batches = site.reads.batches - before[1]
    # Opening the counter and the call published two events: at most one read of the followed
    # tickets each (events that arrive together share one), a few statements however many pages.
    assert 1 <= batches <= 2
    assert statements < len(pages)
    for page in pages:
        await page.close()


async def test_a_settled_page_hears_its_heartbeat_in_a_busy_office(site: Site) -> None:
    mine = await issue(site, "marriage")
    page = Page(site.client, mine["status_url"].rsplit("/", 1)[1])
    await page.open()
    page.heard.clear()
    page.heartbeats = 0
    # Another service keeps the office busy, an event far more often than the heartbeat: the
    # page's own status never changes, yet its heartbeats keep coming.
    async with asyncio.timeout(20):
        while page.heartbeats < 3:
            await issue(site, "birth")
            await asyncio.sleep(0.05)
    assert page.statuses.empty()
    await page.close()


async def test_a_frame_carries_what_the_page_shows_and_the_api_the_point_estimate(
    site: Site,
) -> None:
    # The page shows the range: a frame whose only news would be the point estimate moving by
    # a minute would redraw the page for nothing, so the stream does not carry it.
    mine = await issue(site)
    token = mine["status_url"].rsplit("/", 1)[1]
    page = Page(site.client, token)
    frame = await page.open()
    api = (await site.client.get(f"/api/v1/status/{token}")).json()
    assert "estimated_wait_minutes" not in frame
    assert api.pop("estimated_wait_minutes") >= 1
    assert frame == api
    await page.close()


async def test_an_unknown_ticket_has_no_stream(site: Site) -> None:
    r = await site.client.get("/t/no-such-ticket-token/events")
    assert r.status_code == 404


async def test_the_batched_read_gives_every_ticket_the_position_one_read_of_it_gives(
    queue: QueueService,
) -> None:
    # Two lines; one ticket cancelled, so a line is not simply the order of issue.
    births = [await queue.issue_ticket(1, "birth") for _ in range(5)]
    marriages = [await queue.issue_ticket(1, "marriage") for _ in range(3)]
    admin = StaffPrincipal(1, 1, "admin", "Admin", Role.ADMIN)
    await queue.act(admin, births[1].id, Action.CANCEL)
    tokens = [t.token for t in births + marriages]
    office, views = await queue.tickets_by_token(1, [*tokens, "not-a-ticket-token"])
    assert office.id == 1
    by_token = {v.token: v for v in views}
    assert set(by_token) == set(tokens)
    # Independently: in the order of issue, the waiting tickets before each one.
    assert [by_token[t.token].waiting_ahead for t in births] == [0, 0, 1, 2, 3]
    assert by_token[births[1].token].status == "cancelled"
    assert [by_token[t.token].waiting_ahead for t in marriages] == [0, 1, 2]
    for token in tokens:
        one = await queue.ticket_by_token(token)
        assert by_token[token] == one
