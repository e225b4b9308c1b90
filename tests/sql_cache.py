"""One cache of compiled SQL per test worker, not one per engine.

SQLAlchemy compiles a statement once per engine and keeps it in that engine's cache (and, for
the ORM's flushes, in each mapper's cache) under a key that holds the engine's dialect object.
A server process makes its engines once and compiles each statement once. The tests make a new
`Database` for nearly every test, and the app it serves makes another: two or four new engines a
test, each starting with an empty cache. Measured over the API tests of four modules (303 tests,
one process): 8,810 compilations missed the cache and took 5.4 s of a run's 27.6 s of CPU, a
fifth of it.

Here the engines of a worker share one cache, and dialects of one class compare equal, so a
statement compiled for one test's engine is found for the next. What a compiled statement depends
on is the same for every engine the project makes of one kind: one SQLite library or one
PostgreSQL server, the same driver and the same options (the engines' own settings, such as
isolation levels and timeouts, are applied to connections, not to the SQL). The SQL sent is
unchanged. A production process is not affected: this module is imported by the tests'
conftest only.

If a SQLAlchemy release changes what this relies on, the tests fail or slow down; drop the module
then (the tests are only slower without it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Engine
from sqlalchemy.util import LRUCache

# Distinct statements a worker compiles over the whole suite: a few thousand.
_SHARED: LRUCache[Any, Any] = LRUCache(10_000)


def _same_kind(self: Any, other: object) -> bool:
    return type(self) is type(other)


def _kind_hash(self: Any) -> int:
    return hash(type(self))


def _cache(engine: Engine) -> Any:
    # An engine made with query_cache_size=0 keeps caching off.
    return _SHARED if engine.__dict__.get("_own_compiled_cache") is not None else None


def _keep(engine: Engine, value: Any) -> None:
    engine.__dict__["_own_compiled_cache"] = value


def install() -> None:
    for dialect in (SQLiteDialect_pysqlite, PGDialect_psycopg):
        dialect.__eq__ = _same_kind  # type: ignore[method-assign,assignment]
        dialect.__hash__ = _kind_hash  # type: ignore[method-assign,assignment]
    Engine._compiled_cache = property(_cache, _keep)  # type: ignore[assignment]
