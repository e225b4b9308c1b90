"""/metrics: the Prometheus text parser reads it, and each figure agrees with what the test did."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from counter.auth import DeviceKind, Role, StaffPrincipal, add_device
from counter.db import Database
from counter.seed import seed_demo
from counter.service import QueueService
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, FakeClock, cached_hash
from tests.live import LiveServer

OFFICE = 1
S1 = StaffPrincipal(3, OFFICE, "staff1", "เจ้าหน้าที่ 1", Role.STAFF)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(parsed: dict[Any, float], name: str, **labels: str) -> float:
    return parsed[(name, tuple(sorted(labels.items())))]


async def test_the_queue_printers_and_latency_as_prometheus_reads_them(
    app_client: httpx.AsyncClient, demo: Any, database: Database, clock: FakeClock
) -> None:
    queue: QueueService = app_client.app.state.queue  # type: ignore[attr-defined]
    first = await queue.issue_ticket(OFFICE, "birth")
    clock.advance(minutes=1)
    second = await queue.issue_ticket(OFFICE, "birth")
    clock.advance(minutes=1)
    await queue.issue_ticket(OFFICE, "birth")
    await queue.issue_ticket(OFFICE, "marriage")
    clock.advance(minutes=5)
    called = await queue.call_next(S1, 1)
    assert called is not None and called.id == first.id
    with database.write() as session:
        kiosk, _ = add_device(session, OFFICE, DeviceKind.KIOSK, "front", clock(), printer="none")
        assert kiosk.id is not None
    await queue.record_printer_status(OFFICE, kiosk.id, "paper_out", "paper end")
    assert (await app_client.get("/healthz")).status_code == 200

    r = await app_client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    got = samples(r.text)
    birth = {"office": "demo", "service": "birth"}
    assert value(got, "saduak_tickets_issued_today", **birth) == 3
    assert value(got, "saduak_tickets_called_today", **birth) == 1
    assert value(got, "saduak_tickets_waiting", **birth) == 2
    # The longest-waiting birth ticket is the second one, issued 6 minutes before the scrape.
    assert (
        value(got, "saduak_oldest_wait_seconds", **birth)
        == (clock() - second.issued_at).total_seconds()
        == 360
    )
    assert value(got, "saduak_tickets_waiting", office="demo", service="marriage") == 1
    assert value(got, "saduak_tickets_waiting", office="demo", service="move_in") == 0
    assert value(got, "saduak_printer_state", office="demo", kiosk="front", state="paper_out") == 1
    health = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(got, "saduak_http_request_duration_seconds_count", **health) == 1


@pytest.mark.parametrize(
    ("token", "status"), [(None, 403), ("wrong", 403), ("s3cret-metrics", 200)]
)
async def test_other_hosts_need_the_metrics_token(
    db_url: str, clock: FakeClock, token: str | None, status: int
) -> None:
    app = create_app(Settings(database_url=db_url, metrics_token="s3cret-metrics"), clock=clock)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app, client=("192.0.2.9", 40000)),
            base_url="http://testserver",
        ) as client,
    ):
        r = await client.get("/metrics", headers=headers)
    assert r.status_code == status
    if status == 403:
        assert r.json()["error"] == "forbidden" and r.json()["detail_th"]


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[LiveServer, str]]:
    path = tmp_path / "m.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    now = datetime.now(UTC)
    with db.write() as session:
        seed_demo(session, now, passwords=DEMO_PASSWORDS, make_hash=cached_hash)
        _, display = add_device(session, 1, DeviceKind.DISPLAY, "hall", now)
    db.dispose()
    server = LiveServer(url, env={"SADUAK_HEARTBEAT_SECONDS": "0.2"})
    server.start()
    try:
        yield server, display
    finally:
        server.stop()


async def test_connected_screens_and_bus_lag_of_a_running_server(
    served: tuple[LiveServer, str],
) -> None:
    server, display = served
    async with (
        websockets.connect(f"{server.ws_url}/ws/display?token={display}") as screen,
        httpx.AsyncClient(base_url=server.url) as client,
    ):
        await asyncio.wait_for(screen.recv(), 10)  # its snapshot: the screen is connected
        deadline = time.monotonic() + 20
        while True:
            got = samples((await client.get("/metrics")).text)
            if ("saduak_bus_lag_seconds", ()) in got:
                break
            assert time.monotonic() < deadline, "no heartbeat came back from the bus"
            await asyncio.sleep(0.1)
    assert value(got, "saduak_screens_connected", office="demo") == 1
    assert 0 <= value(got, "saduak_bus_lag_seconds") < 5
