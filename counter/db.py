"""Engines and sessions for SQLite (WAL, immediate write transactions) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlmodel import Session


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use psycopg 3 for the synchronous engine."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Database:
    """Two engines over one database: writes and reads.

    On SQLite every write transaction starts with BEGIN IMMEDIATE, which takes the write lock up
    front: two processes can then never both read the same waiting ticket and both claim it (the
    read-then-update race measured in STACK.md). Reads use a plain deferred BEGIN so the status page
    and displays never wait behind a writer (WAL lets readers run beside it). On PostgreSQL both are
    the same engine; writes serialise per office with a row lock instead
    (see repository.lock_office).
    """

    def __init__(self, url: str, *, busy_timeout_ms: int = 10_000, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self._write_lock: AbstractContextManager[object] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.write_engine = self._sqlite_engine(busy_timeout_ms, immediate=True, echo=echo)
            self.read_engine = self._sqlite_engine(busy_timeout_ms, immediate=False, echo=echo)
        else:
            self.write_engine = sa.create_engine(
                self.url, pool_pre_ping=True, pool_size=10, max_overflow=20, echo=echo
            )
            self.read_engine = self.write_engine

    def _sqlite_engine(self, busy_timeout_ms: int, *, immediate: bool, echo: bool) -> sa.Engine:
        engine = sa.create_engine(
            self.url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            pool_size=10,
            max_overflow=20,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's begin event decide how transactions start (pysqlite would otherwise
            # start them lazily, after the first read, which is exactly the race we avoid).
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.close()

        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql(begin)

        return engine

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any exception."""
        # SQLite has one writer at a time. Threads of this process queue on a lock instead of
        # spinning in busy_timeout retries against each other; other processes still meet the
        # database lock and wait for it.
        with (
            self._write_lock,
            Session(self.write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.read_engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
