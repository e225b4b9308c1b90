"""The display feed: one bus subscription per office per process, fanned out to its screens.

Each office feed runs three tasks:

- the pump reads the office's bus channel and queues a job per event;
- the sender runs queued jobs one at a time: events, snapshots, waiting counts and heartbeats.
  Every byte a screen receives goes through this one task, so messages to a screen are never
  interleaved and always in sequence order, and a sequential send loop is enough for hundreds
  of screens (see STACK.md); a screen whose send fails or stalls is dropped and reconnects;
- the ticker queues a heartbeat every few seconds, and a fresh snapshot for every screen every
  few minutes (the database is the truth; some edits publish no event).

A new screen, or one that fell behind, is *pending*: it receives nothing until the sender reads a
snapshot from the database and sends it; events already queued before that are covered by the
snapshot, later ones follow it in order. All screens pending at once share one database read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from fastapi import WebSocket, WebSocketDisconnect
from sqlmodel import col, select

from counter.auth import DevicePrincipal
from counter.bus import Bus, BusClosed, MessagesMissed
from counter.db import Database
from counter.models import Device
from counter.service import office_channel
from displays.messages import (
    CLOSE_BAD_TOKEN,
    CLOSE_GOING_AWAY,
    CLOSE_OFFICE_GONE,
    CLOSE_SILENT,
    asks_for_resync,
    changes_waiting,
    display_message,
)
from displays.settings import DisplaySettings
from displays.snapshot import read_snapshot, read_waiting
from displays.voice import VoiceOptions

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

# Several events usually come together (a call finishes the previous ticket): count once after.
WAITING_DEBOUNCE_S = 0.25
SNAPSHOT_RETRY_S = 2.0
# How long a first snapshot waits for the bus subscription, without which it could miss events.
SUBSCRIBE_WAIT_S = 5.0
# A screen that acknowledged heartbeats and then went quiet this many intervals is hung.
SILENT_HEARTBEATS = 4
CLOSE_TIMEOUT_S = 2.0


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _with_seq(kind: str, seq: int, rest: str) -> str:
    """A state message for one screen: the shared body `rest` (a JSON object minus its "{")."""
    return f'{{"type":"{kind}","seq":{seq},{rest}'


class DisplayConnection:
    """One connected screen."""

    def __init__(self, websocket: WebSocket, device: DevicePrincipal, now: float) -> None:
        self.websocket = websocket
        self.device = device
        # The last event sequence this screen has (from its snapshot or a later event).
        self.seq = -1
        self.last_heard = now
        # Screens that acknowledge heartbeats are expected to keep doing so.
        self.acks = False
        self.closed = False

    @property
    def office_id(self) -> int:
        return self.device.office_id


class OfficeFeed:
    def __init__(self, hub: DisplayHub, office_id: int) -> None:
        self.hub = hub
        self.office_id = office_id
        self.live: set[DisplayConnection] = set()
        self.pending: set[DisplayConnection] = set()
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._subscribed = asyncio.Event()
        self._snapshot_queued = False
        self._waiting_queued = False
        self._tasks: list[asyncio.Task[None]] = []
        # The office's voice options as of the last snapshot (they change with office.updated,
        # which always brings a fresh snapshot).
        self.voice: VoiceOptions = hub.voice

    def start(self) -> None:
        name = f"display-feed-{self.office_id}"
        self._tasks = [
            asyncio.create_task(self._pump(), name=f"{name}-pump"),
            asyncio.create_task(self._send_loop(), name=f"{name}-send"),
            asyncio.create_task(self._tick(), name=f"{name}-tick"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        closing = [self.hub.close(c, CLOSE_GOING_AWAY, "shutting down") for c in self.connections()]
        await asyncio.gather(*closing)

    def connections(self) -> list[DisplayConnection]:
        return [*self.live, *self.pending]

    # ------------------------------------------------------------ membership

    def add(self, conn: DisplayConnection) -> None:
        self.pending.add(conn)
        self._request_snapshot()

    def remove(self, conn: DisplayConnection) -> None:
        self.live.discard(conn)
        self.pending.discard(conn)

    def resync(self, conn: DisplayConnection | None = None) -> None:
        """Send a fresh snapshot to one screen, or to every screen of the office."""
        targets = [conn] if conn is not None else list(self.live)
        for target in targets:
            if target in self.live:
                self.live.discard(target)
                self.pending.add(target)
        self._request_snapshot()

    def _request_snapshot(self) -> None:
        if not self._snapshot_queued and self.pending:
            self._snapshot_queued = True
            self._jobs.put_nowait(self._snapshot_job)

    def _request_waiting(self) -> None:
        if not self._waiting_queued:
            self._waiting_queued = True
            asyncio.get_running_loop().call_later(
                WAITING_DEBOUNCE_S, self._jobs.put_nowait, self._waiting_job
            )

    # ------------------------------------------------------------ tasks

    async def _pump(self) -> None:
        channel = office_channel(self.office_id)
        delay = 0.5
        while True:
            try:
                async with self.hub.bus.subscribe(channel) as subscription:
                    self._subscribed.set()
                    # Whatever was published while this process was not listening.
                    self.resync()
                    delay = 0.5
                    while True:
                        try:
                            event = await subscription.get()
                        except MessagesMissed as missed:
                            log.info("display feed %s: %s; resyncing", self.office_id, missed)
                            self.resync()
                            continue
                        self._jobs.put_nowait(partial(self._event_job, event))
            except BusClosed:
                return  # the app is shutting down
            except Exception:
                # The bus reconnects by itself; this covers a subscribe that failed outright.
                log.warning(
                    "display feed %s: bus subscription failed; retrying in %.1f s",
                    self.office_id,
                    delay,
                    exc_info=True,
                )
            finally:
                self._subscribed.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    async def _send_loop(self) -> None:
        while True:
            job = await self._jobs.get()
            try:
                await job()
            except Exception:
                # One failed job (a database hiccup, a bug) must not stop every screen's feed;
                # it is logged loudly and the screens resync a little later (not at once, which
                # would spin if the failure repeats).
                log.exception("display feed %s: job failed", self.office_id)
                asyncio.get_running_loop().call_later(SNAPSHOT_RETRY_S, self.resync)

    async def _tick(self) -> None:
        settings = self.hub.settings
        loop = asyncio.get_running_loop()
        next_resync = loop.time() + settings.resync_seconds
        while True:
            await asyncio.sleep(settings.heartbeat_seconds)
            self._jobs.put_nowait(self._heartbeat_job)
            if loop.time() >= next_resync:
                next_resync = loop.time() + settings.resync_seconds
                self.resync()

    # ------------------------------------------------------------ jobs (run by the sender only)

    async def _send(self, conn: DisplayConnection, text: str) -> bool:
        if conn.closed:
            return False
        try:
            async with asyncio.timeout(self.hub.settings.send_timeout_seconds):
                await conn.websocket.send_text(text)
        except (TimeoutError, OSError, RuntimeError, WebSocketDisconnect) as exc:
            # RuntimeError covers Starlette's WebSocketDisconnected (sending after a close).
            log.info("display %s dropped: %r", conn.device.device_id, exc)
            self.hub.close_soon(conn, CLOSE_GOING_AWAY, "send failed")
            return False
        return True

    async def _event_job(self, event: dict[str, Any]) -> None:
        if asks_for_resync(event):
            self.resync()
            return
        message = display_message(event, self.voice)
        if message is None:
            log.warning("display feed %s: ignoring an event without seq", self.office_id)
            return
        seq: int = message["seq"]
        text = dumps(message)
        behind = []
        for conn in list(self.live):
            if seq <= conn.seq:
                continue  # already in its snapshot
            if seq != conn.seq + 1:
                behind.append(conn)
                continue
            if await self._send(conn, text):
                conn.seq = seq
        for conn in behind:
            self.resync(conn)
        if changes_waiting(message):
            self._request_waiting()

    async def _snapshot_job(self) -> None:
        self._snapshot_queued = False
        if not self.pending:
            return
        if not self._subscribed.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SUBSCRIBE_WAIT_S):
                    await self._subscribed.wait()
        targets = list(self.pending)
        hub = self.hub
        try:
            snapshot = await anyio.to_thread.run_sync(
                partial(
                    read_snapshot,
                    hub.db,
                    self.office_id,
                    hub.clock(),
                    last_calls=hub.settings.last_calls,
                    voice=hub.voice,
                )
            )
        except sa.exc.SQLAlchemyError:
            log.warning("display feed %s: snapshot failed; retrying", self.office_id, exc_info=True)
            asyncio.get_running_loop().call_later(SNAPSHOT_RETRY_S, self._request_snapshot)
            return
        if snapshot is None:
            for conn in targets:
                self.hub.close_soon(conn, CLOSE_OFFICE_GONE, "office not found")
            return
        self.voice = VoiceOptions(**snapshot["voice"])
        snapshot["heartbeat_s"] = hub.settings.heartbeat_seconds
        snapshot["catch_up_s"] = hub.settings.catch_up_seconds
        text = dumps(snapshot)
        for conn in targets:
            if conn not in self.pending:
                continue  # left meanwhile
            if await self._send(conn, text):
                conn.seq = snapshot["seq"]
                self.pending.discard(conn)
                self.live.add(conn)

    async def _waiting_job(self) -> None:
        self._waiting_queued = False
        if not self.live:
            return
        hub = self.hub
        waiting = await anyio.to_thread.run_sync(
            partial(read_waiting, hub.db, self.office_id, hub.clock())
        )
        if waiting is None:
            return
        rest = dumps({"office": self.office_id, "at": hub.clock().isoformat(), **waiting})[1:]
        for conn in list(self.live):
            await self._send(conn, _with_seq("queue", conn.seq, rest))

    async def _heartbeat_job(self) -> None:
        hub = self.hub
        interval = hub.settings.heartbeat_seconds
        now = asyncio.get_running_loop().time()
        body = {"office": self.office_id, "at": hub.clock().isoformat(), "interval": interval}
        rest = dumps(body)[1:]
        for conn in list(self.live):
            if conn.acks and now - conn.last_heard > SILENT_HEARTBEATS * interval:
                self.hub.close_soon(conn, CLOSE_SILENT, "heartbeats not acknowledged")
                continue
            await self._send(conn, _with_seq("heartbeat", conn.seq, rest))


class DisplayHub:
    """Every office feed of this process, and the last-seen bookkeeping of their screens."""

    def __init__(
        self,
        *,
        db: Database,
        bus: Bus,
        clock: Callable[[], datetime],
        settings: DisplaySettings,
    ) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.settings = settings
        self.voice = VoiceOptions(
            repeat=settings.voice_repeat,
            english=settings.voice_english,
            polite=settings.voice_polite,
        )
        self._feeds: dict[int, OfficeFeed] = {}
        self._touch = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_seen: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._last_seen = asyncio.create_task(self._last_seen_loop(), name="display-last-seen")

    async def stop(self) -> None:
        if self._last_seen is not None:
            self._last_seen.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._last_seen
        for feed in self._feeds.values():
            await feed.stop()
        self._feeds = {}
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def join(self, conn: DisplayConnection) -> None:
        feed = self._feeds.get(conn.office_id)
        if feed is None:
            # Feeds stay for the process's lifetime: one per office that ever had a screen.
            feed = self._feeds[conn.office_id] = OfficeFeed(self, conn.office_id)
            feed.start()
        feed.add(conn)
        self._touch.set()

    def leave(self, conn: DisplayConnection) -> None:
        conn.closed = True
        feed = self._feeds.get(conn.office_id)
        if feed is not None:
            feed.remove(conn)

    def resync(self, conn: DisplayConnection) -> None:
        feed = self._feeds.get(conn.office_id)
        if feed is not None and not conn.closed:
            feed.resync(conn)

    def connections(self) -> list[DisplayConnection]:
        return [conn for feed in self._feeds.values() for conn in feed.connections()]

    async def close(self, conn: DisplayConnection, code: int, reason: str) -> None:
        self.leave(conn)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await conn.websocket.close(code, reason)

    def close_soon(self, conn: DisplayConnection, code: int, reason: str) -> None:
        """Close without waiting: the caller is the sender, which must not stall on one screen."""
        if conn.closed:
            return
        self.leave(conn)
        task = asyncio.create_task(self.close(conn, code, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _last_seen_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.last_seen_seconds):
                    await self._touch.wait()
            self._touch.clear()
            conns = self.connections()
            ids = sorted({conn.device.device_id for conn in conns})
            if not ids:
                continue
            try:
                current = await anyio.to_thread.run_sync(
                    partial(self._record_last_seen, ids, self.clock())
                )
            except sa.exc.SQLAlchemyError:
                log.warning("could not record display last-seen times", exc_info=True)
                continue
            for conn in conns:
                if conn.device.device_id not in current:
                    # Revoked (or deleted) since it connected: it must stop showing the queue.
                    await self.close(conn, CLOSE_BAD_TOKEN, "display token revoked")

    def _record_last_seen(self, device_ids: list[int], now: datetime) -> set[int]:
        """Stamp the screens' last_seen_at; returns the ids that are still valid devices."""
        with self.db.write() as session:
            valid = set(
                session.exec(
                    select(Device.id).where(
                        col(Device.id).in_(device_ids), col(Device.revoked_at).is_(None)
                    )
                ).all()
            )
            if valid:
                session.execute(
                    sa.update(Device)
                    .where(col(Device.id).in_(sorted(valid)))
                    .values(last_seen_at=now)
                    .execution_options(synchronize_session=False)
                )
        return {i for i in valid if i is not None}
