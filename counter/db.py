"""Engines and sessions for SQLite (WAL, immediate write transactions) and PostgreSQL; storage
failures (a lock held too long, a full disk, a database that is down) as one exception type."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import psycopg.errors
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from counter.texts import MESSAGES

# How long a write waits for the database (another process's write lock, this process's other
# writers) before it gives up with DatabaseBusy: long enough for any ordinary burst, short enough
# that a kiosk tap or a counter key gets an answer it can show.
DEFAULT_WRITE_WAIT_SECONDS = 5.0
# Below this much free space beside a SQLite file, /healthz says storage is not writable.
MIN_FREE_BYTES = 1024 * 1024

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_IOERR, _SQLITE_FULL, _SQLITE_READONLY = 10, 13, 8


class StorageUnavailable(sa.exc.SQLAlchemyError):
    """The database could not take the request; nothing of it was written. Answered 503.

    A SQLAlchemyError, so code that copes with any database failure copes with these too.
    """

    error: ClassVar[str] = "database_unavailable"
    th: ClassVar[str] = MESSAGES["database_unavailable"][0]
    en: ClassVar[str] = MESSAGES["database_unavailable"][1]
    retry_after: ClassVar[int] = 5

    def __init__(self) -> None:
        super().__init__(self.en)


class DatabaseBusy(StorageUnavailable):
    """Another writer held the database longer than the bounded wait."""

    error = "database_busy"
    th, en = MESSAGES["database_busy"]
    retry_after = 2


class StorageFull(StorageUnavailable):
    """The disk (or the database server's) is full or failing: writes cannot be stored."""

    error = "storage_full"
    th, en = MESSAGES["storage_full"]
    retry_after = 60


_PG_CONNECTION_LOST = (
    psycopg.errors.ConnectionException,
    psycopg.errors.AdminShutdown,
    psycopg.errors.CrashShutdown,
    psycopg.errors.CannotConnectNow,
)


def storage_failure(exc: BaseException) -> StorageUnavailable | None:
    """The StorageUnavailable a driver error stands for, or None if it is some other error (a
    bug, a constraint): only the former are the database's condition rather than the request's."""
    if isinstance(exc, StorageUnavailable):
        return exc
    if isinstance(exc, sa.exc.TimeoutError):
        # Every pooled connection stayed busy for the whole wait.
        return DatabaseBusy()
    if not isinstance(exc, sa.exc.DBAPIError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return DatabaseBusy()
        if primary in (_SQLITE_FULL, _SQLITE_IOERR, _SQLITE_READONLY):
            return StorageFull()
        return None
    if isinstance(orig, psycopg.errors.LockNotAvailable):
        return DatabaseBusy()
    # Class 53 (insufficient resources: disk full, out of memory), 58 (system error: I/O).
    if isinstance(orig, psycopg.errors.InsufficientResources | psycopg.errors.SystemError):
        return StorageFull()
    if exc.connection_invalidated or isinstance(orig, _PG_CONNECTION_LOST):
        return StorageUnavailable()
    if isinstance(orig, psycopg.OperationalError) and orig.sqlstate is None:
        # No SQLSTATE: the connection itself failed (server down, refused, dropped).
        return StorageUnavailable()
    return None


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

    def __init__(
        self, url: str, *, write_wait: float = DEFAULT_WRITE_WAIT_SECONDS, echo: bool = False
    ) -> None:
        self.url = normalise_url(url)
        self.write_wait = write_wait
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self._write_lock: threading.Lock | None = None
        self._sqlite_path: Path | None = None
        # Set when a write failed for lack of storage, cleared by the next write that commits.
        self._storage_failed = False
        wait_ms = int(write_wait * 1000)
        if self.dialect == "sqlite":
            self._write_lock = threading.Lock()
            self._local = threading.local()
            if parsed.database and parsed.database != ":memory:":
                self._sqlite_path = Path(parsed.database)
                prepare_sqlite_file(self._sqlite_path)
            self.write_engine = self._sqlite_engine(wait_ms, immediate=True, echo=echo)
            self.read_engine = self._sqlite_engine(wait_ms, immediate=False, echo=echo)
        else:
            self.write_engine = sa.create_engine(
                self.url,
                pool_pre_ping=True,
                pool_size=10,
                max_overflow=20,
                pool_timeout=write_wait,
                echo=echo,
                # A row lock held by a stuck transaction elsewhere must not hold a request forever.
                connect_args={"options": f"-c lock_timeout={wait_ms}"},
            )
            # A read sees one snapshot of the database, as a SQLite read transaction does (WAL):
            # under PostgreSQL's default each statement would see what was committed when it
            # began, so a read of several statements (a seq, then the state it stands for) could
            # mix two moments. A transaction that only reads never fails for it.
            self.read_engine = self.write_engine.execution_options(
                isolation_level="REPEATABLE READ"
            )

    def _sqlite_engine(self, busy_timeout_ms: int, *, immediate: bool, echo: bool) -> sa.Engine:
        engine = sa.create_engine(
            self.url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            pool_size=10,
            max_overflow=20,
            pool_timeout=busy_timeout_ms / 1000,
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
            busy_ms = getattr(self._local, "busy_ms", None) if immediate else None
            if busy_ms is not None:
                # What is left of the write's bounded wait, after this process's own queue.
                conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
            conn.exec_driver_sql(begin)

        return engine

    @contextmanager
    def write(self, deadline: float | None = None) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any exception.

        It waits at most until `deadline` (time.monotonic(); default: `write_wait` from now) for
        the database, then raises DatabaseBusy; a full disk raises StorageFull.
        """
        if deadline is None:
            deadline = time.monotonic() + self.write_wait
        # SQLite has one writer at a time. Threads of this process queue on a lock instead of
        # spinning in busy_timeout retries against each other; other processes still meet the
        # database lock and wait for it.
        lock = self._write_lock
        if lock is not None and not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise DatabaseBusy()
        try:
            if lock is not None:
                self._local.busy_ms = max(0, int((deadline - time.monotonic()) * 1000))
            with (
                self._storage_errors(),
                Session(self.write_engine, expire_on_commit=False) as session,
                session.begin(),
            ):
                yield session
            self._storage_failed = False
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with (
            self._storage_errors(),
            Session(self.read_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        try:
            yield
        except (sa.exc.DBAPIError, sa.exc.TimeoutError) as exc:
            failure = storage_failure(exc)
            if failure is None:
                raise
            if isinstance(failure, StorageFull):
                self._storage_failed = True
            raise failure from exc

    def storage_problem(self) -> str | None:
        """Why a write would fail for lack of storage now, or None if nothing says so."""
        if self._sqlite_path is not None:
            try:
                stat = os.statvfs(self._sqlite_path.parent)
            except OSError as exc:
                return f"cannot inspect the database's folder: {exc.strerror}"
            free = stat.f_bavail * stat.f_frsize
            if free < MIN_FREE_BYTES:
                return f"only {free} bytes free on the database's disk"
        if self._storage_failed:
            return "the last write failed: storage is full or failing"
        return None

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


def prepare_sqlite_file(path: Path) -> None:
    """Create a SQLite file's folder and the file itself readable by the owner only (SQLite gives
    its -wal and -shm files the database file's permissions); tighten an existing one."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        return  # not ours to create (read-only mount, another owner): SQLite will say so
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if name.stat().st_mode & 0o077:
                name.chmod(0o600)
        except OSError:
            continue  # absent, or owned by another account
