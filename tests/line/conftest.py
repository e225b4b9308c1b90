"""The LINE tests' site: the app (real database, real SDK) pointed at a local fake LINE platform
that checks tokens and bodies and records what it was sent."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from sqlmodel import select

from counter.auth import DeviceKind
from counter.outbox import Outbox
from counter.settings import Settings
from line.fake import FakeLine, FakeLineServer, new_user_id
from saduak.app import create_app
from tests.conftest import FakeClock, device_headers, issue, login, serving

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "fakeAccessToken" + "x" * 40 + "W9z1"
BASIC_ID = "@saduakdemo"
# How long the app waits for the fake platform. A push that times out is retried only when the
# test's clock moves, so under a loaded machine (the fake answers from a thread of this process) a
# short bound loses pushes the test waits for; 2 s did, once, at a load average of 10.
CLIENT_TIMEOUT = 4.0


@dataclass
class LineSite:
    client: httpx.AsyncClient
    app: Any
    fake: FakeLine
    server: FakeLineServer
    clock: FakeClock
    admin: dict[str, str]
    staff: dict[str, str]
    kiosk: dict[str, str]
    # The ticket at counter 1.
    current: int | None = None

    async def webhook(
        self, events: list[dict[str, Any]], *, secret: str | None = None, office: str = "demo"
    ) -> httpx.Response:
        body, sig = self.fake.webhook(events, secret)
        return await self.client.post(
            f"/line/webhook/{office}",
            content=body,
            headers={"X-Line-Signature": sig, "Content-Type": "application/json"},
        )

    async def issue(self, service: str = "birth") -> dict[str, Any]:
        ticket = await issue(self.client, self.kiosk, service)
        ticket["token"] = ticket["status_url"].rsplit("/", 1)[-1]
        return ticket

    async def link(self, ticket: dict[str, Any], user_id: str | None = None) -> str:
        """Press the status page's button and send the prepared message from a LINE user."""
        user_id = user_id or new_user_id()
        r = await self.client.get(f"/line/link/{ticket['token']}")
        assert r.status_code == 303, r.text
        text = prepared_text(r.headers["location"])
        r = await self.webhook([self.fake.message_event(user_id, text)])
        assert r.status_code == 200, r.text
        await wait_until(lambda: any("เชื่อมต่อบัตรคิว" in t for t in replies(self, user_id)))
        return user_id

    async def call_next(self, counter: int = 1) -> httpx.Response:
        """Serve the ticket at counter 1, if any, then call the next one."""
        if self.current is not None:
            for action in ("start", "finish"):
                r = await self.client.post(
                    f"/api/v1/tickets/{self.current}/{action}", headers=self.staff
                )
                assert r.status_code == 200, r.text
            self.current = None
        r = await self.client.post(f"/api/v1/counters/{counter}/call-next", headers=self.staff)
        if r.status_code == 200:
            self.current = r.json()["id"]
        return r

    async def settled(self) -> None:
        """Plan the office's notices now (as the notifier does after each event; planning twice
        writes nothing twice), then wait until the worker has sent what is due."""
        await self.app.state.line.plan(1)
        self.app.state.line_worker.wake()
        await wait_until_async(self.outbox_idle)

    async def outbox_idle(self) -> bool:
        def read() -> bool:
            with self.app.state.db.read() as session:
                rows = session.exec(select(Outbox)).all()
                now = self.clock()
                return not any(
                    row.status == "sending"
                    or (row.status == "queued" and row.next_attempt_at <= now)
                    for row in rows
                )

        return await asyncio.to_thread(read)

    def outbox(self) -> list[Outbox]:
        with self.app.state.db.read() as session:
            return list(session.exec(select(Outbox).order_by(Outbox.id)).all())  # type: ignore[arg-type]


def prepared_text(location: str) -> str:
    """The message the chat link prepares (line.me/R/oaMessage/{basic_id}/?{text})."""
    return unquote(location.split("/?", 1)[1])


def pushes(site: LineSite, user_id: str) -> list[str]:
    return ["\n".join(s.texts) for s in site.fake.pushes(user_id)]


def replies(site: LineSite, user_id: str) -> list[str]:
    return ["\n".join(s.texts) for s in site.fake.replies(user_id)]


async def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    async def check() -> bool:
        return predicate()

    await wait_until_async(check, timeout)


async def wait_until_async(predicate: Callable[[], Any], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(0.02)


CODE = re.compile(r"รหัส ([A-Z0-9]{8})")


async def connect_line(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    """The admin enters the channel of the fake platform (secret, token) and turns it on."""
    r = await client.put(
        "/api/v1/admin/line",
        json={
            "channel_secret": SECRET,
            "access_token": TOKEN,
            "basic_id": BASIC_ID,
            "enabled": True,
        },
        headers=admin,
    )
    assert r.status_code == 200, r.text


@pytest.fixture
async def line_site(db_url: str, clock: FakeClock, demo: Any) -> AsyncIterator[LineSite]:
    fake = FakeLine(access_token=TOKEN, channel_secret=SECRET)
    server = FakeLineServer(fake).start()
    settings = Settings(
        database_url=db_url,
        bus_url="",
        line_api_url=server.url,
        line_chat_url=f"{server.url}/oaMessage",
        # Short, so the hanging-API tests time out quickly; long enough for a loaded machine
        # (a timeout here waits for a retry, which waits for the test's clock).
        line_timeout_seconds=CLIENT_TIMEOUT,
        # The booking test moves the clock by days.
        session_hours=24 * 30,
    )
    app = create_app(settings, clock=clock)
    try:
        async with serving(app) as client:
            admin = await login(client, "admin", demo.passwords["admin"])
            await connect_line(client, admin)
            staff = await login(client, "staff1", demo.passwords["staff1"])
            r = await client.post("/api/v1/counters/1/open", headers=staff)
            assert r.status_code == 204, r.text
            kiosk = device_headers(app.state.db, clock, DeviceKind.KIOSK)
            yield LineSite(client, app, fake, server, clock, admin, staff, kiosk)
    finally:
        server.stop()
