"""`saduak kiosk-agent`: prints a kiosk's slips on the kiosk PC's own printer.

One outbound WebSocket to the server (nothing reaches into the kiosk PC), reconnecting with
backoff; the server sends one job at a time as a rendered 1-bit image (protocol:
printer/agent_protocol.py), the agent prints it with the same python-escpos code as the server
(escpos_io.print_image: DLE EOT status before the job and after the cut) and acknowledges it.

Exactly once, and which side of the crash window: before any byte of a job goes to the printer
the agent writes "printing job N" to its journal (fsync'd), and "done: printed/not" after. A job
sent again after a lost connection or a restart (same id) is answered from the journal:
- "done" → the same acknowledgement again, nothing printed;
- "printing" (the agent died mid-job) → not printed again but acknowledged as not printed
  (state unknown): the ticket is "pending print", staff see the alert and reprint it once.
So a slip is never printed twice by the machinery; at worst one reprint by a person, as with a
server-attached printer that stops mid-job.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from printer import agent_protocol as proto
from printer import texts
from printer.config import AgentTarget, PrinterConfig
from printer.escpos_io import print_image, query_status
from printer.status import PrinterState, PrinterStatus

log = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 0.5, 10.0
JOURNAL = "journal.json"
TOKEN_FILE = "token"  # noqa: S105  (a file name)


class AgentStopped(RuntimeError):
    """The server refused this agent for good (revoked token, not an agent:// kiosk)."""


def default_state_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "saduak" / "kiosk-agent"
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "saduak-kiosk-agent"


def channel_url(server: str) -> str:
    """http(s)://host:port[/prefix] → ws(s)://host:port[/prefix]/ws/kiosk-agent."""
    parts = urlsplit(server.strip().rstrip("/"))
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"--server must be an http:// or https:// address, not {server!r}")
    return urlunsplit((scheme, parts.netloc, parts.path + proto.PATH, "", ""))


def _write_private(path: Path, text: str) -> None:
    """Write atomically (temp file, fsync, rename), readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Journal:
    """The last job this agent handled, on disk: what makes a redelivered job print once."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / JOURNAL

    def last(self) -> dict[str, Any]:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def record(self, entry: dict[str, Any]) -> None:
        _write_private(self.path, json.dumps(entry))


def saved_token(directory: Path) -> str | None:
    try:
        token = (directory / TOKEN_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token or None


def pair(server: str, directory: Path, show: Callable[[str], None] = print) -> str:
    """Pair like a new screen: show a code, wait for an admin to confirm it, keep the token."""
    base = server.strip().rstrip("/")
    with httpx.Client(base_url=base, timeout=15) as client:
        started = client.post("/api/v1/pairing")
        started.raise_for_status()
        body = started.json()
        show(texts.PAIRING_CODE.format(code=body["code"]))
        headers = {"X-Pairing-Secret": body["poll_secret"]}
        while True:
            poll = client.get(f"/api/v1/pairing/{body['pairing_id']}", headers=headers)
            poll.raise_for_status()
            answer = poll.json()
            if answer.get("status") == "paired":
                token = str(answer["token"])
                _write_private(directory / TOKEN_FILE, token + "\n")
                show(texts.PAIRED_AS.format(name=answer["device"]["name"]))
                return token
            time.sleep(float(answer.get("poll_seconds") or 2))


@dataclass
class Agent:
    server: str
    token: str
    printer: PrinterConfig
    state_dir: Path
    # Tests and the benchmark read these; the process itself only logs them.
    printed_jobs: list[int] = field(default_factory=list)
    _status: PrinterStatus | None = None
    # One conversation with the printer at a time: a USB printer cannot be opened twice.
    _printer_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        if self.printer.target is None or isinstance(self.printer.target, AgentTarget):
            raise ValueError("--printer must be the kiosk's own printer, e.g. usb://0416:5011")
        self.url = channel_url(self.server)
        self.journal = Journal(self.state_dir)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Stay connected until `stop` is set (or for ever), reconnecting with backoff."""
        stop = stop or asyncio.Event()
        backoff = BACKOFF_FIRST
        while not stop.is_set():
            try:
                async with websockets.connect(
                    self.url,
                    open_timeout=10,
                    ping_interval=proto.HEARTBEAT_SECONDS,
                    ping_timeout=proto.HEARTBEAT_SECONDS,
                    max_size=proto.MAX_MESSAGE_BYTES,
                    compression=None,
                ) as ws:
                    await self._session(ws, stop)
                    backoff = BACKOFF_FIRST
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else None
                if code in proto.FATAL_CLOSE_CODES:
                    reason = exc.rcvd.reason if exc.rcvd is not None else ""
                    raise AgentStopped(f"the server refused this agent: {reason}") from exc
                log.warning("connection to %s lost (%s); reconnecting", self.url, exc)
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
                log.warning("cannot reach %s (%s); retrying in %.1f s", self.url, exc, backoff)
            # Jitter, so a room of kiosks does not come back in step after a server restart.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(backoff * random.uniform(0.8, 1.2)):
                    await stop.wait()
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def _check(self) -> PrinterStatus:
        async with self._printer_lock:
            self._status = await asyncio.to_thread(query_status, self.printer)
            return self._status

    async def _send_status(self, ws: ClientConnection, status: PrinterStatus) -> None:
        status = status.public()
        await ws.send(
            json.dumps({"type": "status", "state": status.state.value, "detail": status.detail})
        )

    async def _session(self, ws: ClientConnection, stop: asyncio.Event) -> None:
        status = (await self._check()).public()
        await ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "token": self.token,
                    "agent": proto.AGENT_NAME,
                    "printer": {
                        "width": self.printer.width,
                        "impl": self.printer.impl,
                        "cut": self.printer.cut,
                        "status": self.printer.status,
                        "timeout": self.printer.timeout,
                        "status_timeout": self.printer.status_timeout,
                        "url": str(self.printer),
                    },
                    "status": {"state": status.state.value, "detail": status.detail},
                }
            )
        )
        welcome = json.loads(await ws.recv())
        heartbeat = float(welcome.get("heartbeat") or proto.HEARTBEAT_SECONDS)
        log.info("connected to %s as kiosk %s", self.url, welcome.get("device", {}).get("name"))
        beat = asyncio.create_task(self._heartbeat(ws, heartbeat))
        stopping = asyncio.create_task(stop.wait())
        try:
            while True:
                receiving = asyncio.create_task(ws.recv())
                done, _ = await asyncio.wait(
                    {receiving, stopping}, return_when=asyncio.FIRST_COMPLETED
                )
                if stopping in done:
                    receiving.cancel()
                    await ws.close()
                    return
                message = json.loads(receiving.result())
                if isinstance(message, dict) and message.get("type") == "job":
                    await self._job(ws, message)
        finally:
            beat.cancel()
            stopping.cancel()

    async def _heartbeat(self, ws: ClientConnection, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            # While a job prints, the printer is busy: report the last state, do not ask.
            busy = self._printer_lock.locked() and self._status is not None
            status = self._status if busy and self._status else await self._check()
            await self._send_status(ws, status)

    async def _job(self, ws: ClientConnection, message: dict[str, Any]) -> None:
        job_id = message.get("job")
        if not isinstance(job_id, int):
            return
        last = self.journal.last()
        if last.get("job") == job_id:
            if last.get("phase") == "done":
                await self._ack(ws, job_id, last["printed"], last["state"], last["detail"], True)
                return
            # Died mid-job: the slip may be half out. Never print it again by ourselves.
            detail = "the print agent stopped during this slip; reprint the ticket"
            self.journal.record(
                {
                    "job": job_id,
                    "phase": "done",
                    "printed": False,
                    "state": "unknown",
                    "detail": detail,
                }
            )
            await self._ack(ws, job_id, False, PrinterState.UNKNOWN.value, detail, True)
            return
        try:
            image = proto.decode_image(str(message.get("png", "")))
        except (ValueError, OSError) as exc:
            detail = f"the slip image could not be read: {exc}"
            await self._ack(ws, job_id, False, PrinterState.UNKNOWN.value, detail, False)
            return
        async with self._printer_lock:
            self.journal.record({"job": job_id, "phase": "printing"})
            result = await asyncio.to_thread(print_image, self.printer, image)
        self._status = result.status
        # Shown as a state in words, never what the printer's link said (PrinterStatus.public).
        shown = result.status.public()
        state, detail = shown.state.value, shown.detail
        self.journal.record(
            {
                "job": job_id,
                "phase": "done",
                "printed": result.printed,
                "state": state,
                "detail": detail,
            }
        )
        if result.printed:
            self.printed_jobs.append(job_id)
        log.info("job %s (%s): %s", job_id, message.get("number"), state)
        await self._ack(ws, job_id, result.printed, state, detail, False)

    async def _ack(
        self,
        ws: ClientConnection,
        job_id: int,
        printed: bool,
        state: str,
        detail: str,
        replayed: bool,
    ) -> None:
        await ws.send(
            json.dumps(
                {
                    "type": "ack",
                    "job": job_id,
                    "printed": printed,
                    "state": state,
                    "detail": detail,
                    "replayed": replayed,
                }
            )
        )
