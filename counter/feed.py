"""Live feeds: one bus subscription per office per process, fanned out to every connected page.

Words used here:

- a *peer* is one connected page: a WebSocket, or a server-sent-events stream (`Sink`);
- a *channel* is what one kind of page of one office is sent (hall screens, staff consoles,
  survey tablets, citizens' status pages): a subclass of `Channel` says how to read a snapshot,
  what an event becomes, and what a heartbeat says;
- the *hub* holds, per office, one bus subscription (the pump) and that office's channels.

Each channel runs two tasks:

- the sender runs the channel's jobs one at a time: events, snapshots, heartbeats. Every byte its
  peers receive goes through this one task, so messages to a peer never interleave and always come
  in sequence order, and a sequential send loop is enough for hundreds of screens (STACK.md); a
  peer whose send fails or stalls is dropped and reconnects. Channels do not wait for each other:
  a thousand status pages never slow the hall screens;
- the ticker queues a heartbeat every `heartbeat_seconds` whatever the traffic (so a proxy's idle
  timeout never cuts a quiet page, and a page knows its connection is alive), and, for channels
  that ask for it, a fresh snapshot for every peer every `resync_seconds`.

A new peer, or one that fell behind, is *pending*: it receives nothing until the sender reads a
snapshot and sends it; events queued before that are covered by the snapshot, later ones follow
in order. All peers pending at once share one snapshot job, so a channel reads the database once
for all of them (a snapshot of many status pages is one read, however many phones).

Ordered channels forward the office's events gap-free by `seq`: an event is sent when it is the
next one for a peer, skipped when the peer's snapshot already covers it, and a gap brings that peer
a fresh snapshot instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from starlette.websockets import WebSocket, WebSocketDisconnect

from counter.bus import Bus, BusClosed, MessagesMissed
from counter.db import Database
from counter.unit_of_work import office_channel

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

SNAPSHOT_RETRY_S = 2.0
# How long a first snapshot waits for the bus subscription, without which it could miss events.
SUBSCRIBE_WAIT_S = 5.0
CLOSE_TIMEOUT_S = 2.0
# The heartbeat of every page that does not set its own (screens set theirs in DisplaySettings).
HEARTBEAT_SECONDS = 15.0
SEND_TIMEOUT_SECONDS = 10.0

# WebSocket close codes pages act on (4000–4999 are application codes).
CLOSE_GOING_AWAY = 1001  # server shutting down, or this page fell behind: reconnect
CLOSE_UNSUPPORTED = 1003  # a binary frame where JSON text was expected
CLOSE_POLICY = 1008  # a frame that is not what the page may send (too long, not JSON)


def dumps(message: Mapping[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def event_seq(event: Mapping[str, Any]) -> int | None:
    """The office sequence number of a bus event; None for events outside the sequence
    (printer alerts)."""
    seq = event.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


# ------------------------------------------------------------------ where bytes go


class Sink(Protocol):
    # A send that may wait on the network (a WebSocket) is given `send_timeout_seconds`; one
    # that only queues (a server-sent-events stream) cannot wait, and needs no deadline.
    waits: bool

    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class WebSocketSink:
    waits = True

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def close(self, code: int, reason: str) -> None:
        await self.websocket.close(code, reason)


class StreamSink:
    """A server-sent-events stream: the sender queues text, the HTTP response yields it.

    A phone that does not read its stream fills the queue; the next send then fails and the
    peer is dropped, like a WebSocket whose send stalls."""

    _END = ""
    waits = False

    def __init__(self, limit: int = 32) -> None:
        self._queue: asyncio.Queue[str] = asyncio.Queue(limit)

    async def send(self, text: str) -> None:
        self._queue.put_nowait(text)  # QueueFull: the caller drops this peer

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(self._END)

    async def __aiter__(self) -> AsyncIterator[str]:
        while (text := await self._queue.get()) != self._END:
            yield text


class Peer:
    """One connected page. `key` is what its channel needs to know about it (a device, a staff
    session, a counter number, a ticket token)."""

    def __init__(self, sink: Sink, office_id: int, key: Any = None, *, now: float = 0.0) -> None:
        self.sink = sink
        self.office_id = office_id
        self.key = key
        # The last event sequence this peer has (from its snapshot or a later event).
        self.seq = -1
        # The last snapshot text sent, for channels that send a snapshot only when it changed.
        self.last_snapshot: str | None = None
        self.last_heard = now
        # Pages that acknowledge heartbeats are expected to keep doing so.
        self.acks = False
        self.closed = False


@dataclass(frozen=True)
class Snapshot:
    """What one pending peer is sent: the text, and the event sequence it reflects."""

    text: str
    seq: int = -1


# ------------------------------------------------------------------ one kind of page, one office


class Channel:
    """One kind of page of one office. Subclasses set `kind` and implement `snapshot`; they may
    override `on_event` and `heartbeat_text` and the timing attributes."""

    kind: ClassVar[str] = ""
    # Events are forwarded gap-free by seq (see the module docstring).
    ordered: ClassVar[bool] = True
    # A snapshot equal to the last one the peer got is not sent again (status pages).
    skip_unchanged: ClassVar[bool] = False
    # The close code for peers whose office no longer exists.
    office_gone_code: ClassVar[int] = 4404

    heartbeat_seconds: float = HEARTBEAT_SECONDS
    send_timeout_seconds: float = SEND_TIMEOUT_SECONDS
    # Every peer gets a fresh snapshot this often anyway (None: only on events and gaps).
    resync_seconds: float | None = None

    def __init__(self, office: OfficeFeed) -> None:
        self.office = office
        self.hub = office.hub
        self.office_id = office.office_id
        self.live: set[Peer] = set()
        self.pending: set[Peer] = set()
        self._jobs: asyncio.Queue[Job] = asyncio.Queue()
        self._snapshot_queued = False
        self._tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------ what subclasses say

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None] | None:
        """Fresh state for these pending peers, read once for all of them. None when the office
        is gone; a peer mapped to None (or left out) is closed with `office_gone_code`."""
        raise NotImplementedError

    async def on_event(self, event: dict[str, Any]) -> None:
        """An office event from the bus. By default: forwarded as it is."""
        await self.deliver(event_seq(event) if self.ordered else None, dumps(event))

    def heartbeat_text(self, peer: Peer, at: datetime) -> str:
        return dumps({"type": "heartbeat", "seq": peer.seq})

    async def still_allowed(self, peers: list[Peer]) -> Iterable[tuple[Peer, int, str]]:
        """Peers to close at a heartbeat (code, reason): e.g. a session that has ended."""
        return ()

    # ------------------------------------------------------------ lifetime

    def start(self) -> None:
        name = f"{self.kind}-feed-{self.office_id}"
        self._tasks = [
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
        closing = [self.hub.close(p, CLOSE_GOING_AWAY, "shutting down") for p in self.peers()]
        await asyncio.gather(*closing)

    def peers(self) -> list[Peer]:
        return [*self.live, *self.pending]

    def add(self, peer: Peer) -> None:
        self.pending.add(peer)
        self._request_snapshot()

    def remove(self, peer: Peer) -> None:
        self.live.discard(peer)
        self.pending.discard(peer)

    def resync(self, peers: Iterable[Peer] | None = None) -> None:
        """Send a fresh snapshot to these peers (by default every live peer)."""
        for peer in list(self.live) if peers is None else list(peers):
            if peer in self.live:
                self.live.discard(peer)
                self.pending.add(peer)
        self._request_snapshot()

    def post(self, job: Job) -> None:
        """Run `job` on the sender, after the jobs already queued."""
        self._jobs.put_nowait(job)

    def post_event(self, event: dict[str, Any]) -> None:
        self.post(partial(self.on_event, event))

    def _request_snapshot(self) -> None:
        if not self._snapshot_queued and self.pending:
            self._snapshot_queued = True
            self.post(self._snapshot_job)

    # ------------------------------------------------------------ tasks

    async def _send_loop(self) -> None:
        while True:
            job = await self._jobs.get()
            try:
                await job()
            except Exception:
                # One failed job (a database hiccup, a bug) must not stop every page's feed;
                # it is logged loudly and the pages resync a little later (not at once, which
                # would spin if the failure repeats).
                log.exception("%s feed %s: job failed", self.kind, self.office_id)
                asyncio.get_running_loop().call_later(SNAPSHOT_RETRY_S, self.resync)

    async def _tick(self) -> None:
        """A heartbeat every `heartbeat_seconds` and a resync every `resync_seconds`, each on its
        own schedule: a channel that beats rarely (LINE notices, hourly) still resyncs on time."""
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + self.heartbeat_seconds
        next_resync = None if self.resync_seconds is None else loop.time() + self.resync_seconds
        while True:
            wake = next_beat if next_resync is None else min(next_beat, next_resync)
            await asyncio.sleep(max(0.0, wake - loop.time()))
            now = loop.time()
            if now >= next_beat:
                next_beat = now + self.heartbeat_seconds
                self.post(self._heartbeat_job)
            if next_resync is not None and now >= next_resync:
                next_resync = now + (self.resync_seconds or 0.0)
                self.resync()

    # ------------------------------------------------------------ jobs (run by the sender only)

    async def send(self, peer: Peer, text: str) -> bool:
        if peer.closed:
            return False
        try:
            if peer.sink.waits:
                async with asyncio.timeout(self.send_timeout_seconds):
                    await peer.sink.send(text)
            else:
                await peer.sink.send(text)
        except (TimeoutError, OSError, RuntimeError, WebSocketDisconnect, asyncio.QueueFull) as exc:
            # RuntimeError covers Starlette's WebSocketDisconnected (sending after a close).
            log.info("%s feed %s: peer dropped: %r", self.kind, self.office_id, exc)
            self.hub.close_soon(peer, CLOSE_GOING_AWAY, "send failed")
            return False
        return True

    async def deliver(self, seq: int | None, text: str) -> None:
        """Send an event to every live peer: in sequence order when it has a seq, a fresh
        snapshot instead to a peer that would see a gap."""
        behind = []
        for peer in list(self.live):
            if seq is None:
                await self.send(peer, text)
                continue
            if seq <= peer.seq:
                continue  # already in its snapshot
            if seq != peer.seq + 1:
                behind.append(peer)
                continue
            if await self.send(peer, text):
                peer.seq = seq
        if behind:
            self.resync(behind)

    async def _snapshot_job(self) -> None:
        self._snapshot_queued = False
        if not self.pending:
            return
        await self.office.wait_subscribed()
        targets = list(self.pending)
        try:
            snapshots = await self.snapshot(targets)
        except sa.exc.SQLAlchemyError:
            log.warning("%s feed %s: snapshot failed; retrying", self.kind, self.office_id)
            asyncio.get_running_loop().call_later(SNAPSHOT_RETRY_S, self._request_snapshot)
            return
        for peer in targets:
            if peer not in self.pending:
                continue  # left meanwhile
            snapshot = snapshots.get(peer) if snapshots is not None else None
            if snapshot is None:
                self.hub.close_soon(peer, self.office_gone_code, "not found")
                continue
            if not (self.skip_unchanged and snapshot.text == peer.last_snapshot):
                if not await self.send(peer, snapshot.text):
                    continue
                peer.last_snapshot = snapshot.text
            peer.seq = snapshot.seq
            self.pending.discard(peer)
            self.live.add(peer)

    async def _heartbeat_job(self) -> None:
        peers = list(self.live)
        for peer, code, reason in await self.still_allowed(peers):
            self.hub.close_soon(peer, code, reason)
        at = self.hub.clock()
        for peer in peers:
            if not peer.closed:
                await self.send(peer, self.heartbeat_text(peer, at))


C = TypeVar("C", bound=Channel)


# ------------------------------------------------------------------ one office


class OfficeFeed:
    """One office's bus subscription, fanned out to its channels."""

    def __init__(self, hub: FeedHub, office_id: int) -> None:
        self.hub = hub
        self.office_id = office_id
        self.channels: dict[type[Channel], Channel] = {}
        self._subscribed = asyncio.Event()
        self._pump_task: asyncio.Task[None] | None = None

    def channel(self, kind: type[C]) -> C:
        found = self.channels.get(kind)
        if found is None:
            # Channels stay for the process's lifetime: one per office and kind ever used.
            found = self.channels[kind] = kind(self, **self.hub.options.get(kind, {}))
            found.start()
        assert isinstance(found, kind)
        return found

    def start(self) -> None:
        self._pump_task = asyncio.create_task(self._pump(), name=f"feed-{self.office_id}-pump")

    async def stop(self) -> None:
        if self._pump_task is not None:
            self._pump_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump_task
        for channel in self.channels.values():
            await channel.stop()
        self.channels = {}

    async def wait_subscribed(self) -> None:
        if not self._subscribed.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SUBSCRIBE_WAIT_S):
                    await self._subscribed.wait()

    def _resync_all(self) -> None:
        for channel in self.channels.values():
            channel.resync()

    async def _pump(self) -> None:
        channel = office_channel(self.office_id)
        delay = 0.5
        while True:
            try:
                async with self.hub.bus.subscribe(channel) as subscription:
                    self._subscribed.set()
                    # Whatever was published while this process was not listening.
                    self._resync_all()
                    delay = 0.5
                    while True:
                        try:
                            event = await subscription.get()
                        except MessagesMissed as missed:
                            log.info("feed %s: %s; resyncing", self.office_id, missed)
                            self._resync_all()
                            continue
                        for each in self.channels.values():
                            each.post_event(event)
            except BusClosed:
                return  # the app is shutting down
            except Exception:
                # The bus reconnects by itself; this covers a subscribe that failed outright.
                log.warning(
                    "feed %s: bus subscription failed; retrying in %.1f s",
                    self.office_id,
                    delay,
                    exc_info=True,
                )
            finally:
                self._subscribed.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)


# ------------------------------------------------------------------ the process


class FeedHub:
    """Every office feed of this process. Created and stopped by the app's lifespan."""

    def __init__(self, *, db: Database, bus: Bus, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self._offices: dict[int, OfficeFeed] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        # Peer -> its channel, to leave it.
        self._joined: dict[Peer, Channel] = {}
        # What a kind of channel is built with, besides its office (see `configure`).
        self.options: dict[type[Channel], dict[str, Any]] = {}

    def configure(self, kind: type[Channel], **options: Any) -> None:
        """Keyword arguments every channel of this kind is created with (its settings, the
        services it reads from)."""
        self.options[kind] = options

    async def stop(self) -> None:
        for office in self._offices.values():
            await office.stop()
        self._offices = {}
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def channel(self, office_id: int, kind: type[C]) -> C:
        office = self._offices.get(office_id)
        if office is None:
            office = self._offices[office_id] = OfficeFeed(self, office_id)
            office.start()
        return office.channel(kind)

    def channels(self, kind: type[C]) -> list[C]:
        return [
            channel
            for office in self._offices.values()
            for channel in office.channels.values()
            if isinstance(channel, kind)
        ]

    def join(self, peer: Peer, kind: type[C]) -> C:
        channel = self.channel(peer.office_id, kind)
        self._joined[peer] = channel
        channel.add(peer)
        return channel

    def leave(self, peer: Peer) -> None:
        peer.closed = True
        channel = self._joined.pop(peer, None)
        if channel is not None:
            channel.remove(peer)

    def resync(self, peer: Peer) -> None:
        channel = self._joined.get(peer)
        if channel is not None and not peer.closed:
            channel.resync([peer])

    async def close(self, peer: Peer, code: int, reason: str) -> None:
        self.leave(peer)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await peer.sink.close(code, reason)

    def close_soon(self, peer: Peer, code: int, reason: str) -> None:
        """Close without waiting: the caller is a sender, which must not stall on one peer."""
        if peer.closed:
            return
        self.leave(peer)
        task = asyncio.create_task(self.close(peer, code, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


# ------------------------------------------------------------------ what pages send


async def receive_json(websocket: WebSocket, *, max_length: int = 4096) -> dict[str, Any] | None:
    """The next JSON object a page sends; None once it has gone.

    Anything else — a binary frame, text that is not a JSON object, an oversized message — closes
    the connection politely (1003 / 1008) and returns None: pages of this app send only small
    JSON objects, so anything else is a bug or someone probing."""
    try:
        message = await websocket.receive()
    except (WebSocketDisconnect, RuntimeError):
        return None
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if text is None:
        await _close_quietly(websocket, CLOSE_UNSUPPORTED, "text frames only")
        return None
    value: Any = None
    if len(text) <= max_length:
        with contextlib.suppress(ValueError):
            value = json.loads(text)
    if not isinstance(value, dict):
        await _close_quietly(websocket, CLOSE_POLICY, "JSON objects only")
        return None
    return value


async def _close_quietly(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.close(code, reason)


def same_origin(websocket: WebSocket) -> bool:
    """Browsers send Origin on every WebSocket handshake; another site's page must not ride on a
    cookie of this one (cross-site WebSocket hijacking). Clients without Origin are not browsers,
    and carry no cookie of a browser."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host", "")
