"""The staff feed /ws/staff over a real server: who may connect, snapshot first, then the office's
events in order, printer alerts, and a fresh snapshot when events were missed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from counter.bus import bus_from_url
from counter.unit_of_work import office_channel
from tests.browser.console_fixtures import (
    Office,
    office_fixture,  # noqa: F401  (fixture)
    seeded_template_fixture,  # noqa: F401  (fixture)
    start_office,
)
from tests.conftest import DEMO_PASSWORDS, create_pg_database, drop_pg_database, pg_url


async def session_cookie(office: Office, username: str) -> str:
    async with office.api() as client:
        r = await client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": DEMO_PASSWORDS[username]},
        )
        assert r.status_code == 200
        return str(r.cookies["saduak_session"])


def feed(
    office: Office, cookie: str | None, view: str = "console", origin: str | None = None
) -> Any:
    headers = {"Cookie": f"saduak_session={cookie}"} if cookie else {}
    if origin is not None:
        headers["Origin"] = origin
    return websockets.connect(
        f"{office.server.ws_url}/ws/staff?view={view}", additional_headers=headers
    )


async def receive(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] != "heartbeat":
                return dict(message)


async def closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(websockets.ConnectionClosed):
        async with asyncio.timeout(5):
            await ws.recv()
    return ws.close_code


class TestWhoMayConnect:
    async def test_without_a_session_it_closes_with_4401(self, office: Office) -> None:
        async with feed(office, None) as ws:
            assert await closed_with(ws) == 4401
        async with feed(office, "st_not-a-session") as ws:
            assert await closed_with(ws) == 4401

    async def test_a_page_of_another_site_cannot_ride_on_the_cookie(self, office: Office) -> None:
        cookie = await session_cookie(office, "staff1")
        async with feed(office, cookie, origin="https://evil.example") as ws:
            assert await closed_with(ws) == 4403

    async def test_staff_cannot_watch_the_supervisor_view(self, office: Office) -> None:
        cookie = await session_cookie(office, "staff1")
        async with feed(office, cookie, "supervisor") as ws:
            assert await closed_with(ws) == 4403
        cookie = await session_cookie(office, "manager")
        async with feed(office, cookie, "supervisor", origin=office.url) as ws:
            snapshot = await receive(ws)
            assert snapshot["type"] == "snapshot" and snapshot["view"] == "supervisor"
            assert len(snapshot["state"]["counters"]) == 4


class TestEvents:
    async def test_a_snapshot_then_each_event_with_the_next_seq(self, office: Office) -> None:
        cookie = await session_cookie(office, "staff1")
        async with feed(office, cookie, origin=office.url) as ws:
            snapshot = await receive(ws)
            assert snapshot["type"] == "snapshot" and snapshot["view"] == "console"
            assert snapshot["state"]["me"]["username"] == "staff1"
            seq = snapshot["seq"]
            ticket = await office.issue("birth")
            event = await receive(ws)
            assert event["type"] == "ticket.issued" and event["number"] == ticket["number"]
            assert event["seq"] == seq + 1
            headers = await office.bearer("staff2")
            async with office.api(headers) as client:
                r = await client.post("/api/v1/counters/2/call-next")
                assert r.json()["number"] == ticket["number"]
            kinds = [(await receive(ws))["type"] for _ in range(2)]
            assert kinds == ["counter.opened", "ticket.called"]

    async def test_a_page_may_ask_for_a_fresh_snapshot(self, office: Office) -> None:
        cookie = await session_cookie(office, "staff1")
        async with feed(office, cookie) as ws:
            first = await receive(ws)
            await office.issue("birth")
            await receive(ws)
            await ws.send(json.dumps({"type": "resync"}))
            again = await receive(ws)
            assert again["type"] == "snapshot" and again["seq"] == first["seq"] + 1
            assert len(again["state"]["waiting"]) == 0  # no counter open: no line of its own


@pytest.mark.postgres
class TestAcrossProcesses:
    """With the PostgreSQL bus, events published by another process reach the feed."""

    @pytest.fixture
    async def bus_office(self, seeded_template: Any, tmp_path: Any) -> Any:
        name = create_pg_database("saduak_console_bus")
        url = pg_url(name)
        # This test plays another process of the same installation: the same bus namespace.
        bus = bus_from_url(url, namespace="consolefeed")
        await bus.start()
        try:
            async with start_office(
                seeded_template, tmp_path, bus_url=url, bus_namespace="consolefeed"
            ) as o:
                yield o, bus
        finally:
            await bus.stop()
            drop_pg_database(name)

    async def test_printer_alerts_are_forwarded_and_a_gap_brings_a_snapshot(
        self, bus_office: Any
    ) -> None:
        office, bus = bus_office
        cookie = await session_cookie(office, "staff1")
        async with feed(office, cookie) as ws:
            snapshot = await receive(ws)
            alert = {
                "type": "printer.paper_out",
                "office": 1,
                "device_id": 1,
                "device": "ตู้กดบัตรคิว 1",
                "state": "paper_out",
                "detail": "paper end",
            }
            await bus.publish(office_channel(1), alert)
            message = await receive(ws)
            assert message == alert
            # An event far ahead of the page: something was missed, so the state is re-read.
            await bus.publish(
                office_channel(1), {"type": "ticket.issued", "office": 1, "seq": 10_000}
            )
            again = await receive(ws)
            assert again["type"] == "snapshot" and again["seq"] == snapshot["seq"]
