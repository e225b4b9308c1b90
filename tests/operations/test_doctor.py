"""`saduak doctor`: one line per check, each against the real thing (the served URL, the
database, the kiosk's printer over TCP, Redis), and a failing exit code when one fails."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import seed_demo
from counter.settings import get_settings
from operations.backup import backup, verify
from saduak.cli import app
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.live import LiveServer
from tests.printer.fake import FakePrinter

runner = CliRunner()
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def office(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, LiveServer]]:
    path = tmp_path / "office.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    with db.write() as session:
        seed_demo(session, datetime.now(UTC), passwords=DEMO_PASSWORDS, make_hash=cached_hash)
    db.dispose()
    monkeypatch.setenv("SADUAK_DATABASE_URL", url)
    monkeypatch.setenv("SADUAK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SADUAK_PUBLIC_URL", raising=False)
    get_settings.cache_clear()
    server = LiveServer(url)
    server.start()
    try:
        yield url, server
    finally:
        server.stop()
        get_settings.cache_clear()


def add_kiosk(url: str, printer: str) -> int:
    db = Database(url)
    try:
        with db.write() as session:
            device, _ = add_device(
                session, 1, DeviceKind.KIOSK, "kiosk-1", datetime.now(UTC), printer=printer
            )
            assert device.id is not None
            return device.id
    finally:
        db.dispose()


async def doctor(server: LiveServer) -> Result:
    # In a thread: the fake printer answers on this test's event loop meanwhile.
    return await asyncio.to_thread(
        runner.invoke, app, ["doctor", "--host", server.host, "--port", str(server.port)]
    )


def lines(result: Result) -> dict[str, str]:
    return {line[6:20].strip(): line[:4].strip() for line in result.output.splitlines() if line}


@pytest.mark.redis
async def test_everything_working_gives_one_ok_line_each_and_exit_0(
    office: tuple[str, LiveServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, server = office
    monkeypatch.setenv("SADUAK_BUS_URL", REDIS)
    get_settings.cache_clear()
    assert verify(backup(url, tmp_path / "b", keep=2), url).ok
    async with FakePrinter() as printer:
        kiosk = add_kiosk(url, printer.url)
        result = await doctor(server)
    assert result.exit_code == 0, result.output
    got = lines(result)
    assert got == {
        "public URL": "ok",
        "database": "ok",
        "disk": got["disk"],  # free space depends on the machine
        "clock": "ok",
        f"printer {kiosk}": "ok",
        "bus": "ok",
        "backup": "ok",
    }, result.output
    assert f"{server.url} answers" in result.output
    assert "writable" in result.output and "redis: a message went round" in result.output
    assert re.search(r"last verified 0\.\d h ago", result.output), result.output


async def test_a_printer_out_of_paper_a_dead_bus_and_no_backup_are_reported(
    office: tuple[str, LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, server = office
    monkeypatch.setenv("SADUAK_BUS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    async with FakePrinter("paper_out") as printer:
        kiosk = add_kiosk(url, printer.url)
        result = await doctor(server)
    assert result.exit_code == 1
    got = lines(result)
    assert (got[f"printer {kiosk}"], got["bus"], got["backup"]) == ("FAIL", "FAIL", "warn")
    assert "paper_out" in result.output


async def test_a_public_url_nobody_answers_is_a_failure(
    office: tuple[str, LiveServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, server = office
    server.stop()
    result = await doctor(server)
    assert result.exit_code == 1
    assert lines(result)["public URL"] == "FAIL"
    assert "does not answer here" in result.output
