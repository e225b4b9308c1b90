"""One pool of PostgreSQL connections per test worker and database, not one per `Database`.

Each test on PostgreSQL makes a `Database` of its own and the app it serves makes another, and
each opened and closed its own connections: a new server process for every connection (its
start, its catalogue caches, its exit), three or four a test. Here every `Database` of one worker
over one database, with the same settings, uses the same engines, and disposing of it leaves the
pool open for the next test; the pools are closed (`release`) when the worker's database is
dropped at the end of the run. Connections are checked before use (`pool_pre_ping`), so one the
server dropped is replaced as before. What a connection carries into the next test is what the
pool does not reset: session settings. Nothing may leave one behind (the synthetic history's
loader sets its foreign-key bypass with SET LOCAL, for its transaction only, for that reason).
Only the worker's own test database is shared
(`share`, by the `pg_session_url` fixture): other databases a test makes are copied from as
templates or dropped, which the connections of a pool kept open would refuse. SQLite is left as
it is: each test has a file of its own.

A production process makes one `Database` and is not affected: this module is imported by the
tests' conftest only.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from counter.db import Database, normalise_url

_urls: set[str] = set()
_shared: dict[tuple[str, float], tuple[sa.Engine, sa.Engine]] = {}
_init = Database.__init__
_dispose = Database.dispose


def _shared_init(self: Database, url: str, **kwargs: Any) -> None:
    _init(self, url, **kwargs)
    if self.url not in _urls or kwargs.get("echo"):
        return
    key = (self.url, self.write_wait)
    found = _shared.get(key)
    if found is None:
        _shared[key] = (self.write_engine, self.read_engine)
    else:
        # The engine just made has not connected: nothing to close.
        self.write_engine, self.read_engine = found


def _shared_dispose(self: Database) -> None:
    if _shared.get((self.url, self.write_wait)) == (self.write_engine, self.read_engine):
        return
    _dispose(self)


def share(url: str) -> None:
    """Every `Database` over `url` in this process shares one pool from now on."""
    _urls.add(normalise_url(url))


def release(url: str) -> None:
    """Close the shared pools over `url` (before its database is dropped)."""
    url = normalise_url(url)
    _urls.discard(url)
    for key in [key for key in _shared if key[0] == url]:
        write_engine, read_engine = _shared.pop(key)
        write_engine.dispose()
        read_engine.dispose()


def install() -> None:
    Database.__init__ = _shared_init  # type: ignore[method-assign]
    Database.dispose = _shared_dispose  # type: ignore[method-assign]
