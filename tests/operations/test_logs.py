"""JSON logs: `saduak serve` with SADUAK_LOG_FORMAT=json writes one JSON object per log line, each
with the id of its request, the same id the answer carries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import SADUAK_SERVE, LiveServer
from tests.procs import fresh_database


@pytest.fixture
def json_server(tmp_path: Path) -> Iterator[LiveServer]:
    with fresh_database("sqlite", tmp_path) as url:
        server = LiveServer(
            url,
            env={"SADUAK_LOG_FORMAT": "json", "SADUAK_VAR_DIR": str(tmp_path)},
            command=SADUAK_SERVE,
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()


def json_lines(server: LiveServer) -> list[dict[str, str]]:
    return [json.loads(line) for line in server.logs().splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_each_request_is_logged_as_json_with_its_request_id(json_server: LiveServer) -> None:
    given = httpx.get(f"{json_server.url}/healthz", headers={"X-Request-ID": "drill-42"})
    made = httpx.get(f"{json_server.url}/healthz")
    odd = httpx.get(f"{json_server.url}/healthz", headers={"X-Request-ID": "<script>"})
    assert given.headers["x-request-id"] == "drill-42"
    assert len(made.headers["x-request-id"]) == 16
    assert odd.headers["x-request-id"] not in ("<script>", made.headers["x-request-id"])

    deadline = time.monotonic() + 10
    wanted = {"drill-42", made.headers["x-request-id"], odd.headers["x-request-id"]}
    while True:
        access = [line for line in json_lines(json_server) if line["logger"] == "uvicorn.access"]
        if wanted <= {line["request_id"] for line in access}:
            break
        assert time.monotonic() < deadline, json_server.logs()
        time.sleep(0.1)
    line = next(line for line in access if line["request_id"] == "drill-42")
    assert "GET /healthz" in line["message"] and line["level"] == "info"
    assert "<script>" not in json_server.logs()
    # Start-up lines are JSON too (only the command's own banner is plain text).
    assert any(line["logger"].startswith("uvicorn") for line in json_lines(json_server))
