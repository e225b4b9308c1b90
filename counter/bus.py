"""Publish/subscribe of small JSON events between processes: in memory, PostgreSQL or Redis.

Contract for callers: the service layer publishes only after its database commit, so a subscriber
never sees an event for a rolled-back change; an event can still be lost (crash between commit and
publish, queue overflow, reconnect), so payloads carry ids and a per-office ``seq`` and subscribers
resync from the database when ``seq`` jumps or ``MessagesMissed`` is raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import urlsplit

import asyncpg
import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. Every adapter applies the same limit so
# an oversized event fails in the single-process (memory) deployment and in tests, not only in
# production on PostgreSQL.
MAX_PAYLOAD_BYTES = 7999
# PostgreSQL silently truncates identifiers to 63 bytes, so a longer LISTEN name would never match
# the pg_notify() channel; refused everywhere for the same reason as the payload limit.
MAX_CHANNEL_BYTES = 63
DEFAULT_MAX_QUEUE = 256
# A namespace goes in front of every channel on the server, so several installations can share
# one Redis or PostgreSQL without seeing each other's events.
NAMESPACE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{0,24}$")

_POSTGRES_SCHEMES = {
    "postgres": "postgres",
    "postgresql": "postgresql",
    "postgresql+asyncpg": "postgresql",
    "postgresql+psycopg": "postgresql",
}
_REDIS_SCHEMES = {"redis", "rediss"}


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


def bus_from_url(
    url: str | None, *, max_queue: int = DEFAULT_MAX_QUEUE, namespace: str = ""
) -> Bus:
    """The bus for a URL: empty or memory://, postgres[ql][+driver]://, redis[s]://; its channels
    live under `namespace` on the server."""
    if not url:
        return MemoryBus(max_queue=max_queue, namespace=namespace)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryBus(max_queue=max_queue, namespace=namespace)
    if scheme in _POSTGRES_SCHEMES:
        # asyncpg speaks only the plain scheme; SQLAlchemy driver suffixes are accepted so the
        # database URL can be reused as the bus URL.
        dsn = _POSTGRES_SCHEMES[scheme] + url[len(scheme) :]
        return PostgresBus(dsn, max_queue=max_queue, namespace=namespace)
    if scheme in _REDIS_SCHEMES:
        return RedisBus(url, max_queue=max_queue, namespace=namespace)
    raise ValueError(
        f"unsupported bus URL scheme {scheme!r}: use memory://, postgresql:// "
        "(also postgres://, postgresql+asyncpg://, postgresql+psycopg://) or redis://"
    )


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


class _FanOutBus:
    """Local fan-out shared by every adapter: one server subscription per channel per process."""

    def __init__(self, *, max_queue: int, namespace: str = "") -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        if not NAMESPACE_PATTERN.match(namespace):
            raise ValueError(f"bad bus namespace {namespace!r}: up to 24 of A-Z a-z 0-9 _ -")
        self._max_queue = max_queue
        self.namespace = namespace
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


class MemoryBus(_FanOutBus):
    """Fan-out inside one process (the single-process SQLite deployment, and tests)."""

    def __init__(self, *, max_queue: int = DEFAULT_MAX_QUEUE, namespace: str = "") -> None:
        super().__init__(max_queue=max_queue, namespace=namespace)

    async def _send(self, channel: str, text: str) -> None:
        self._dispatch(channel, text)


class PostgresBus(_FanOutBus):
    """LISTEN/NOTIFY through asyncpg: one listening connection, publishing through a small pool."""

    def __init__(
        self,
        dsn: str,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        namespace: str = "",
        name: str = "saduak-bus",
        pool_size: int = 4,
        timeout: float = 5.0,
        ping_interval: float = 10.0,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 30.0,
    ) -> None:
        super().__init__(max_queue=max_queue, namespace=namespace)
        self._dsn = dsn
        self._name = name
        self._pool_size = pool_size
        self._timeout = timeout
        self._ping_interval = ping_interval
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._pool: asyncpg.Pool | None = None
        self._conn: asyncpg.Connection | None = None
        self._supervisor: asyncio.Task[None] | None = None

    async def _open(self) -> None:
        # Connect once up front so a wrong URL or a stopped server fails the app's startup.
        self._pool = await asyncpg.create_pool(
            self._dsn,
            min_size=1,
            max_size=self._pool_size,
            timeout=self._timeout,
            # A half-open connection would otherwise hang publish(), and with it the request that
            # called it, until the kernel gives up on TCP (minutes).
            command_timeout=self._timeout,
            server_settings={"application_name": self._name},
        )
        try:
            conn = await self._connect()
        except BaseException:
            await self._pool.close()
            raise
        self._conn = conn
        self._supervisor = asyncio.create_task(self._supervise(conn), name="bus-postgres-listen")

    async def _close(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        if self._conn is not None:
            await _close_quietly(self._conn)
            self._conn = None
        if self._pool is not None:
            try:
                # A graceful close waits on every connection; a half-open one never answers.
                await asyncio.wait_for(self._pool.close(), timeout=self._timeout)
            except TimeoutError:
                self._pool.terminate()
            self._pool = None

    async def _send(self, channel: str, text: str) -> None:
        assert self._pool is not None
        try:
            # pg_notify() takes the channel as a bound value: no identifier quoting to get wrong.
            await self._pool.execute("SELECT pg_notify($1, $2)", channel, text)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise PublishFailed(channel) from exc

    async def _listen(self, channel: str) -> None:
        conn = self._conn
        if conn is None:
            return  # reconnecting: the supervisor LISTENs to every registered channel
        try:
            # add_listener quotes the channel as an identifier for LISTEN.
            await asyncio.wait_for(
                conn.add_listener(channel, self._on_notify), timeout=self._timeout
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            # Whatever went wrong, a fresh connection re-LISTENs from the registry and tells this
            # channel's subscribers that they may have missed messages.
            logger.warning("bus: LISTEN %r failed; reconnecting", channel, exc_info=True)
            conn.terminate()

    async def _unlisten(self, channel: str) -> None:
        conn = self._conn
        if conn is None or conn.is_closed():
            return
        try:
            await asyncio.wait_for(
                conn.remove_listener(channel, self._on_notify), timeout=self._timeout
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            logger.warning("bus: UNLISTEN %r failed; reconnecting", channel, exc_info=True)
            conn.terminate()

    def _on_notify(self, conn: object, pid: int, channel: str, payload: str) -> None:
        self._dispatch(channel, payload)

    async def _connect(self) -> asyncpg.Connection:
        # Named apart from the publishing pool so pg_stat_activity shows which one is listening.
        return await asyncpg.connect(
            self._dsn,
            timeout=self._timeout,
            server_settings={"application_name": f"{self._name}-listen"},
        )

    async def _supervise(self, conn: asyncpg.Connection) -> None:
        while True:
            try:
                await self._watch(conn)
                logger.warning("bus: lost the PostgreSQL listening connection; reconnecting")
            except Exception:
                # A bug in the watch must not end delivery for good: log it loudly, reconnect.
                logger.exception("bus: PostgreSQL connection watch failed")
            self._conn = None
            conn.terminate()
            conn = await self._reconnect()

    async def _watch(self, conn: asyncpg.Connection) -> None:
        """Return when the connection is gone: closed by the server or not answering pings."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        while not conn.is_closed():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), timeout=self._ping_interval)
                return
            # A half-open TCP connection delivers nothing and raises nothing; only a round trip
            # finds it.
            try:
                async with self._lock:
                    await conn.fetchval("SELECT 1", timeout=self._timeout)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                return

    async def _reconnect(self) -> asyncpg.Connection:
        for delay in _backoff_delays(self._reconnect_delay, self._max_reconnect_delay):
            await asyncio.sleep(delay)
            try:
                conn = await self._connect()
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("bus: PostgreSQL reconnect failed: %r", exc)
                continue
            try:
                async with self._lock, asyncio.timeout(self._timeout):
                    channels = list(self._subscribers)
                    for channel in channels:
                        await conn.add_listener(channel, self._on_notify)
                    self._conn = conn
                    # Only now is every channel listened to again, so a subscriber that resyncs
                    # on this signal cannot miss a later event.
                    for channel in channels:
                        self._mark_reconnected(channel)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("bus: PostgreSQL re-LISTEN failed: %r", exc)
                conn.terminate()
                continue
            except BaseException:
                conn.terminate()  # stop() cancelled us mid-way: do not leak the new connection
                raise
            logger.info("bus: PostgreSQL listening connection restored")
            return conn
        raise AssertionError("unreachable: the backoff never ends")


class RedisBus(_FanOutBus):
    """Redis pub/sub: one subscribing connection read by one task, publishing through a client."""

    def __init__(
        self,
        url: str,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        namespace: str = "",
        name: str = "saduak-bus",
        timeout: float = 5.0,
        ping_interval: float = 10.0,
        reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 30.0,
    ) -> None:
        super().__init__(max_queue=max_queue, namespace=namespace)
        self._url = url
        self._name = name
        self._timeout = timeout
        self._ping_interval = ping_interval
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max_reconnect_delay
        self._publisher: aioredis.Redis | None = None
        self._listener: aioredis.Redis | None = None
        self._pubsub: PubSub | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        # Channels subscribed again after a reconnect (or confirmed late): their subscribers are
        # told of a possible gap when the server confirms, before any later message arrives.
        self._resubscribing: set[str] = set()

    async def _open(self) -> None:
        # The socket timeout keeps a half-open connection from hanging publish(), and with it the
        # request that called it, until the kernel gives up on TCP (minutes).
        self._publisher = aioredis.Redis.from_url(
            self._url,
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            client_name=self._name,
        )
        # Without retries every connection error reaches this bus, which reconnects with a fresh
        # pub/sub and tells subscribers of the gap; redis-py's own retry would resubscribe quietly.
        self._listener = aioredis.Redis.from_url(
            self._url,
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            retry=Retry(NoBackoff(), 0),
            # Named apart from the publisher so CLIENT LIST shows which connection is listening.
            client_name=f"{self._name}-listen",
        )
        try:
            # Connect before returning so a wrong URL or a stopped server fails the app's startup,
            # and so the reader has a connection to read from before the first SUBSCRIBE.
            await self._publisher.ping()
            pubsub = await self._new_pubsub()
        except BaseException:
            await self._publisher.aclose()
            await self._listener.aclose()
            raise
        self._pubsub = pubsub
        self._supervisor = asyncio.create_task(self._supervise(pubsub), name="bus-redis-listen")

    async def _close(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        if self._pubsub is not None:
            await _close_quietly(self._pubsub)
            self._pubsub = None
        for client in (self._publisher, self._listener):
            if client is not None:
                await client.aclose()
        self._publisher = self._listener = None
        self._fail_confirmations()

    async def _send(self, channel: str, text: str) -> None:
        assert self._publisher is not None
        try:
            await self._publisher.publish(channel, text)
        except (OSError, TimeoutError, RedisError) as exc:
            raise PublishFailed(channel) from exc

    async def _listen(self, channel: str) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            return  # reconnecting: the supervisor subscribes every registered channel
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        try:
            await pubsub.subscribe(channel)
            # SUBSCRIBE only sends; a message published before the server confirms is not
            # delivered, so the caller must not get its subscription before then.
            await asyncio.wait_for(confirmed, timeout=self._timeout)
        except (OSError, RedisError):
            logger.warning("bus: SUBSCRIBE %r failed; reconnecting", channel, exc_info=True)
            self._force_reconnect()
        except (TimeoutError, BusClosed):
            # A dead connection is replaced by the reader's ping check (or already is being
            # replaced); a slow one may still confirm, and then the subscribers hear of the gap.
            logger.warning("bus: SUBSCRIBE %r not confirmed in time", channel)
            self._resubscribing.add(channel)
        finally:
            if self._confirmations.get(channel) is confirmed:
                del self._confirmations[channel]

    async def _unlisten(self, channel: str) -> None:
        pubsub = self._pubsub
        if pubsub is None:
            return
        self._resubscribing.discard(channel)
        try:
            await pubsub.unsubscribe(channel)
        except (OSError, RedisError):
            logger.warning("bus: UNSUBSCRIBE %r failed; reconnecting", channel, exc_info=True)
            self._force_reconnect()

    def _force_reconnect(self) -> None:
        # redis-py reconnects a failed connection before raising, and that reconnection may have
        # lost subscriptions: replace it with one subscribed from the registry.
        if self._reader is not None:
            self._reader.cancel()

    async def _new_pubsub(self) -> PubSub:
        assert self._listener is not None
        pubsub = self._listener.pubsub()
        try:
            await pubsub.connect()
        except BaseException:
            await _close_quietly(pubsub)
            raise
        return pubsub

    async def _supervise(self, pubsub: PubSub) -> None:
        while True:
            reader = asyncio.create_task(self._read(pubsub), name="bus-redis-read")
            self._reader = reader
            try:
                # wait() rather than await: cancelling the reader to force a reconnect must not
                # look like a cancellation of this supervisor.
                await asyncio.wait({reader})
            except asyncio.CancelledError:
                reader.cancel()
                await asyncio.wait({reader})
                raise
            if reader.cancelled():
                logger.warning("bus: replacing the Redis subscribing connection")
            elif isinstance(reader.exception(), OSError | TimeoutError | RedisError):
                logger.warning(
                    "bus: lost the Redis subscribing connection (%s); reconnecting",
                    reader.exception(),
                )
            else:
                # A bug in the reader must not end delivery for good: log it loudly, reconnect.
                logger.error("bus: Redis reader failed", exc_info=reader.exception())
            self._reader = None
            self._pubsub = None
            self._fail_confirmations()
            await _close_quietly(pubsub)
            pubsub = await self._reconnect()

    async def _read(self, pubsub: PubSub) -> None:
        loop = asyncio.get_running_loop()
        last_heard = loop.time()
        while True:
            # get_message(), unlike listen(), keeps reading while no channel is subscribed yet.
            # broadcaster wakes its listen() loop before redis-py records the SUBSCRIBE, so the
            # loop ends at once and, with redis-py 8, nothing is ever delivered.
            message = await pubsub.get_message(timeout=self._ping_interval)
            now = loop.time()
            if message is None:
                # A half-open TCP connection is silent, so silence is answered with a PING; a
                # second quiet interval without the PONG means the connection is gone.
                if now - last_heard > 2 * self._ping_interval:
                    raise TimeoutError("no answer to PING")
                await pubsub.ping()
                continue
            last_heard = now
            kind = message["type"]
            if kind == "message":
                self._dispatch(_text(message["channel"]), _text(message["data"]))
            elif kind == "subscribe":
                channel = _text(message["channel"])
                confirmed = self._confirmations.get(channel)
                if confirmed is not None and not confirmed.done():
                    confirmed.set_result(None)
                if channel in self._resubscribing:
                    self._resubscribing.discard(channel)
                    self._mark_reconnected(channel)

    async def _reconnect(self) -> PubSub:
        for delay in _backoff_delays(self._reconnect_delay, self._max_reconnect_delay):
            await asyncio.sleep(delay)
            try:
                pubsub = await self._new_pubsub()
            except (OSError, TimeoutError, RedisError) as exc:
                logger.warning("bus: Redis reconnect failed: %r", exc)
                continue
            try:
                async with self._lock:
                    if self._subscribers:
                        channels = list(self._subscribers)
                        # Subscribers learn of the gap from the reader, on each confirmation.
                        self._resubscribing.update(channels)
                        await pubsub.subscribe(*channels)
                    self._pubsub = pubsub
            except (OSError, TimeoutError, RedisError) as exc:
                logger.warning("bus: Redis resubscribe failed: %r", exc)
                await _close_quietly(pubsub)
                continue
            logger.info("bus: Redis subscribing connection restored")
            return pubsub
        raise AssertionError("unreachable: the backoff never ends")

    def _fail_confirmations(self) -> None:
        for confirmed in self._confirmations.values():
            if not confirmed.done():
                confirmed.set_exception(BusClosed("the Redis connection was lost"))
        self._confirmations.clear()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def _close_quietly(resource: asyncpg.Connection | PubSub) -> None:
    # Closing a connection that already failed can raise again; the failure was already logged.
    try:
        if isinstance(resource, asyncpg.Connection):
            resource.terminate()
        else:
            await resource.aclose()
    except (OSError, RedisError, asyncpg.InterfaceError):
        logger.debug("bus: error while closing a broken connection", exc_info=True)
