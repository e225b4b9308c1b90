"""Publish/subscribe of small JSON events between processes: in memory, PostgreSQL or Redis.

Contract for callers: the service layer publishes only after its database commit, so a subscriber
never sees an event for a rolled-back change; an event can still be lost (crash between commit and
publish, queue overflow, reconnect), so payloads carry ids and a per-office ``seq`` and subscribers
resync from the database when ``seq`` jumps or ``MessagesMissed`` is raised.

Backends in their own modules, chosen by URL scheme (`bus_from_url`): `memory`, `postgres`, `redis`;
what they share is in `_base`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from counter.bus._base import (
    DEFAULT_MAX_QUEUE,
    MAX_CHANNEL_BYTES,
    MAX_PAYLOAD_BYTES,
    NAMESPACE_PATTERN,
    Bus,
    BusClosed,
    BusError,
    MessagesMissed,
    PayloadTooLarge,
    PublishFailed,
    Subscription,
)
from counter.bus.memory import MemoryBus
from counter.bus.postgres import PostgresBus

if TYPE_CHECKING:
    from counter.bus.redis import RedisBus

__all__ = [
    "DEFAULT_MAX_QUEUE",
    "MAX_CHANNEL_BYTES",
    "MAX_PAYLOAD_BYTES",
    "NAMESPACE_PATTERN",
    "Bus",
    "BusClosed",
    "BusError",
    "MemoryBus",
    "MessagesMissed",
    "PayloadTooLarge",
    "PostgresBus",
    "PublishFailed",
    "RedisBus",
    "Subscription",
    "bus_from_url",
]


def __getattr__(name: str) -> Any:
    # The Redis client library is loaded by the processes that use a Redis bus only (a tenth of a
    # second at every start of a server or command otherwise).
    if name == "RedisBus":
        from counter.bus.redis import RedisBus

        return RedisBus
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_POSTGRES_SCHEMES = {
    "postgres": "postgres",
    "postgresql": "postgresql",
    "postgresql+asyncpg": "postgresql",
    "postgresql+psycopg": "postgresql",
}
_REDIS_SCHEMES = {"redis", "rediss"}


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
        from counter.bus.redis import RedisBus

        return RedisBus(url, max_queue=max_queue, namespace=namespace)
    raise ValueError(
        f"unsupported bus URL scheme {scheme!r}: use memory://, postgresql:// "
        "(also postgres://, postgresql+asyncpg://, postgresql+psycopg://) or redis://"
    )
