"""A kiosk print agent as a real process, a TCP relay whose connections can be cut, and a seeded
office whose kiosk prints through `agent://` — for the agent tests and the benchmark."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from counter.auth import DeviceKind, add_device, hash_password
from counter.db import Database
from counter.seed import seed_demo
from saduak import migrations
from tests.live import ROOT, free_port
from tests.prefork import shared_forker

PASSWORD = "agent-test-pw"


@dataclass
class Office:
    url: str
    kiosk_token: str
    kiosk_id: int


def seed_agent_office(url: str, printer: str = "agent://") -> Office:
    migrations.upgrade(url)
    db = Database(url)
    now = datetime.now(UTC)
    try:
        with db.write() as session:
            seed_demo(
                session,
                now,
                passwords={n: PASSWORD for n in ("admin", "manager", "staff1", "staff2")},
                make_hash=lambda _p, h=hash_password(PASSWORD): h,
            )
            device, token = add_device(session, 1, DeviceKind.KIOSK, "k-agent", now, printer)
            assert device.id is not None
            return Office(url, token, device.id)
    finally:
        db.dispose()


class AgentProcess:
    """`saduak kiosk-agent` in its own process (group), with its own state directory."""

    def __init__(
        self, server: str, token: str | None, printer: str, state_dir: Path, pair: bool = False
    ) -> None:
        self.server = server
        self.token = token
        self.pair = pair
        self.printer = printer
        self.state_dir = state_dir
        self.log_path = state_dir.parent / f"{state_dir.name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AgentProcess:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("SADUAK_AGENT_TOKEN", None)
        if self.token:
            env["SADUAK_AGENT_TOKEN"] = self.token
        # Forked from the preloaded interpreter, as every test server is (tests.prefork); in
        # its own process group like them.
        self.process = shared_forker().spawn(  # type: ignore[assignment]
            [
                str(Path(sys.executable).parent / "saduak"),
                "kiosk-agent",
                "--server",
                self.server,
                "--printer",
                self.printer,
                "--state-dir",
                str(self.state_dir),
                *(["--pair"] if self.pair else []),
            ],
            cwd=ROOT,
            env=env,
            log=self.log_path,
        )
        return self

    def journal(self) -> dict[str, Any]:
        with contextlib.suppress(OSError, ValueError):
            value = json.loads((self.state_dir / "journal.json").read_text())
            if isinstance(value, dict):
                return value
        return {}

    def logs(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""

    def kill(self) -> None:
        """SIGKILL: the agent gets no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> AgentProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.kill()


class CutProxy:
    """A TCP relay on 127.0.0.1 in front of the server: `cut()` drops every connection (a
    network drop), `swallow_upstream` silently discards what the agent sends (lost packets)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.swallow_upstream = False
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="cut-proxy").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        pairs = {client: upstream, upstream: client}
        try:
            while True:
                readable, _, _ = select.select(list(pairs), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client and self.swallow_upstream:
                        continue
                    pairs[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        self.cut()


def staff_headers(server_url: str, username: str = "staff1") -> dict[str, str]:
    r = httpx.post(
        f"{server_url}/api/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        timeout=10,
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def wait_until(check: Any, timeout: float, what: str, logs: Any = None) -> Any:
    """Poll `check()` until it returns something true; fail with `what` (and logs) otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{logs()}" if logs else ""
            raise AssertionError(f"timed out waiting for {what}{extra}")
        time.sleep(0.05)


@contextlib.contextmanager
def relay(target_port: int) -> Iterator[CutProxy]:
    proxy = CutProxy(target_port)
    try:
        yield proxy
    finally:
        proxy.close()
