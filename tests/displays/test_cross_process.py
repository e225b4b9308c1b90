"""Several app processes on one PostgreSQL database: a call handled by process A reaches a display
connected to process B, over the PostgreSQL (LISTEN/NOTIFY) bus and over the Redis bus."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa

from counter.db import Database
from counter.service import installation_namespace
from counter.unit_of_work import office_channel
from saduak import migrations
from tests.conftest import create_pg_database, drop_pg_database, pg_url
from tests.displays.conftest import FAST_FEED
from tests.displays.support import Desks, Office, Screen, seed_office
from tests.live import LiveServer
from tests.prefork import shared_forker
from tests.procs import copy_of_database

pytestmark = pytest.mark.slow

REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class Cluster:
    bus: str
    bus_url: str
    office: Office
    a: LiveServer
    b: LiveServer
    # The installation's bus namespace, which both servers read from the database.
    namespace: str

    async def inject(self, message: dict[str, object]) -> None:
        """Publish straight onto the bus, as a process whose event was lost in between would."""
        text = json.dumps(message)
        channel = f"{self.namespace}.{office_channel(1)}"
        if self.bus == "postgres":
            conn = await asyncpg.connect(self.bus_url)
            try:
                await conn.execute("SELECT pg_notify($1, $2)", channel, text)
            finally:
                await conn.close()
        else:
            client = aioredis.Redis.from_url(self.bus_url)
            try:
                await client.publish(channel, text)
            finally:
                await client.aclose()


@pytest.fixture(scope="module")
def seeded() -> Iterator[Office]:
    """The office migrated and seeded once: each cluster starts from a copy of it. (The forker
    that the servers are forked from is started first, to import the app while this migrates.)"""
    shared_forker()
    name = create_pg_database("saduak_display")
    try:
        url = pg_url(name)
        migrations.upgrade(url)
        yield seed_office(url)
    finally:
        drop_pg_database(name)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
    ],
)
def cluster(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    seeded: Office,
) -> Iterator[Cluster]:
    logs: Path = tmp_path_factory.mktemp(f"cluster-{request.param}")
    servers: list[LiveServer] = []
    with copy_of_database(seeded.url, logs) as url:
        office = replace(seeded, url=url)
        try:
            bus_url = url if request.param == "postgres" else REDIS_URL
            env = {**FAST_FEED, "SADUAK_BUS_URL": bus_url}
            for label in ("a", "b"):
                server = LiveServer(url, env=env, log_dir=logs, name=f"saduak-{label}")
                servers.append(server)
                server.launch()  # both start at once
            for server in servers:
                server.wait_started()
            db = Database(url)
            namespace = installation_namespace(db, datetime.now(UTC))
            db.dispose()
            yield Cluster(request.param, bus_url, office, servers[0], servers[1], namespace)
        finally:
            for server in servers:
                server.stop()


@pytest.fixture(scope="module")
async def desks_on_a(cluster: Cluster) -> AsyncIterator[Desks]:
    async with Desks(cluster.a.url, cluster.office) as desks:
        yield desks


class TestAcrossProcesses:
    async def test_a_call_through_process_a_reaches_a_display_on_process_b(
        self, cluster: Cluster, desks_on_a: Desks
    ) -> None:
        async with await Screen.connect(cluster.b.ws_url, cluster.office.display_token) as screen:
            await screen.recv_type("snapshot")
            ticket = await desks_on_a.call(1)
            called = await screen.recv_call(ticket["number"], timeout=3)
        assert (called["counter"], called["office"]) == (1, 1)

    async def test_displays_on_both_processes_get_the_same_calls_in_the_same_order(
        self, cluster: Cluster, desks_on_a: Desks
    ) -> None:
        desks_on_b = desks_on_a.rebase(cluster.b.url)
        try:
            async with (
                await Screen.connect(cluster.a.ws_url, cluster.office.display_token) as on_a,
                await Screen.connect(cluster.b.ws_url, cluster.office.second_display_token) as on_b,
            ):
                await on_a.recv_type("snapshot")
                await on_b.recv_type("snapshot")
                numbers = [
                    (await desks_on_a.call(2))["number"],
                    (await desks_on_b.call(3))["number"],
                    (await desks_on_a.call(1))["number"],
                ]
                seen_a = [(await on_a.recv_call(n))["seq"] for n in numbers]
                seen_b = [(await on_b.recv_call(n))["seq"] for n in numbers]
        finally:
            await desks_on_b.client.aclose()
        assert seen_a == seen_b
        assert seen_a == sorted(seen_a)

    async def test_a_gap_in_the_bus_sequence_gives_every_display_a_fresh_snapshot(
        self, cluster: Cluster, desks_on_a: Desks
    ) -> None:
        async with await Screen.connect(cluster.b.ws_url, cluster.office.display_token) as screen:
            before = await screen.recv_type("snapshot")
            await cluster.inject(
                {
                    "type": "ticket.called",
                    "office": 1,
                    "seq": before["seq"] + 50,
                    "number": "Z999",
                    "counter": 1,
                    "ticket_id": 0,
                }
            )
            snapshot = await screen.recv_type("snapshot", timeout=3)
            # The database is the truth: the phantom call is never shown, and the feed goes on.
            assert snapshot["seq"] == before["seq"]
            assert all(c["number"] != "Z999" for c in snapshot["last_calls"])
            ticket = await desks_on_a.call(2)
            called = await screen.recv_call(ticket["number"], timeout=3)
        assert called["seq"] > snapshot["seq"]

    async def test_an_office_update_on_the_bus_refreshes_every_display(
        self, cluster: Cluster
    ) -> None:
        async with await Screen.connect(cluster.b.ws_url, cluster.office.display_token) as screen:
            await screen.recv_type("snapshot")
            db = Database(cluster.office.url)
            try:
                with db.write() as session:
                    session.execute(sa.text("UPDATE office SET display_message = 'วันนี้ปิด 15.00 น.'"))
            finally:
                db.dispose()
            await cluster.inject({"type": "office.updated", "office": 1})
            snapshot = await screen.recv_type("snapshot", timeout=3)
        assert snapshot["office_info"]["message"] == "วันนี้ปิด 15.00 น."
