"""The Redis bus: pub/sub with redis-py's asyncio client, one subscribing connection per process,
a PING on silence, and resubscription after a reconnect."""

from __future__ import annotations

import asyncio
from typing import Unpack

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from counter.bus._base import BusClosed, BusSettings, PublishFailed, _FanOutBus, logger


class RedisBus(_FanOutBus):
    """Redis pub/sub: one subscribing connection read by one task, publishing through a client."""

    def __init__(self, url: str, **settings: Unpack[BusSettings]) -> None:
        """`settings`: the fan-out's and the connection's (see `_FanOutBus`)."""
        super().__init__(**settings)
        self._url = url
        self._publisher: aioredis.Redis | None = None
        self._listener: aioredis.Redis | None = None
        self._pubsub: PubSub | None = None
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
        await self._stop_supervisor()
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
        async def restore(pubsub: PubSub) -> None:
            async with self._lock:
                if self._subscribers:
                    channels = list(self._subscribers)
                    # Subscribers learn of the gap from the reader, on each confirmation.
                    self._resubscribing.update(channels)
                    await pubsub.subscribe(*channels)
                self._pubsub = pubsub

        return await self._reconnect_with_backoff(
            "Redis", self._new_pubsub, restore, _close_quietly, (OSError, TimeoutError, RedisError)
        )

    def _fail_confirmations(self) -> None:
        for confirmed in self._confirmations.values():
            if not confirmed.done():
                confirmed.set_exception(BusClosed("the Redis connection was lost"))
        self._confirmations.clear()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def _close_quietly(pubsub: PubSub) -> None:
    # Closing a connection that already failed can raise again; the failure was already logged.
    try:
        await pubsub.aclose()
    except (OSError, RedisError):
        logger.debug("bus: error while closing a broken connection", exc_info=True)
