"""When the database cannot take a write — another process holds the write lock, the disk is full —
the request waits a bounded time, then gets a 503 JSON answer with Retry-After and a Thai message;
nothing is half-written, nothing already stored is lost, /healthz says what is wrong, and a failed
kiosk tap does not use up the kiosk's rate limit."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.models import Ticket
from counter.settings import Settings
from saduak.app import create_app
from tests.conftest import DEMO_PASSWORDS, FakeClock, login, seeded_sqlite, serving

WAIT_SECONDS = 0.5


@asynccontextmanager
async def serve(db_url: str, clock: FakeClock, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(database_url=db_url, bus_url="", write_wait_seconds=WAIT_SECONDS, **settings),
        clock=clock,
    )
    async with serving(app) as client:
        yield client


def kiosk_headers(database: Database, clock: FakeClock) -> dict[str, str]:
    with database.write() as session:
        _, token = add_device(session, 1, DeviceKind.KIOSK, "kiosk-storage", clock())
    return {"Authorization": f"Bearer {token}"}


def tickets(database: Database) -> int:
    with database.read() as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(Ticket)).scalar_one())


def assert_unavailable(response: httpx.Response, error: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["error"] == error
    assert body["detail_th"].startswith("ขออภัย")
    assert body["detail"] == f"{body['detail_th']} / {body['detail_en']}"


# ------------------------------------------------------------------ another writer holds the lock


HOLDER = textwrap.dedent(
    """
    import sys
    import sqlite3
    import psycopg

    kind, target = sys.argv[1], sys.argv[2]
    if kind == "sqlite":
        conn = sqlite3.connect(target, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE office SET display_message = 'held by another process' WHERE id = 1")
    else:
        conn = psycopg.connect(target)
        conn.execute("SELECT id FROM office WHERE id = 1 FOR UPDATE")
        conn.execute("UPDATE office SET display_message = 'held by another process' WHERE id = 1")
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("COMMIT") if kind == "sqlite" else conn.commit()
    print("released", flush=True)
    """
)


@contextlib.contextmanager
def lock_held_by_another_process(db_url: str) -> Iterator[subprocess.Popen[str]]:
    """A second OS process takes the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the office's
    row lock, which every write of the office's queue takes) with a write of its own, and keeps it
    until told to commit."""
    parsed = make_url(db_url)
    kind = parsed.get_backend_name()
    target = parsed.database if kind == "sqlite" else db_url
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, kind, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("commit\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"


@pytest.mark.usefixtures("demo")
class TestLockHeldElsewhere:
    async def test_a_kiosk_tap_is_refused_with_503_then_succeeds_once_the_lock_is_free(
        self, db_url: str, database: Database, clock: FakeClock
    ) -> None:
        headers = {**kiosk_headers(database, clock), "Idempotency-Key": "tap-1"}
        async with serve(db_url, clock) as client:
            with lock_held_by_another_process(db_url) as holder:
                refused = await client.post(
                    "/api/v1/tickets", json={"service": "birth"}, headers=headers
                )
                assert_unavailable(refused, "database_busy")
                assert tickets(database) == 0
                release(holder)
            # The kiosk retries the same tap: one ticket, and the other process's write stands.
            issued = await client.post(
                "/api/v1/tickets", json={"service": "birth"}, headers=headers
            )
            assert issued.status_code == 201, issued.text
            again = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=headers)
            assert again.status_code == 200 and again.json()["id"] == issued.json()["id"]
        assert tickets(database) == 1
        with database.read() as session:
            message = session.execute(sa.text("SELECT display_message FROM office WHERE id = 1"))
            assert message.scalar_one() == "held by another process"

    async def test_staff_writes_get_the_same_answer(
        self, db_url: str, database: Database, clock: FakeClock
    ) -> None:
        async with serve(db_url, clock) as client:
            staff = await login(client, "staff1", DEMO_PASSWORDS["staff1"])
            with lock_held_by_another_process(db_url) as holder:
                assert_unavailable(
                    await client.post("/api/v1/counters/1/open", headers=staff), "database_busy"
                )
                assert_unavailable(
                    await client.post("/api/v1/tickets", json={"service": "birth"}, headers=staff),
                    "database_busy",
                )
                release(holder)
            opened = await client.post("/api/v1/counters/1/open", headers=staff)
            assert opened.status_code == 204, opened.text

    async def test_queued_writes_of_this_process_are_bounded_too(
        self, db_url: str, database: Database, clock: FakeClock
    ) -> None:
        # Several taps at once queue behind each other in this process; each gets its answer
        # instead of waiting for all those ahead of it to time out in turn.
        headers = kiosk_headers(database, clock)
        async with serve(db_url, clock, kiosk_rate_per_minute=100) as client:
            with lock_held_by_another_process(db_url) as holder:
                answers = await asyncio.gather(
                    *(
                        client.post("/api/v1/tickets", json={"service": "birth"}, headers=headers)
                        for _ in range(6)
                    )
                )
                release(holder)
        for answer in answers:
            assert_unavailable(answer, "database_busy")
        assert tickets(database) == 0


# ------------------------------------------------------------------ the disk is full


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 6 MiB filesystem (tmpfs), so a full disk is the kernel's ENOSPC, not a pretence."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / f"filler-{uuid.uuid4().hex}"
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as out:
        with contextlib.suppress(OSError):
            while True:
                out.write(chunk)
        with contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 512)
    return filler


async def test_a_full_disk_is_503_reported_by_healthz_and_costs_no_rate_limit(
    tiny_disk: Path, sqlite_template: Path, clock: FakeClock
) -> None:
    db_url = seeded_sqlite(tiny_disk / "saduak.db", sqlite_template, clock())
    database = Database(db_url)
    headers = kiosk_headers(database, clock)
    tap = {"json": {"service": "birth"}, "headers": headers}
    async with serve(db_url, clock, kiosk_rate_per_minute=2) as client:
        first = await client.post("/api/v1/tickets", **tap)
        assert first.status_code == 201, first.text
        assert (await client.get("/healthz")).json()["storage"] == "ok"

        filler = fill(tiny_disk)
        for _ in range(4):
            assert_unavailable(await client.post("/api/v1/tickets", **tap), "storage_full")
        health = await client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["storage"] == "not_writable"

        os.remove(filler)
        # Four refused taps used none of the kiosk's two tickets a minute: the second one issues.
        second = await client.post("/api/v1/tickets", **tap)
        assert second.status_code == 201, second.text
        third = await client.post("/api/v1/tickets", **tap)
        assert third.status_code == 429
        health = await client.get("/healthz")
        assert health.status_code == 200 and health.json()["storage"] == "ok"
    assert tickets(database) == 2
    # The failed attempts left no ticket and took no number.
    assert [first.json()["number"][1:], second.json()["number"][1:]] == ["001", "002"]
    database.dispose()
