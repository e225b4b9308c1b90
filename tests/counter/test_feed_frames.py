"""Every WebSocket endpoint against what a browser page never sends: binary frames, text that is
not JSON, oversized messages — a polite close, never an unhandled exception — and, where a
cookie authenticates, a page of another site."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import websockets

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.feed import CLOSE_POLICY, CLOSE_UNSUPPORTED
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, SQLITE_ONLY, FakeClock
from tests.live import served_in_process

pytestmark = [pytest.mark.usefixtures("demo"), SQLITE_ONLY]


@dataclass
class Site:
    ws: str
    cookie: str
    display_token: str


@pytest.fixture
async def site(database: Database, db_url: str, clock: FakeClock) -> AsyncIterator[Site]:
    with database.write() as session:
        _, display_token = add_device(session, 1, DeviceKind.DISPLAY, "hall", clock())
    app = create_app(Settings(database_url=db_url, bus_url=""), clock=clock)
    async with app.router.lifespan_context(app), served_in_process(app) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            r = await client.post(
                "/api/v1/auth/login",
                json={"username": "staff1", "password": DEMO_PASSWORDS["staff1"]},
            )
            assert r.status_code == 200, r.text
            cookie = r.cookies["saduak_session"]
        yield Site(url.replace("http://", "ws://"), cookie, display_token)


async def close_code(ws: Any) -> int | None:
    with pytest.raises(websockets.ConnectionClosed):
        async with asyncio.timeout(5):
            while True:
                await ws.recv()
    return ws.close_code


def connect(site: Site, path: str, *, cookie: bool = False, origin: str | None = None) -> Any:
    headers = {"Cookie": f"saduak_session={site.cookie}"} if cookie else {}
    if origin is not None:
        headers["Origin"] = origin
    return websockets.connect(site.ws + path, additional_headers=headers, open_timeout=30)


BAD_FRAMES: list[tuple[str, bytes | str, int]] = [
    ("binary", b"\x00\xff\x13garbage", CLOSE_UNSUPPORTED),
    ("not JSON", "}{ not json", CLOSE_POLICY),
    ("a JSON list", "[1, 2, 3]", CLOSE_POLICY),
    ("oversized", '{"type": "resync", "pad": "' + "x" * 10_000 + '"}', CLOSE_POLICY),
]


@pytest.mark.parametrize(("what", "frame", "code"), BAD_FRAMES, ids=[b[0] for b in BAD_FRAMES])
class TestGarbageFrames:
    async def test_a_display_screen_before_and_after_its_hello(
        self, site: Site, what: str, frame: bytes | str, code: int, caplog: Any
    ) -> None:
        caplog.set_level(logging.ERROR)
        async with connect(site, "/ws/display") as ws:
            await ws.send(frame)
            assert await close_code(ws) == code
        async with connect(site, f"/ws/display?token={site.display_token}") as ws:
            await ws.recv()  # the snapshot
            await ws.send(frame)
            assert await close_code(ws) == code
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    async def test_the_staff_feed(
        self, site: Site, what: str, frame: bytes | str, code: int, caplog: Any
    ) -> None:
        caplog.set_level(logging.ERROR)
        async with connect(site, "/ws/staff", cookie=True) as ws:
            await ws.recv()  # the snapshot
            await ws.send(frame)
            assert await close_code(ws) == code
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    async def test_the_survey_tablet_before_and_after_signing_in(
        self, site: Site, what: str, frame: bytes | str, code: int, caplog: Any
    ) -> None:
        caplog.set_level(logging.ERROR)
        async with connect(site, "/ws/survey/counter/1") as ws:
            await ws.send(frame)
            assert await close_code(ws) == code
        async with connect(site, "/ws/survey/counter/1", cookie=True) as ws:
            await ws.recv()  # idle or a survey
            await ws.send(frame)
            assert await close_code(ws) == code
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("path", ["/ws/staff", "/ws/survey/counter/1"])
async def test_a_page_of_another_site_cannot_ride_on_the_cookie(site: Site, path: str) -> None:
    async with connect(site, path, cookie=True, origin="https://evil.example") as ws:
        assert await close_code(ws) == 4403
    host = site.ws.removeprefix("ws://")
    async with connect(site, path, cookie=True, origin=f"http://{host}") as ws:
        message = await asyncio.wait_for(ws.recv(), 5)
        assert '"type"' in str(message)
