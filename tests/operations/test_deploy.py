"""What deploy/ installs: the systemd units pass `systemd-analyze verify`, the settings file names
only real settings, the compose file wires the app to PostgreSQL and Redis, and the nginx snippet
really passes a display's WebSocket and a status page's server-sent events."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import websockets
import yaml

from counter.auth import DeviceKind, add_device
from counter.bus import MemoryBus
from counter.db import Database
from counter.seed import seed_demo
from counter.service import QueueService
from counter.settings import Settings
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.live import LiveServer, free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
VENV_BIN = Path(sys.executable).parent
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def unit_lines(name: str) -> dict[str, str]:
    text = (DEPLOY / "systemd" / name).read_text()
    return dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )


@pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed on this machine"
)
@pytest.mark.parametrize(
    "unit",
    ["saduak.service", "saduak-backup.service", "saduak-backup.timer", "saduak-litestream.service"],
)
def test_the_systemd_units_verify(unit: str, tmp_path: Path) -> None:
    # Paths of an installed system, pointed at this checkout: verify checks that they exist.
    text = (DEPLOY / "systemd" / unit).read_text()
    text = text.replace("/opt/saduak/.venv/bin/", f"{VENV_BIN}/")
    text = text.replace("/etc/saduak/saduak.env", str(DEPLOY / "saduak.env.example"))
    for other in (DEPLOY / "systemd").iterdir():
        (tmp_path / other.name).write_text(other.read_text())
    (tmp_path / unit).write_text(text)
    assert SYSTEMD_ANALYZE is not None
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", str(tmp_path / unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # Unknown keys are only warnings: none may be printed about our file either.
    assert unit not in done.stderr, done.stderr


def test_the_service_runs_as_its_own_user_restarts_and_reads_the_environment_file() -> None:
    unit = unit_lines("saduak.service")
    assert unit["User"] == "saduak" and unit["Restart"] == "on-failure"
    assert unit["EnvironmentFile"] == "/etc/saduak/saduak.env"
    assert unit["ExecStart"].startswith("/opt/saduak/.venv/bin/saduak serve")


def test_the_environment_file_names_only_real_settings() -> None:
    names = [
        line.split("=", 1)[0]
        for line in (DEPLOY / "saduak.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    fields = {f"SADUAK_{name.upper()}" for name in Settings.model_fields}
    # HOST, PORT and WORKERS are the unit's own (its ExecStart line).
    unit_only = {"SADUAK_HOST", "SADUAK_PORT", "SADUAK_WORKERS"}
    assert set(names) - unit_only <= fields, set(names) - unit_only - fields
    assert unit_only <= set(names)


def test_the_compose_file_wires_app_processes_to_postgresql_and_redis() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    apps = [name for name in services if name.startswith("app")]
    assert len(apps) >= 2 and {"db", "redis"} <= set(services)
    for name in apps:
        env = services[name]["environment"]
        assert (
            env["SADUAK_DATABASE_URL"].startswith("postgresql://")
            and "@db:" in env["SADUAK_DATABASE_URL"]
        )
        assert env["SADUAK_BUS_URL"].startswith("redis://redis:")
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["db"]["image"].startswith("postgres:")


@pytest.fixture
def office(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[LiveServer, str, str]]:
    """A served office with a display screen and one ticket (its status-page token)."""
    path = tmp_path / "office.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    now = datetime.now(UTC)
    with db.write() as session:
        seed_demo(session, now, passwords=DEMO_PASSWORDS, make_hash=cached_hash)
        _, display = add_device(session, 1, DeviceKind.DISPLAY, "hall", now)
    ticket = asyncio.run(QueueService(db, MemoryBus()).issue_ticket(1, "birth"))
    db.dispose()
    server = LiveServer(url)
    server.start()
    try:
        yield server, display, ticket.token
    finally:
        server.stop()


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")
async def test_nginx_passes_the_display_websocket_and_status_page_events(
    office: tuple[LiveServer, str, str], tmp_path: Path
) -> None:
    server, display_token, ticket_token = office
    port = free_port()
    snippet = (DEPLOY / "nginx.conf").read_text()
    snippet = re.sub(
        r"(\s*server 127\.0\.0\.1:\d+;)+", f"\n    server 127.0.0.1:{server.port};", snippet
    )
    snippet = snippet.replace("listen 80;", f"listen 127.0.0.1:{port};")
    conf = tmp_path / "nginx.conf"
    temp = "\n".join(
        f"  {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n{temp}\n{snippet}\n}}\n"
    )
    assert NGINX is not None
    proxy = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf)], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                try:
                    if (await client.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proxy.poll() is None, proxy.stderr.read() if proxy.stderr else ""
                assert time.monotonic() < deadline, "nginx did not come up"
                await asyncio.sleep(0.1)

            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/display?token={display_token}", open_timeout=10
            ) as ws:
                first = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert first["type"] == "snapshot"

            async with client.stream("GET", f"{base}/t/{ticket_token}/events") as events:
                assert events.headers["content-type"].startswith("text/event-stream")
                async with asyncio.timeout(10):
                    async for line in events.aiter_lines():
                        if line.startswith("data:"):
                            status = json.loads(line[len("data:") :])
                            break
            assert status["number"] == "A001"
    finally:
        proxy.terminate()
        proxy.wait(10)
