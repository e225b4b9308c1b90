"""Two installations on one Redis or one PostgreSQL never see each other's events: every channel
carries the installation's namespace (SADUAK_BUS_NAMESPACE, by default a random name kept in the
installation's own database, so all of its processes share it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from counter.auth import DeviceKind, add_device
from counter.bus import Bus, Subscription, bus_from_url
from counter.db import Database
from counter.service import office_channel
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import PG_ADMIN_URL, FakeClock, seeded_sqlite, serving

REDIS_URL = "redis://127.0.0.1:6379/0"
BUSES = [
    pytest.param(REDIS_URL, id="redis", marks=pytest.mark.redis),
    pytest.param(PG_ADMIN_URL, id="postgres", marks=pytest.mark.postgres),
]
# Generous: only a broken bus waits this long, and then the test fails instead of hanging.
WAIT = 10.0


async def next_message(subscription: Subscription) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        return await subscription.get()


@asynccontextmanager
async def started(bus: Bus) -> AsyncIterator[Bus]:
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()


@pytest.mark.parametrize("bus_url", BUSES)
async def test_buses_of_two_namespaces_on_one_server_do_not_hear_each_other(bus_url: str) -> None:
    channel = office_channel(1)
    async with (
        started(bus_from_url(bus_url, namespace="districtA")) as a_listener,
        started(bus_from_url(bus_url, namespace="districtA")) as a_worker,
        started(bus_from_url(bus_url, namespace="districtB")) as b_worker,
        a_listener.subscribe(channel) as heard,
    ):
        await b_worker.publish(channel, {"type": "ticket.called", "from": "B"})
        # A's second process publishes after B's message has reached the server; the server
        # delivers in that order, so had B's message crossed over it would come first.
        await a_worker.publish(channel, {"type": "ticket.called", "from": "A"})
        assert (await next_message(heard))["from"] == "A"


def installation(directory: Path, template: Path, clock: FakeClock) -> str:
    directory.mkdir()
    return seeded_sqlite(directory / "saduak.db", template, clock())


def kiosk(url: str, clock: FakeClock) -> dict[str, str]:
    db = Database(url)
    with db.write() as session:
        _, token = add_device(session, 1, DeviceKind.KIOSK, "kiosk-ns", clock())
    db.dispose()
    return {"Authorization": f"Bearer {token}"}


def running(url: str, bus_url: str, clock: FakeClock) -> Any:
    return serving(create_app(Settings(database_url=url, bus_url=bus_url), clock=clock))


@pytest.mark.parametrize("bus_url", BUSES)
async def test_two_installations_sharing_a_bus_server_keep_their_events_apart(
    bus_url: str, tmp_path: Path, sqlite_template: Path, clock: FakeClock
) -> None:
    # Two district offices, each its own installation (own database), both "office 1", one
    # province Redis/PostgreSQL for their events; the first has two processes.
    north = installation(tmp_path / "north", sqlite_template, clock)
    south = installation(tmp_path / "south", sqlite_template, clock)
    north_kiosk, south_kiosk = kiosk(north, clock), kiosk(south, clock)
    async with (
        running(north, bus_url, clock) as north_1,
        running(north, bus_url, clock) as north_http,
        running(south, bus_url, clock) as south_http,
    ):
        apps = [c.app for c in (north_1, north_http, south_http)]
        namespaces = [app.state.bus.namespace for app in apps]
        assert namespaces[0] == namespaces[1] != namespaces[2]
        assert all(namespaces)
        async with apps[0].state.bus.subscribe(office_channel(1)) as north_hears:
            south_ticket = await south_http.post(
                "/api/v1/tickets", json={"service": "birth"}, headers=south_kiosk
            )
            assert south_ticket.status_code == 201, south_ticket.text
            north_ticket = await north_http.post(
                "/api/v1/tickets", json={"service": "birth"}, headers=north_kiosk
            )
            assert north_ticket.status_code == 201, north_ticket.text
            # North's own second process is heard, and before it nothing of south's.
            heard = await next_message(north_hears)
            assert heard["type"] == "ticket.issued"
            assert heard["ticket_id"] == north_ticket.json()["id"]

    # A restart keeps the namespace: it lives in the installation's database.
    async with running(north, bus_url, clock) as again:
        assert again.app.state.bus.namespace == namespaces[0]


async def test_the_namespace_can_be_set_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    app = create_app(Settings(database_url=url, bus_url="memory://", bus_namespace="amphoe-01"))
    async with app.router.lifespan_context(app):
        assert app.state.bus.namespace == "amphoe-01"
    with pytest.raises(ValueError, match="namespace"):
        bus_from_url(REDIS_URL, namespace="a.b")
    with pytest.raises(ValueError, match="namespace"):
        bus_from_url(REDIS_URL, namespace="x" * 25)
