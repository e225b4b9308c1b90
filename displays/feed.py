"""The display feed: the hall and counter screens' channel of the office feed (counter/feed.py).

A screen gets a snapshot of the office (read once for every screen pending at that moment), then
the office's events as screen messages in sequence order (displays/messages.py), the waiting counts
shortly after the events that change them, a heartbeat every few seconds, and a fresh snapshot
every few minutes (the database is the truth; some edits publish no event). Screens that
acknowledge heartbeats and then go quiet are closed as hung. The hub also records when each
screen was last seen, and closes screens whose device was revoked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from fastapi import WebSocket
from sqlmodel import col, select

from counter.auth import DevicePrincipal
from counter.db import Database
from counter.feed import Channel, FeedHub, OfficeFeed, Peer, Snapshot, WebSocketSink, dumps
from counter.models import Device
from displays.messages import (
    CLOSE_BAD_TOKEN,
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

# Several events usually come together (a call finishes the previous ticket): count once after.
WAITING_DEBOUNCE_S = 0.25
# A screen that acknowledged heartbeats and then went quiet this many intervals is hung.
SILENT_HEARTBEATS = 4


def _with_seq(kind: str, seq: int, rest: str) -> str:
    """A state message for one screen: the shared body `rest` (a JSON object minus its "{")."""
    return f'{{"type":"{kind}","seq":{seq},{rest}'


class DisplayConnection(Peer):
    """One connected screen."""

    def __init__(self, websocket: WebSocket, device: DevicePrincipal, now: float) -> None:
        super().__init__(WebSocketSink(websocket), device.office_id, device, now=now)
        self.websocket = websocket
        self.device = device


class DisplayChannel(Channel):
    kind = "display"
    office_gone_code = CLOSE_OFFICE_GONE

    def __init__(self, office: OfficeFeed, *, displays: DisplayHub) -> None:
        super().__init__(office)
        hub = self.displays = displays
        settings = hub.settings
        self.heartbeat_seconds = settings.heartbeat_seconds
        self.send_timeout_seconds = settings.send_timeout_seconds
        self.resync_seconds = settings.resync_seconds
        self._waiting_queued = False
        # The office's voice options as of the last snapshot (they change with office.updated,
        # which always brings a fresh snapshot).
        self.voice: VoiceOptions = hub.voice

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None] | None:
        hub = self.displays
        snapshot = await anyio.to_thread.run_sync(
            partial(
                read_snapshot,
                self.hub.db,
                self.office_id,
                self.hub.clock(),
                last_calls=hub.settings.last_calls,
                voice=hub.voice,
            )
        )
        if snapshot is None:
            return None
        self.voice = VoiceOptions(**snapshot["voice"])
        snapshot["heartbeat_s"] = hub.settings.heartbeat_seconds
        snapshot["catch_up_s"] = hub.settings.catch_up_seconds
        shared = Snapshot(dumps(snapshot), snapshot["seq"])
        return dict.fromkeys(peers, shared)

    async def on_event(self, event: dict[str, Any]) -> None:
        if asks_for_resync(event):
            self.resync()
            return
        message = display_message(event, self.voice)
        if message is None:
            return  # not a queue event (printer alerts): screens do not show it
        await self.deliver(message["seq"], dumps(message))
        if changes_waiting(message):
            self._request_waiting()

    def _request_waiting(self) -> None:
        if not self._waiting_queued:
            self._waiting_queued = True
            asyncio.get_running_loop().call_later(WAITING_DEBOUNCE_S, self.post, self._waiting_job)

    async def _waiting_job(self) -> None:
        self._waiting_queued = False
        if not self.live:
            return
        waiting = await anyio.to_thread.run_sync(
            partial(read_waiting, self.hub.db, self.office_id, self.hub.clock())
        )
        if waiting is None:
            return
        rest = dumps({"office": self.office_id, "at": self.hub.clock().isoformat(), **waiting})[1:]
        for peer in list(self.live):
            await self.send(peer, _with_seq("queue", peer.seq, rest))

    def heartbeat_text(self, peer: Peer, at: datetime) -> str:
        body = {"office": self.office_id, "at": at.isoformat(), "interval": self.heartbeat_seconds}
        return _with_seq("heartbeat", peer.seq, dumps(body)[1:])

    async def still_allowed(self, peers: list[Peer]) -> Iterable[tuple[Peer, int, str]]:
        now = asyncio.get_running_loop().time()
        limit = SILENT_HEARTBEATS * self.heartbeat_seconds
        return [
            (peer, CLOSE_SILENT, "heartbeats not acknowledged")
            for peer in peers
            if peer.acks and now - peer.last_heard > limit
        ]


class DisplayHub:
    """The screens of this process on the office feed, and their last-seen bookkeeping."""

    def __init__(
        self,
        *,
        feeds: FeedHub,
        settings: DisplaySettings,
    ) -> None:
        self.feeds = feeds
        self.db: Database = feeds.db
        self.clock: Callable[[], datetime] = feeds.clock
        self.settings = settings
        self.voice = VoiceOptions(
            repeat=settings.voice_repeat,
            english=settings.voice_english,
            polite=settings.voice_polite,
        )
        feeds.configure(DisplayChannel, displays=self)
        self._touch = asyncio.Event()
        self._last_seen: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._last_seen = asyncio.create_task(self._last_seen_loop(), name="display-last-seen")

    async def stop(self) -> None:
        if self._last_seen is not None:
            self._last_seen.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._last_seen

    def join(self, conn: DisplayConnection) -> None:
        self.feeds.join(conn, DisplayChannel)
        self._touch.set()

    def leave(self, conn: DisplayConnection) -> None:
        self.feeds.leave(conn)

    def resync(self, conn: DisplayConnection) -> None:
        self.feeds.resync(conn)

    def connections(self) -> list[DisplayConnection]:
        return [
            peer
            for channel in self.feeds.channels(DisplayChannel)
            for peer in channel.peers()
            if isinstance(peer, DisplayConnection)
        ]

    async def close(self, conn: DisplayConnection, code: int, reason: str) -> None:
        await self.feeds.close(conn, code, reason)

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
