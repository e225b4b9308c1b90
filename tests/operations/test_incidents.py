"""The incident log: a restart after an unclean stop records the gap; printer, database and bus
outages are recorded by the system; staff record the others; the BCP report adds them up."""

from __future__ import annotations

import asyncio
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from counter.auth import DeviceKind, add_device
from counter.bus import MemoryBus, bus_from_url
from counter.db import Database
from counter.settings import Settings
from operations.backup import backup as take_backup
from operations.backup import verify
from operations.incidents import Watch, record_system_incident
from operations.models import Incident, ServerRun
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, FakeClock, login, serving
from tests.live import LiveServer, free_port
from tests.procs import fresh_database

OFFICE = 1


def incidents_in(db: Database) -> list[Incident]:
    with db.read() as session:
        return list(session.exec(select(Incident).order_by(col(Incident.id))))


def runs_in(db: Database) -> list[ServerRun]:
    with db.read() as session:
        return list(session.exec(select(ServerRun).order_by(col(ServerRun.id))))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    template = request.getfixturevalue("sqlite_template")
    with fresh_database(request.param, tmp_path, template) as url:
        yield url


async def start_and_stop_app(url: str) -> None:
    """The app's start and clean stop (its lifespan), in this process."""
    async with serving(create_app(Settings(database_url=url, bus_url=""))):
        pass


# ---------------------------------------------------------------------- restarts


@pytest.mark.slow
def test_an_unclean_stop_leaves_an_incident_with_the_gap_and_a_clean_one_none(
    empty_url: str,
) -> None:
    db = Database(empty_url)
    server = LiveServer(empty_url, env={"SADUAK_HEARTBEAT_SECONDS": "0.2"})
    try:
        server.start()
        [run] = runs_in(db)
        # Wait (bounded) for a heartbeat, so the gap starts at a beat rather than at the start.
        deadline = time.monotonic() + 20
        while runs_in(db)[0].beat_at == run.started_at:
            assert time.monotonic() < deadline, server.logs()
            time.sleep(0.05)
        server.kill()
        killed_at = datetime.now(UTC)
        last_beat = runs_in(db)[0].beat_at
        assert incidents_in(db) == []
        server.start()
        restarted_at = datetime.now(UTC)
        [incident] = incidents_in(db)
        assert (incident.kind, incident.source, incident.office_id) == ("restart", "system", None)
        assert incident.started_at == last_beat <= killed_at
        assert incident.ended_at is not None
        assert killed_at <= incident.ended_at <= restarted_at
        dead, alive = runs_in(db)
        assert (dead.ended, dead.stopped_at, alive.ended) == ("unclean", last_beat, None)

        server.stop()
        assert runs_in(db)[1].ended == "clean"
        # What the next start makes of the runs before it is the app's start, as in the restart
        # above: here run in this process, since the stop it judges was already a real one.
        asyncio.run(start_and_stop_app(empty_url))
        assert len(runs_in(db)) == 3, "the app did not start"
        [after] = incidents_in(db)
        # Nor is it folded into the earlier incident.
        assert (after.id, after.started_at, after.ended_at) == (
            incident.id,
            incident.started_at,
            incident.ended_at,
        ), "a clean stop is not an incident"
    finally:
        server.stop()
        db.dispose()


# ---------------------------------------------------------------------- printer outages


async def test_a_printer_outage_opens_an_incident_and_printing_again_closes_it(
    app_client: httpx.AsyncClient, demo: Any, database: Database, clock: FakeClock
) -> None:
    with database.write() as session:
        device, _ = add_device(
            session, OFFICE, DeviceKind.KIOSK, "kiosk-1", clock(), printer="tcp://127.0.0.1:9"
        )
        assert device.id is not None
        kiosk = device.id
    queue = app_client.app.state.queue  # type: ignore[attr-defined]
    await queue.record_printer_status(OFFICE, kiosk, "ok", "")
    began = clock.advance(minutes=5)
    await queue.record_printer_status(OFFICE, kiosk, "paper_out", "paper end sensor")
    clock.advance(minutes=3)
    await queue.record_printer_status(OFFICE, kiosk, "cover_open", "cover")
    ended = clock.advance(minutes=9)
    await queue.record_printer_status(OFFICE, kiosk, "near_end", "")
    clock.advance(minutes=1)
    await queue.record_printer_status(OFFICE, kiosk, "near_end", "")
    [incident] = incidents_in(database)
    assert (incident.kind, incident.office_id, incident.device_id) == ("printer", OFFICE, kiosk)
    assert (incident.started_at, incident.ended_at) == (began, ended)
    assert "paper_out" in incident.summary


# ---------------------------------------------------------------------- database and bus


async def test_a_database_outage_is_recorded_when_the_database_answers_again(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "saduak.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}", write_wait=0.05)
    clock = FakeClock()
    bus = MemoryBus()
    await bus.start()
    watch = Watch(db, bus, clock=clock, interval=3600)
    await watch.start()
    try:
        clock.advance(minutes=1)
        await watch.beat()
        assert watch.db_down_since is None
        # Another program holds the database's write lock: the heartbeat cannot write.
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        failed_at = clock.advance(minutes=1)
        await watch.beat()
        clock.advance(minutes=1)
        await watch.beat()
        assert watch.db_down_since == failed_at
        blocker.execute("ROLLBACK")
        blocker.close()
        back_at = clock.advance(minutes=1)
        await watch.beat()
    finally:
        await watch.stop()
        await bus.stop()
    [incident] = incidents_in(db)
    db.dispose()
    assert (incident.kind, incident.started_at, incident.ended_at) == (
        "database",
        failed_at,
        back_at,
    )


async def test_an_app_that_starts_while_the_database_is_locked_registers_itself_later(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "saduak.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}", write_wait=0.05)
    clock = FakeClock()
    bus = MemoryBus()
    await bus.start()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    watch = Watch(db, bus, clock=clock, interval=3600)
    try:
        started_at = clock()
        await watch.start()  # does not raise: the app serves and its health check tells
        assert watch.run_id is None and watch.db_down_since == started_at
        blocker.execute("ROLLBACK")
        back_at = clock.advance(minutes=3)
        await watch.beat()
        assert watch.run_id is not None
    finally:
        blocker.close()
        await watch.stop()
        await bus.stop()
    [incident] = incidents_in(db)
    [run] = runs_in(db)
    db.dispose()
    assert (incident.kind, incident.started_at, incident.ended_at) == (
        "database",
        started_at,
        back_at,
    )
    assert run.ended == "clean"


def test_two_processes_seeing_one_outage_write_one_incident(database: Database) -> None:
    t0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    with database.write() as session:
        record_system_incident(session, "bus", t0, t0 + timedelta(minutes=4), "bus down")
    with database.write() as session:
        record_system_incident(
            session, "bus", t0 + timedelta(minutes=1), t0 + timedelta(minutes=6), "bus down"
        )
    with database.write() as session:
        record_system_incident(
            session, "bus", t0 + timedelta(minutes=30), t0 + timedelta(minutes=31), "bus"
        )
    first, second = incidents_in(database)
    assert (first.started_at, first.ended_at) == (t0, t0 + timedelta(minutes=6))
    assert second.started_at == t0 + timedelta(minutes=30)


# ---------------------------------------------------------------------- staff records, BCP


async def manager(client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, "manager", DEMO_PASSWORDS["manager"])


class TestStaffRecordsAndTheBcpReport:
    async def test_a_manager_records_and_ends_incidents_and_the_report_adds_them_up(
        self,
        app_client: httpx.AsyncClient,
        demo: Any,
        database: Database,
        db_url: str,
        tmp_path: Path,
    ) -> None:
        headers = await manager(app_client)
        # Local times (Bangkok, UTC+7) from the form; the clock is 27 Nov 2026 10:00 local.
        power = {
            "kind": "power",
            "started_at": "2026-11-20T09:00",
            "ended_at": "2026-11-20T09:45",
            "impact": "ออกบัตรคิวกระดาษ 30 ใบ",
            "action": "เปิดเครื่องสำรองไฟ",
        }
        r = await app_client.post("/api/v1/incidents", json=power, headers=headers)
        assert r.status_code == 201, r.text
        assert r.json()["minutes"] == 45.0
        network = {"kind": "network", "started_at": "2026-11-20T09:30"}
        r = await app_client.post("/api/v1/incidents", json=network, headers=headers)
        assert r.status_code == 201 and r.json()["ended_at"] is None
        network_id = r.json()["id"]
        r = await app_client.patch(
            f"/api/v1/incidents/{network_id}",
            json={"ended_at": "2026-11-20T10:10", "action": "เปลี่ยนสวิตช์"},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        equipment = {
            "kind": "equipment",
            "started_at": "2026-11-21T13:00",
            "ended_at": "2026-11-21T13:20",
        }
        r = await app_client.post("/api/v1/incidents", json=equipment, headers=headers)
        assert r.status_code == 201
        # A restart drill on a backup of this database.
        copy = take_backup(db_url, tmp_path / "b", keep=3)
        assert verify(copy, db_url).ok

        r = await app_client.get("/api/v1/bcp?fy=2570", headers=headers)
        assert r.status_code == 200, r.text
        report = r.json()
        # Power 09:00–09:45 and network 09:30–10:10 overlap: the office was down 09:00–10:10.
        assert report["downtime_minutes"] == 70.0
        assert report["by_kind"]["power"] == {"count": 1, "minutes": 45.0}
        assert report["by_kind"]["network"] == {"count": 1, "minutes": 40.0}
        assert report["by_kind"]["equipment"] == {"count": 1, "minutes": 20.0}
        assert report["recover_mean_minutes"] == round((45 + 40 + 20) / 3, 1)
        assert report["recover_max_minutes"] == 45.0
        assert (report["drills_passed"], report["drills_failed"]) == (1, 0)
        assert report["open_incidents"] == 0
        # Another fiscal year holds none of it.
        r = await app_client.get("/api/v1/bcp?fy=2569", headers=headers)
        assert r.json()["incidents"] == [] and r.json()["drills"] == []

        page = await app_client.get("/operations?fy=2570")
        assert page.status_code == 200
        assert "รายงานความต่อเนื่องในการให้บริการ" in page.text
        assert "ไฟฟ้าดับ" in page.text and "เปลี่ยนสวิตช์" in page.text

        # The fiscal year's evidence pack carries the same figures.
        evidence = await app_client.get("/reports/evidence?fy=2570")
        assert evidence.status_code == 200
        assert "การบริหารความต่อเนื่องในการให้บริการ" in evidence.text
        assert "ระบบหยุดให้บริการรวม 70.0 นาที" in evidence.text
        assert "ไฟฟ้าดับ" in evidence.text and "เปลี่ยนสวิตช์" in evidence.text

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            ({"kind": "flood", "started_at": "2026-11-20T09:00"}, "kind"),
            (
                {"kind": "power", "started_at": "2026-11-20T09:00", "ended_at": "2026-11-20T08:00"},
                "before the start",
            ),
            ({"kind": "power", "started_at": "2026-12-20T09:00"}, "future"),
            ({"kind": "power", "started_at": "yesterday"}, "started_at"),
        ],
    )
    async def test_bad_input_is_a_clear_422(
        self, app_client: httpx.AsyncClient, demo: Any, body: dict[str, str], problem: str
    ) -> None:
        r = await app_client.post("/api/v1/incidents", json=body, headers=await manager(app_client))
        assert r.status_code == 422
        assert problem in r.json()["detail_en"]
        assert r.json()["detail_th"]

    async def test_counter_staff_and_strangers_cannot(
        self, app_client: httpx.AsyncClient, demo: Any
    ) -> None:
        staff = await login(app_client, "staff1", DEMO_PASSWORDS["staff1"])
        body = {"kind": "power", "started_at": "2026-11-20T09:00"}
        assert (
            await app_client.post("/api/v1/incidents", json=body, headers=staff)
        ).status_code == 403
        app_client.cookies.clear()
        assert (await app_client.get("/api/v1/bcp")).status_code == 401
        r = await app_client.get("/operations")
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def start_redis(port: int, directory: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc
        except OSError:
            pass
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)


@pytest.mark.redis
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
async def test_a_bus_outage_is_recorded_when_the_bus_answers_again(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "saduak.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database(f"sqlite:///{path}")
    clock = FakeClock()
    port = free_port()
    redis = start_redis(port, tmp_path)
    bus = bus_from_url(f"redis://127.0.0.1:{port}/0")
    await bus.start()
    watch = Watch(db, bus, clock=clock, interval=3600)
    await watch.start()
    try:
        clock.advance(minutes=1)
        await watch.beat()
        redis.terminate()
        redis.wait(10)
        down_at = clock.advance(minutes=1)
        await watch.beat()
        assert watch.bus_down_since == down_at
        assert incidents_in(db) == []
        redis = start_redis(port, tmp_path)  # the same port: the bus reconnects by itself
        back_at = clock.advance(minutes=2)
        await watch.beat()
    finally:
        await watch.stop()
        await bus.stop()
        redis.terminate()
        redis.wait(10)
    [incident] = incidents_in(db)
    db.dispose()
    assert (incident.kind, incident.started_at, incident.ended_at) == ("bus", down_at, back_at)
