"""The `saduak` command as an administrator types it.

Commands run in this process through Typer's CliRunner (the same parsing, exit codes and output
as the installed command); `saduak demo` runs as a real process, since serving is its point."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from counter.settings import get_settings
from saduak.cli import app
from tests.live import LiveServer

SADUAK = [sys.executable, "-m", "saduak.cli"]


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run(args: list[str], env: dict[str, str]) -> Ran:
    # Settings are read once per process (a cached getter): read them afresh for this command's
    # environment, and leave no trace for the next test.
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
    finally:
        get_settings.cache_clear()
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    yield {"SADUAK_VAR_DIR": str(tmp_path), "SADUAK_DATABASE_URL": ""}


def test_demo_seeds_writes_credentials_serves_and_prints_urls(
    env: dict[str, str], tmp_path: Path
) -> None:
    demo = LiveServer(
        "",
        env=env,
        log_dir=tmp_path,
        command=[*SADUAK, "demo", "--port", "{port}", "--history", "21"],
    )
    port = demo.port
    demo.start(timeout=90)  # a bound for a loaded machine, not a measurement
    try:
        creds = (tmp_path / "demo-credentials.txt").read_text(encoding="utf-8")
        accounts = dict(line.split("\t") for line in creds.splitlines() if "\t" in line)
        assert {"admin", "manager", "staff1", "staff2"} <= set(accounts)
        assert oct((tmp_path / "demo-credentials.txt").stat().st_mode)[-3:] == "600"
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/login",
            json={"username": "staff1", "password": accounts["staff1"]},
        )
        assert r.status_code == 200
        token = accounts["kiosk-1 token"]
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/tickets",
            json={"service": "birth"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 201 and r.json()["number"] == "A001"
        # Three weeks of history: the manager's reports show more than today.
        login = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/login",
            json={"username": "manager", "password": accounts["manager"]},
        )
        manager = {"Authorization": f"Bearer {login.json()['token']}"}
        today = datetime.now(UTC).date()
        summary = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/reports/summary",
            params={"from": str(today - timedelta(days=21)), "to": str(today)},
            headers=manager,
            timeout=30,
        ).json()
        assert summary["overall"]["served"] > 300
    finally:
        demo.stop()
    out = demo.logs()
    assert f"http://127.0.0.1:{port}/docs" in out
    assert "staff1" in out
    # The printed kiosk and display URLs open the paired demo screens, not pairing codes.
    base = f"http://127.0.0.1:{port}"
    assert f"{base}/kiosk?token={accounts['kiosk-1 token']}" in out
    assert f"{base}/display?token={accounts['hall display token']}" in out
    assert f"{base}/display/counter/1?token={accounts['hall display token']}" in out
    assert re.search(r"history: \d+ tickets and \d+ complaints from 20", out), out


def test_demo_screen_urls_carry_only_tokens_that_still_open_a_device(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A later `make run` reads the tokens back from the credentials file; a revoked or unknown
    token gives the plain URL (and its pairing screen) rather than a URL that is refused."""

    from counter.auth import DeviceKind, add_device
    from counter.db import Database
    from counter.models import Device
    from saduak.cli import demo_screen_paths

    assert run(["migrate"], env).returncode == 0
    db = Database(f"sqlite:///{env['SADUAK_VAR_DIR']}/saduak.db")
    now = datetime.now(UTC)
    from counter.seed import create_office

    with db.write() as session:
        office = create_office(session, "T1", "ทดสอบ", "Test")
        assert office.id is not None
        kiosk, kiosk_token = add_device(session, office.id, DeviceKind.KIOSK, "kiosk-1", now)
        _, display_token = add_device(session, office.id, DeviceKind.DISPLAY, "hall", now)
    credentials = {"kiosk-1 token": kiosk_token, "hall display token": display_token}
    with db.read() as session:
        paths = demo_screen_paths(session, credentials)
    assert paths == {
        "/kiosk": f"/kiosk?token={kiosk_token}",
        "/display": f"/display?token={display_token}",
        "/display/counter/1": f"/display/counter/1?token={display_token}",
    }
    with db.write() as session:
        row = session.get(Device, kiosk.id)
        assert row is not None
        row.revoked_at = now
    with db.read() as session:
        assert "/kiosk" not in demo_screen_paths(session, credentials)
        assert demo_screen_paths(session, {"kiosk-1 token": "dv_unknown"}) == {}
    db.dispose()


def test_user_and_device_commands(env: dict[str, str]) -> None:
    assert run(["migrate"], env).returncode == 0
    r = run(["user", "add", "somchai", "--role", "staff"], env)
    assert (
        r.returncode == 2 and "no office" in r.stderr
    )  # nothing to add to before an office exists
    from counter.db import Database
    from counter.seed import create_office

    db = Database(f"sqlite:///{env['SADUAK_VAR_DIR']}/saduak.db")
    with db.write() as session:
        create_office(session, "bkk01", "อำเภอหนึ่ง", "District One")
    db.dispose()

    r = run(["user", "add", "somchai", "--role", "staff"], env)
    assert r.returncode == 0, r.stderr
    password = re.search(r"password \(shown once\): (\S+)", r.stdout)
    assert password
    r = run(["user", "add", "somchai", "--role", "staff"], env)
    assert r.returncode == 2 and "'somchai' is taken" in r.stderr
    r = run(["user", "add", "boss", "--role", "manager", "--password", "s3cret-pass"], env)
    assert r.returncode == 0 and "shown once" not in r.stdout
    listed = run(["user", "list"], env).stdout
    assert "somchai\tstaff" in listed and "boss\tmanager" in listed
    assert run(["user", "passwd", "somchai", "--password", "n3w-pass"], env).returncode == 0
    assert run(["user", "add", "x", "--role", "king"], env).returncode != 0

    r = run(["device", "add", "kiosk", "front-door", "--printer", "tcp://127.0.0.1:9100"], env)
    assert r.returncode == 0
    token = re.search(r"token \(shown once\): (dv_\S+)", r.stdout)
    assert token
    listed = run(["device", "list"], env).stdout
    assert "kiosk\tfront-door\tactive" in listed
    device_id = listed.split("\t")[0]
    assert run(["device", "revoke", device_id], env).returncode == 0
    assert "revoked" in run(["device", "list"], env).stdout
    assert run(["device", "revoke", "999"], env).returncode == 2

    r = run(["user", "list", "--office", "nowhere"], env)
    assert r.returncode == 2 and "no office" in r.stderr


def test_user_and_device_commands_follow_the_admin_rules_and_are_audited(
    env: dict[str, str],
) -> None:
    """The command line goes through the admin's use cases: the username rule, the audit log
    (under the operating system's user), and a password change signs the account out."""
    from sqlmodel import select

    from admin.models import AuditEntry
    from counter import repository as repo
    from counter.auth import issue_staff_token
    from counter.db import Database
    from counter.models import AuthToken
    from counter.seed import create_office

    assert run(["migrate"], env).returncode == 0
    db = Database(f"sqlite:///{env['SADUAK_VAR_DIR']}/saduak.db")
    with db.write() as session:
        create_office(session, "bkk01", "อำเภอหนึ่ง", "District One")

    for bad in ["Somchai Jaidee", "ab", "สมชาย", "_under"]:
        r = run(["user", "add", bad, "--role", "staff"], env)
        assert r.returncode == 2 and "a username is 3–64 characters" in r.stderr, bad
    r = run(["user", "add", "  Somchai.J ", "--role", "staff", "--name", "สมชาย"], env)
    assert r.returncode == 0, r.stderr
    assert "'somchai.j'" in r.stdout  # stored as the admin stores it: trimmed, lower case

    r = run(["device", "add", "display", " hall "], env)
    assert r.returncode == 0, r.stderr
    assert "(display 'hall')" in r.stdout  # named as the admin names it: trimmed
    device_id = int(r.stdout.split()[1])
    r = run(["device", "add", "kiosk", "  "], env)
    assert r.returncode == 2 and "name" in r.stderr  # the admin's rule: a device has a name
    with db.write() as session:
        somchai = repo.staff_by_username(session, "somchai.j")
        assert somchai is not None and somchai.display_name == "สมชาย"
        issue_staff_token(session, somchai, datetime.now(UTC), 12)
    assert run(["user", "passwd", "somchai.j", "--password", "n3w-pass-word"], env).returncode == 0
    assert run(["device", "revoke", str(device_id)], env).returncode == 0

    with db.read() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        tokens = session.exec(select(AuthToken)).all()
    assert [(e.action, e.target) for e in entries] == [
        ("staff.create", "staff:somchai.j"),
        ("device.pair", f"device:{device_id}"),
        ("staff.reset_password", "staff:somchai.j"),
        ("device.revoke", f"device:{device_id}"),
    ]
    assert all(e.username.startswith("cli:") and e.staff_id is None for e in entries)
    assert entries[0].after is not None and entries[0].after["role"] == "staff"
    assert entries[1].after is not None and entries[1].after["name"] == "hall"
    assert entries[3].after is not None and entries[3].after["revoked_at"]
    assert tokens and all(t.revoked for t in tokens)  # signed out everywhere
    db.dispose()


def test_printer_test_page_and_ticket_preview(env: dict[str, str], tmp_path: Path) -> None:
    """`saduak printer test` prints on the kiosk's printer; `preview` writes the ticket image."""
    import asyncio

    from PIL import Image

    from counter.auth import DeviceKind, add_device
    from counter.db import Database
    from counter.seed import seed_demo
    from tests.conftest import DEMO_PASSWORDS, cached_hash
    from tests.printer.fake import FakePrinter
    from tests.printer.parser import parse

    assert run(["migrate"], env).returncode == 0
    db = Database(f"sqlite:///{env['SADUAK_VAR_DIR']}/saduak.db")
    with FakePrinter.running() as fp:
        now = datetime.now(UTC)
        with db.write() as session:
            seed_demo(session, now, passwords=DEMO_PASSWORDS, make_hash=cached_hash)
            kiosk, _ = add_device(
                session, 1, DeviceKind.KIOSK, "k", now, printer=fp.url + "?width=384"
            )
            kiosk_id = kiosk.id
        r = run(["printer", "test", "--kiosk", str(kiosk_id)], env)
        assert r.returncode == 0, r.stderr
        assert fp.wait_closed(1)
        page = parse(fp.jobs[0]).stacked_image()
        assert page is not None and page.width == 384

        fp.state = "paper_out"
        r = run(["printer", "test", "--kiosk", str(kiosk_id)], env)
        assert r.returncode == 2 and "paper_out" in r.stderr
    assert run(["printer", "test", "--kiosk", "999"], env).returncode == 2

    from counter.bus import MemoryBus
    from counter.service import QueueService

    queue = QueueService(db, MemoryBus())

    async def issue() -> int:
        await queue.bus.start()
        view = await queue.issue_ticket(1, "birth", device_id=kiosk_id)
        await queue.bus.stop()
        return view.id

    ticket_id = asyncio.run(issue())
    out = tmp_path / "ticket.png"
    r = run(["printer", "preview", str(ticket_id), "-o", str(out)], env)
    assert r.returncode == 0, r.stderr
    image = Image.open(out)
    assert image.width == 384 and image.height > image.width  # the kiosk's 58 mm roll
    assert run(["printer", "preview", "999", "-o", str(out)], env).returncode == 2
    db.dispose()


def test_migrate_creates_the_var_folder_of_a_fresh_checkout(tmp_path: Path) -> None:
    var = tmp_path / "not-yet" / "var"
    env = {"SADUAK_VAR_DIR": str(var), "SADUAK_DATABASE_URL": ""}
    r = run(["migrate"], env)
    assert r.returncode == 0, r.stderr
    assert (var / "saduak.db").exists()
