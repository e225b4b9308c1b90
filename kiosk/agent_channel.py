"""The server's end of a kiosk print agent's job channel (protocol: printer/agent_protocol.py).

A job channel, not a display feed: one connection per agent, one job out at a time. Jobs come
from the print outbox (counter.print_jobs): `next_agent_print_job` claims the kiosk's next job
for this connection (or the job an earlier connection sent and never saw acknowledged), the
server renders the slip at the agent's width and sends it, and the agent's `ack` settles it like
a server-attached print (job, ticket, the kiosk's printer state, the tap's waiter). The agent's
`status` messages reach staff through the same record_printer_status as any printer check.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from datetime import timedelta
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from counter import print_jobs
from counter.auth import DeviceKind, DevicePrincipal
from counter.print_jobs import JobView, PrintSignals
from counter.queue.errors import NotFound
from counter.service import QueueService
from kiosk import texts
from kiosk.printing import POLL_SECONDS, PrintOutcome, job_image, printer_queue, settle
from printer import agent_protocol as proto
from printer.config import MAX_TIMEOUT, MAX_WIDTH, MIN_WIDTH
from printer.render import RenderingUnavailable
from printer.status import PrinterState

log = logging.getLogger(__name__)
router = APIRouter()

HELLO_TIMEOUT_SECONDS = 10.0
_STATES = frozenset(state.value for state in PrinterState)
AGENT_GONE = " / ".join(texts.MESSAGES["agent_gone"])


def _lease(printer: dict[str, Any]) -> timedelta:
    """How long a sent job stays with its connection: the agent's longest print (its printer's
    timeouts, as in kiosk.printing.print_bound), at least a minute."""
    seconds = [printer.get(key) for key in ("timeout", "status_timeout")]
    if all(isinstance(v, int | float) and 0 < v <= MAX_TIMEOUT for v in seconds):
        timeout, status_timeout = (float(v) for v in seconds if v is not None)
        return timedelta(seconds=max(60.0, 2 * timeout + 2 * status_timeout + 5))
    return timedelta(seconds=60)


def _state(value: Any) -> str:
    return value if isinstance(value, str) and value in _STATES else PrinterState.UNKNOWN.value


def _detail(value: Any) -> str:
    return value[:300] if isinstance(value, str) else ""


async def _receive(websocket: WebSocket) -> dict[str, Any] | None:
    """The next JSON object from the agent ({} for anything else), None once it has gone."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if not isinstance(text, str) or len(text) > 16_384:
        return {}
    with contextlib.suppress(ValueError):
        value = json.loads(text)
        if isinstance(value, dict):
            return value
    return {}


class _AgentConnection:
    def __init__(
        self,
        websocket: WebSocket,
        device: DevicePrincipal,
        width: int,
        queue: QueueService,
        lease: timedelta,
    ) -> None:
        self.websocket = websocket
        self.device = device
        self.width = width
        self.lease = lease
        self.queue = queue
        self.signals: PrintSignals = websocket.app.state.print_signals
        self.owner = f"agent:{device.device_id}:{secrets.token_hex(6)}"
        self.outstanding: JobView | None = None
        self.wake = self.signals.queue_event(print_jobs.agent_queue(device.device_id))

    async def status(self, state: str, detail: str) -> None:
        await self.queue.record_printer_status(
            self.device.office_id, self.device.device_id, state, detail
        )

    async def send_jobs(self) -> None:
        while True:
            self.wake.clear()
            if self.outstanding is None:
                job = await self.queue.next_agent_print_job(
                    self.device.device_id, self.owner, self.lease
                )
                if job is not None:
                    await self._send(job)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self.wake.wait()

    async def _send(self, job: JobView) -> None:
        try:
            image, view = await job_image(self.queue, job, self.width)
        except (RenderingUnavailable, NotFound) as exc:
            # Nothing the agent could do about it: settle the job here, or it comes back forever.
            log.error("print job %s cannot be rendered: %s", job.id, exc)
            failed = PrintOutcome(False, PrinterState.UNKNOWN.value, "the slip could not be made")
            await settle(self.queue, self.signals, job, failed)
            self.wake.set()
            return
        self.outstanding = job
        number = view.number if view is not None else None
        # PNG encoding is CPU work: off the event loop, like the rendering.
        message = await anyio.to_thread.run_sync(proto.job_message, job.id, job.kind, number, image)
        await self.websocket.send_json(message)

    async def receive(self) -> None:
        # The agent speaks at least every heartbeat; silence means the link is gone.
        silence = proto.HEARTBEAT_SECONDS * proto.MISSED_HEARTBEATS
        while True:
            try:
                async with asyncio.timeout(silence):
                    message = await _receive(self.websocket)
            except TimeoutError:
                log.warning("print agent of kiosk %s went silent", self.device.name)
                return
            if message is None:
                return
            kind = message.get("type")
            if kind == "status":
                await self.status(_state(message.get("state")), _detail(message.get("detail")))
            elif kind == "ack":
                await self._ack(message)

    async def _ack(self, message: dict[str, Any]) -> None:
        job_id = message.get("job")
        if not isinstance(job_id, int):
            return
        job = self.outstanding if self.outstanding and self.outstanding.id == job_id else None
        if job is None:
            job = await self.queue.print_job(job_id)
            if job is None or job.device_id != self.device.device_id:
                return  # not this kiosk's job: ignore
        outcome = PrintOutcome(
            message.get("printed") is True,
            _state(message.get("state")),
            _detail(message.get("detail")),
        )
        await settle(self.queue, self.signals, job, outcome)
        if self.outstanding is not None and self.outstanding.id == job_id:
            self.outstanding = None
            self.wake.set()


@router.websocket(proto.PATH)
async def agent_channel(websocket: WebSocket) -> None:
    """A kiosk print agent's job channel (`saduak kiosk-agent`); see printer/agent_protocol.py."""
    await websocket.accept()
    hello: dict[str, Any] | None = {}
    with contextlib.suppress(TimeoutError, WebSocketDisconnect):
        async with asyncio.timeout(HELLO_TIMEOUT_SECONDS):
            hello = await _receive(websocket)
    if not hello or hello.get("type") != "hello" or not isinstance(hello.get("token"), str):
        await websocket.close(proto.CLOSE_BAD_HELLO, "expected a hello message with a token")
        return
    principal = await websocket.app.state.auth.resolve(hello["token"][:200])
    if principal is None:
        await websocket.close(proto.CLOSE_BAD_TOKEN, "invalid or revoked kiosk token")
        return
    queue: QueueService = websocket.app.state.queue
    if not isinstance(principal, DevicePrincipal) or principal.kind is not DeviceKind.KIOSK:
        await websocket.close(proto.CLOSE_NOT_AGENT_KIOSK, "not a kiosk token")
        return
    try:
        device = await queue.device(principal.office_id, principal.device_id)
    except NotFound:
        await websocket.close(proto.CLOSE_BAD_TOKEN, "this kiosk no longer exists")
        return
    if printer_queue(device) != print_jobs.agent_queue(principal.device_id):
        await websocket.close(
            proto.CLOSE_NOT_AGENT_KIOSK, "this kiosk's printer setting is not agent://"
        )
        return
    given = hello.get("printer")
    printer: dict[str, Any] = given if isinstance(given, dict) else {}
    width = printer.get("width")
    if not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH or width % 8:
        await websocket.close(proto.CLOSE_BAD_HELLO, "hello.printer.width must be dots, e.g. 512")
        return
    conn = _AgentConnection(websocket, principal, width, queue, _lease(printer))
    # One connection per kiosk here: a newer one (the agent back after a drop the server had not
    # noticed yet, or a second agent started with the same token) replaces the older one.
    live: dict[int, _AgentConnection] = websocket.app.state.__dict__.setdefault(
        "agent_connections", {}
    )
    older = live.get(principal.device_id)
    live[principal.device_id] = conn
    if older is not None:
        with contextlib.suppress(Exception):
            await older.websocket.close(proto.CLOSE_REPLACED, "another agent connected")
    status = hello.get("status") if isinstance(hello.get("status"), dict) else {}
    assert isinstance(status, dict)
    await conn.status(_state(status.get("state")), _detail(status.get("detail")))
    await websocket.send_json(
        {
            "type": "welcome",
            "device": {"id": principal.device_id, "name": principal.name},
            "heartbeat": proto.HEARTBEAT_SECONDS,
        }
    )
    log.info("print agent of kiosk %s connected (%s dots)", principal.name, width)
    tasks = [
        asyncio.create_task(conn.send_jobs(), name="agent-send"),
        asyncio.create_task(conn.receive(), name="agent-receive"),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                exc = task.exception()
                if not isinstance(exc, WebSocketDisconnect | RuntimeError | OSError):
                    log.error("print agent channel failed", exc_info=exc)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await websocket.close()
        if live.get(principal.device_id) is conn:
            del live[principal.device_id]
        with contextlib.suppress(Exception):
            await queue.release_agent_print_jobs(conn.owner)
        log.info("print agent of kiosk %s disconnected", principal.name)
        with contextlib.suppress(Exception):
            await conn.status(PrinterState.OFFLINE.value, AGENT_GONE)
