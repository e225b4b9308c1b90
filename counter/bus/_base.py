"""What every bus backend shares: the contract (`Bus`), the errors, a subscription's queue, the
message encoding and its limits, and the local fan-out (one server subscription per channel per
process). Backends: `memory`, `postgres` (LISTEN/NOTIFY), `redis` (pub/sub)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from types import TracebackType
from typing import Any, Protocol, Self, TypedDict, TypeVar

_Connection = TypeVar("_Connection")

# One logger for the bus, whichever backend.
logger = logging.getLogger("counter.bus")

MAX_PAYLOAD_BYTES = 7999
# PostgreSQL silently truncates identifiers to 63 bytes, so a longer LISTEN name would never match
# the pg_notify() channel; refused everywhere for the same reason as the payload limit.
MAX_CHANNEL_BYTES = 63
DEFAULT_MAX_QUEUE = 256
# A namespace goes in front of every channel on the server, so several installations can share
# one Redis or PostgreSQL without seeing each other's events.
NAMESPACE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{0,24}$")


class BusError(Exception):
    """Base class of the errors raised by the bus."""


class PayloadTooLarge(BusError, ValueError):
    def __init__(self, channel: str, size: int) -> None:
        super().__init__(
            f"event for channel {channel!r} is {size} bytes of JSON; the limit is "
            f"{MAX_PAYLOAD_BYTES} (PostgreSQL NOTIFY): publish ids, not whole records"
        )
        self.size = size


class PublishFailed(BusError):
    """The server did not take the event; the commit stands, subscribers will see a seq gap."""

    def __init__(self, channel: str) -> None:
        super().__init__(f"could not publish on {channel!r}")
        self.channel = channel


class BusClosed(BusError):
    """The bus is not started, or was stopped, or the subscription was left."""


class MessagesMissed(BusError):
    """Raised once by a subscription where messages were lost; resync, then keep reading.

    It is raised ahead of every queued message, so all that followed the gap still come after it.
    """

    def __init__(self, channel: str, dropped: int, reconnected: bool) -> None:
        causes = []
        if dropped:
            causes.append(f"{dropped} dropped because the subscriber fell behind")
        if reconnected:
            causes.append("the bus reconnected to its server")
        super().__init__(f"messages missed on {channel!r}: {'; '.join(causes)}")
        self.channel = channel
        self.dropped = dropped
        self.reconnected = reconnected


class Subscription:
    """Messages of one channel for one consumer, in publish order, as decoded JSON objects."""

    def __init__(self, channel: str, max_queue: int) -> None:
        self.channel = channel
        self._max_queue = max_queue
        # Raw JSON text is queued and decoded on read, so every consumer gets its own dict and
        # messages that are dropped are never decoded.
        self._buffer: deque[str] = deque()
        self._wakeup = asyncio.Event()
        self._dropped = 0
        self._reconnected = False
        self._closed = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> dict[str, Any]:
        try:
            return await self.get()
        except BusClosed:
            raise StopAsyncIteration from None

    async def get(self) -> dict[str, Any]:
        """Next message; raises MessagesMissed once per gap, BusClosed once closed and drained.

        Bound the wait with ``asyncio.timeout()`` around the call.
        """
        while True:
            if self._dropped or self._reconnected:
                missed = MessagesMissed(self.channel, self._dropped, self._reconnected)
                self._dropped, self._reconnected = 0, False
                raise missed
            if self._buffer:
                message = _decode(self.channel, self._buffer.popleft())
                if message is not None:
                    return message
                continue
            if self._closed:
                raise BusClosed(f"subscription to {self.channel!r} is closed")
            self._wakeup.clear()
            await self._wakeup.wait()

    def _deliver(self, text: str) -> None:
        if self._closed:
            return
        # Drop the oldest rather than block: one stalled screen must not hold up the publisher's
        # event loop or the other subscribers.
        if len(self._buffer) >= self._max_queue:
            self._buffer.popleft()
            self._dropped += 1
        self._buffer.append(text)
        self._wakeup.set()

    def _mark_reconnected(self) -> None:
        if not self._closed:
            self._reconnected = True
            self._wakeup.set()

    def _close(self) -> None:
        self._closed = True
        self._wakeup.set()


class Bus(Protocol):
    async def start(self) -> None:
        """Connect; raises the driver's error if the server is unreachable."""
        ...

    async def stop(self) -> None:
        """Disconnect and end every subscription's iteration."""
        ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Send to every subscriber of the channel in every process.

        Raises PayloadTooLarge, PublishFailed (server unreachable), TypeError (not JSON).
        """
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]:
        """Receive the channel's messages published from the moment this context is entered."""
        ...


def _encode(channel: str, message: dict[str, Any]) -> str:
    if not isinstance(message, dict):
        raise TypeError(f"bus messages are dicts, got {type(message).__name__}")
    # Compact and not ASCII-escaped: Thai text then costs 3 bytes a character instead of 6.
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    size = len(text.encode())
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(channel, size)
    return text


def _decode(channel: str, text: str) -> dict[str, Any] | None:
    # Anyone with database or Redis access can send on a channel; a foreign payload is logged and
    # skipped rather than allowed to kill the consumer.
    try:
        message = json.loads(text)
    except ValueError:
        logger.warning("bus: ignoring a non-JSON message on %r", channel)
        return None
    if not isinstance(message, dict):
        logger.warning("bus: ignoring a non-object message on %r", channel)
        return None
    return message


def _check_channel(channel: str) -> None:
    if not channel or "\x00" in channel or len(channel.encode()) > MAX_CHANNEL_BYTES:
        raise ValueError(
            f"bad bus channel {channel!r}: 1 to {MAX_CHANNEL_BYTES} bytes, no NUL characters"
        )


def _backoff_delays(first: float, cap: float) -> Iterable[float]:
    yield 0.0
    delay = first
    while True:
        # Jitter keeps several app processes from reconnecting in lockstep after a server restart.
        yield delay * random.uniform(0.5, 1.0)
        delay = min(delay * 2, cap)


class BusSettings(TypedDict, total=False):
    """The keyword arguments every backend takes (see `_FanOutBus`)."""

    max_queue: int
    namespace: str
    name: str
    timeout: float
    ping_interval: float
    reconnect_delay: float
    max_reconnect_delay: float


class _FanOutBus:
    """Local fan-out shared by every adapter: one server subscription per channel per process.

    It also holds what the server backends share: their connection settings, the task that
    supervises the listening connection, and the reconnect loop (`_reconnect_with_backoff`)."""

    def __init__(
        self,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        namespace: str = "",
        name: str = "saduak-bus",
        timeout: float = 5.0,
        ping_interval: float = 10.0,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 30.0,
    ) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        if not NAMESPACE_PATTERN.match(namespace):
            raise ValueError(f"bad bus namespace {namespace!r}: up to 24 of A-Z a-z 0-9 _ -")
        self._max_queue = max_queue
        self.namespace = namespace
        # The server backends' connection: its name on the server (the listening one gets
        # "-listen" after it), the bound of every round trip, the silence before a PING, the
        # backoff between reconnection attempts.
        self._name = name
        self._timeout = timeout
        self._ping_interval = ping_interval
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._supervisor: asyncio.Task[None] | None = None
        self._subscribers: dict[str, set[Subscription]] = {}
        self._running = False
        # Serialises the server-side LISTEN/SUBSCRIBE changes with the registry, so a second local
        # subscriber cannot return before the first one's LISTEN is in place.
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._running:
            raise RuntimeError(f"{type(self).__name__} is already started")
        await self._open()
        self._running = True

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        for subscriptions in self._subscribers.values():
            for subscription in subscriptions:
                subscription._close()
        self._subscribers = {}
        await self._close()

    def _wire(self, channel: str) -> str:
        """The channel's name on the server."""
        _check_channel(channel)
        wire = f"{self.namespace}.{channel}" if self.namespace else channel
        _check_channel(wire)
        return wire

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._check_running()
        await self._send(self._wire(channel), _encode(channel, message))

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        self._check_running()
        # The registry and the server know the namespaced name; the subscriber its own.
        wire = self._wire(channel)
        subscription = Subscription(channel, self._max_queue)
        async with self._lock:
            subscriptions = self._subscribers.setdefault(wire, set())
            first = not subscriptions
            subscriptions.add(subscription)
            if first:
                try:
                    await self._listen(wire)
                except BaseException:
                    subscriptions.discard(subscription)
                    if not subscriptions:
                        self._subscribers.pop(wire, None)
                    raise
        try:
            yield subscription
        finally:
            subscription._close()
            subscriptions.discard(subscription)
            # After stop() (or a restart) this set is no longer the registered one.
            if not subscriptions and self._subscribers.get(wire) is subscriptions:
                async with self._lock:
                    if not subscriptions and self._subscribers.get(wire) is subscriptions:
                        del self._subscribers[wire]
                        await self._unlisten(wire)

    def _check_running(self) -> None:
        if not self._running:
            raise BusClosed(f"{type(self).__name__} is not started")

    def _dispatch(self, channel: str, text: str) -> None:
        for subscription in self._subscribers.get(channel, ()):
            subscription._deliver(text)

    def _mark_reconnected(self, channel: str) -> None:
        for subscription in self._subscribers.get(channel, ()):
            subscription._mark_reconnected()

    async def _stop_supervisor(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None

    async def _reconnect_with_backoff(
        self,
        server: str,
        connect: Callable[[], Awaitable[_Connection]],
        restore: Callable[[_Connection], Awaitable[None]],
        discard: Callable[[_Connection], Awaitable[None]],
        errors: tuple[type[BaseException], ...],
    ) -> _Connection:
        """A new listening connection, retried with backoff until one connects and `restore`
        (listening again to every registered channel) succeeds on it."""
        for delay in _backoff_delays(self._reconnect_delay, self._max_reconnect_delay):
            await asyncio.sleep(delay)
            try:
                conn = await connect()
            except errors as exc:
                logger.warning("bus: %s reconnect failed: %r", server, exc)
                continue
            try:
                await restore(conn)
            except errors as exc:
                logger.warning("bus: %s listening again failed: %r", server, exc)
                await discard(conn)
                continue
            except BaseException:
                await discard(conn)  # stop() cancelled us mid-way: do not leak the new connection
                raise
            logger.info("bus: %s listening connection restored", server)
            return conn
        raise AssertionError("unreachable: the backoff never ends")

    async def _open(self) -> None:
        pass

    async def _close(self) -> None:
        pass

    async def _listen(self, channel: str) -> None:
        pass

    async def _unlisten(self, channel: str) -> None:
        pass

    async def _send(self, channel: str, text: str) -> None:
        raise NotImplementedError
