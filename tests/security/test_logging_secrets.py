"""Secrets never reach the server's log: device tokens in set-up URLs and WebSocket queries,
citizens' status tokens in paths, pairing secrets. A real uvicorn server with its access log on."""

from __future__ import annotations

import httpx
import pytest
from websockets.asyncio.client import connect

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.web import redact_url
from tests.conftest import FakeClock
from tests.live import LiveServer

pytestmark = pytest.mark.usefixtures("demo")


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/kiosk?token=dv_abc&lang=en", "/kiosk?token=[redacted]&lang=en"),
        ("/t/AbC-123_x", "/t/[redacted]"),
        ("/t/AbC-123_x/qr.svg", "/t/[redacted]/qr.svg"),
        ("/api/v1/status/AbC-123_x", "/api/v1/status/[redacted]"),
        ("/api/v1/survey/AbC-123_x", "/api/v1/survey/[redacted]"),
        ("/survey/AbC-123_x", "/survey/[redacted]"),
        ("/survey/counter/3", "/survey/counter/3"),
        ("/api/v1/pairing/p1?secret=s3cr3t", "/api/v1/pairing/p1?secret=[redacted]"),
        ("/ws/display?token=dv_x", "/ws/display?token=[redacted]"),
        ("/api/v1/queue?service=birth", "/api/v1/queue?service=birth"),
    ],
)
def test_redact_url(target: str, logged: str) -> None:
    assert redact_url(target) == logged


async def test_the_access_log_of_a_real_server_holds_no_secret(
    db_url: str, database: Database, clock: FakeClock
) -> None:
    with database.write() as session:
        _, kiosk = add_device(session, 1, DeviceKind.KIOSK, "kiosk-log", clock())
        _, display = add_device(session, 1, DeviceKind.DISPLAY, "hall-log", clock())
    server = LiveServer(db_url, uvicorn_args=("--log-level", "info"))
    async with server, httpx.AsyncClient(base_url=server.url) as client:
        issued = await client.post(
            "/api/v1/tickets",
            json={"service": "birth"},
            headers={"Authorization": f"Bearer {kiosk}"},
        )
        assert issued.status_code == 201, issued.text
        status_token = issued.json()["status_url"].rsplit("/", 1)[1]
        started = (await client.post("/api/v1/pairing")).json()
        secret = started["poll_secret"]

        await client.get(f"/kiosk?token={kiosk}")
        await client.get(f"/display?token={display}")
        await client.get(f"/t/{status_token}")
        await client.get(f"/t/{status_token}/qr.svg")
        await client.get(f"/api/v1/status/{status_token}")
        await client.get(f"/api/v1/survey/{status_token}")
        await client.get(f"/api/v1/pairing/{started['pairing_id']}?secret={secret}")
        async with connect(f"{server.ws_url}/ws/display?token={display}") as ws:
            await ws.recv()
        # uvicorn writes the access line as it starts the answer: this one is in the log.
        await client.get("/healthz?end-of-test")
        log = server.logs()

    assert "end-of-test" in log
    for secret_value in (kiosk, display, status_token, secret):
        assert secret_value not in log
    assert "/kiosk?token=[redacted]" in log
    assert "/t/[redacted]/qr.svg" in log
    assert f"/api/v1/pairing/{started['pairing_id']}?secret=[redacted]" in log
    assert "/ws/display?token=[redacted]" in log
