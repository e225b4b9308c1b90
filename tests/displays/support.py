"""Helpers for the display tests: a seeded office, staff at their desks over HTTP, and a display
screen speaking the feed protocol with a real websockets client."""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import seed_demo

# The demo's counters, who works at each in the tests, and a service each of them serves.
DESKS: dict[int, tuple[str, str]] = {
    1: ("staff1", "birth"),
    2: ("staff2", "id_card_first"),
    3: ("manager", "marriage"),
    4: ("admin", "complaint_intake"),
}


@dataclass
class Office:
    url: str
    passwords: dict[str, str]
    display_token: str
    display_id: int
    second_display_token: str
    kiosk_token: str


def seed_office(url: str) -> Office:
    """The demo office in a migrated, empty database, with two displays and a kiosk paired."""
    now = datetime.now(UTC)
    db = Database(url)
    try:
        with db.write() as session:
            passwords = seed_demo(session, now)
            assert passwords is not None
            display, display_token = add_device(session, 1, DeviceKind.DISPLAY, "hall", now)
            _, second_token = add_device(session, 1, DeviceKind.DISPLAY, "counter 1", now)
            _, kiosk_token = add_device(session, 1, DeviceKind.KIOSK, "kiosk", now)
            assert display.id is not None
            display_id = display.id
    finally:
        db.dispose()
    return Office(url, passwords, display_token, display_id, second_token, kiosk_token)


def sqlite_copy(template: Path, folder: Path) -> str:
    path = folder / "saduak.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@dataclass
class Desks:
    """Staff calling tickets through the HTTP API, one of them at each counter."""

    base_url: str
    office: Office
    client: httpx.AsyncClient = field(init=False)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    # Ticket id last called at each counter, started before the next call.
    called: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=10.0)

    async def __aenter__(self) -> Desks:
        for username, _ in DESKS.values():
            response = await self.client.post(
                "/api/v1/auth/login",
                json={"username": username, "password": self.office.passwords[username]},
            )
            assert response.status_code == 200, response.text
            self.headers[username] = {"Authorization": f"Bearer {response.json()['token']}"}
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    def rebase(self, base_url: str) -> Desks:
        """The same staff (and their tokens) at another server process of the same database."""
        other = Desks(base_url, self.office)
        other.headers = self.headers
        other.called = self.called
        return other

    async def issue(self, service: str) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/tickets", json={"service": service}, headers=self.headers["staff1"]
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def prepare(self, counter: int) -> None:
        """Make the next call at `counter` possible: start its called ticket, have one waiting."""
        username, service = DESKS[counter]
        previous = self.called.pop(counter, None)
        if previous is not None:
            response = await self.client.post(
                f"/api/v1/tickets/{previous}/start", headers=self.headers[username]
            )
            assert response.status_code == 200, response.text
        await self.issue(service)

    async def call_next(self, counter: int) -> dict[str, Any]:
        username, _ = DESKS[counter]
        response = await self.client.post(
            f"/api/v1/counters/{counter}/call-next", headers=self.headers[username]
        )
        assert response.status_code == 200, response.text
        ticket = dict(response.json())
        self.called[counter] = ticket["id"]
        return ticket

    async def call(self, counter: int) -> dict[str, Any]:
        await self.prepare(counter)
        return await self.call_next(counter)

    async def act(self, counter: int, *actions: str) -> None:
        """Act on the ticket last called at `counter` (`start`, `finish`, `no-show`…); past a
        recall, `prepare` has nothing left to start (call next finishes a ticket in service)."""
        username, _ = DESKS[counter]
        ticket = self.called[counter]
        for action in actions:
            response = await self.client.post(
                f"/api/v1/tickets/{ticket}/{action}", headers=self.headers[username]
            )
            assert response.status_code == 200, response.text
        if any(action != "recall" for action in actions):
            del self.called[counter]


class Screen:
    """A display screen on the feed, reading messages in order."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seq: int | None = None

    @classmethod
    async def connect(cls, ws_url: str, token: str) -> Screen:
        ws = await websockets.connect(f"{ws_url}/ws/display?token={token}", open_timeout=30)
        return cls(ws)

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            message: dict[str, Any] = json.loads(await self.ws.recv())
        return message

    async def recv_type(self, kind: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next message of one type, skipping others (heartbeats, waiting counts…)."""
        async with asyncio.timeout(timeout):
            while True:
                message = await self.recv(timeout)
                if message["type"] == kind:
                    return message

    async def recv_call(self, number: str, timeout: float = 5.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                message = await self.recv_type("called", timeout)
                if message["number"] == number:
                    return message

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def close(self) -> None:
        await self.ws.close()

    async def __aenter__(self) -> Screen:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
