"""The PostgreSQL bus: LISTEN/NOTIFY through one asyncpg connection per process, reconnected with
backoff; NOTIFY's 8,000-byte payload limit is every backend's limit."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Unpack

import asyncpg

from counter.bus._base import BusSettings, PublishFailed, _FanOutBus, logger

# What a lost or unreachable server raises.
_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class PostgresBus(_FanOutBus):
    """LISTEN/NOTIFY through asyncpg: one listening connection, publishing through a small pool."""

    def __init__(self, dsn: str, *, pool_size: int = 4, **settings: Unpack[BusSettings]) -> None:
        """`settings`: the fan-out's and the connection's (see `_FanOutBus`)."""
        super().__init__(**settings)
        self._dsn = dsn
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._conn: asyncpg.Connection | None = None

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
        await self._stop_supervisor()
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
        except _ERRORS as exc:
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
        except _ERRORS:
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
        except _ERRORS:
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
            except _ERRORS:
                return

    async def _reconnect(self) -> asyncpg.Connection:
        async def restore(conn: asyncpg.Connection) -> None:
            async with self._lock, asyncio.timeout(self._timeout):
                channels = list(self._subscribers)
                for channel in channels:
                    await conn.add_listener(channel, self._on_notify)
                self._conn = conn
                # Only now is every channel listened to again, so a subscriber that resyncs on
                # this signal cannot miss a later event.
                for channel in channels:
                    self._mark_reconnected(channel)

        return await self._reconnect_with_backoff(
            "PostgreSQL", self._connect, restore, _close_quietly, _ERRORS
        )


async def _close_quietly(conn: asyncpg.Connection) -> None:
    # Closing a connection that already failed can raise again; the failure was already logged.
    try:
        conn.terminate()
    except (OSError, asyncpg.InterfaceError):
        logger.debug("bus: error while closing a broken connection", exc_info=True)
