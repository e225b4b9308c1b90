"""Two installations on one Redis or one PostgreSQL never see each other's events: every channel
carries the installation's namespace (SADUAK_BUS_NAMESPACE, by default a random name kept in the
installation's own database, so all of its processes share it: the two server processes of
tests/displays/test_cross_process.py read it there and inject onto it)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from counter.bus import Bus, Subscription, bus_from_url
from counter.settings import Settings
from counter.unit_of_work import office_channel
from saduak.app import create_app
from tests.conftest import PG_ADMIN_URL

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


async def test_the_namespace_can_be_set_and_a_bad_one_is_refused(
    tmp_path: Path, sqlite_template: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    shutil.copy(sqlite_template, tmp_path / "x.db")
    app = create_app(Settings(database_url=url, bus_url="memory://", bus_namespace="amphoe-01"))
    async with app.router.lifespan_context(app):
        assert app.state.bus.namespace == "amphoe-01"
    with pytest.raises(ValueError, match="namespace"):
        bus_from_url(REDIS_URL, namespace="a.b")
    with pytest.raises(ValueError, match="namespace"):
        bus_from_url(REDIS_URL, namespace="x" * 25)
