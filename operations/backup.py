"""Backups that are proven: a consistent copy while serving, restore onto an empty database, and
restore drills into a scratch database whose result is recorded.

SQLite is copied with its online backup API (a consistent snapshot whatever the app writes
meanwhile); PostgreSQL with `pg_dump -Fc` and `pg_restore`, whose major version must be at least
the server's.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from counter.db import Database, normalise_url
from operations.models import BcpDrill
from operations.text import say_both

SQLITE_SUFFIX = ".db"
PG_SUFFIX = ".dump"
_NAME = re.compile(r"^saduak-\d{8}-\d{6}-\d{6}(\.db|\.dump)$")
# The tables whose rows make a database "not empty": an office's configuration and its log.
_CONTENT_TABLES = ("office", "staff", "ticket", "ticket_event")


class BackupError(RuntimeError):
    """A backup, restore or drill that cannot be done; the message says why and what to do."""


@dataclass
class VerifyResult:
    ok: bool
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    revision: str | None = None
    drill_id: int | None = None


# ---------------------------------------------------------------------------- naming and pruning


def _dialect(url: str) -> str:
    return make_url(normalise_url(url)).get_backend_name()


def _sqlite_path(url: str) -> Path:
    database = make_url(normalise_url(url)).database
    if not database or database == ":memory:":
        raise BackupError(f"not a SQLite file: {url}")
    return Path(database)


def backup_name(now: datetime, suffix: str) -> str:
    now = now.astimezone(UTC)
    return f"saduak-{now:%Y%m%d-%H%M%S-%f}{suffix}"


def backups_in(directory: Path) -> list[Path]:
    """Backups this command wrote in `directory`, oldest first (their names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _NAME.match(p.name))


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    old = backups_in(directory)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


# ---------------------------------------------------------------------------- backup


def backup(url: str, directory: Path, *, keep: int, now: datetime | None = None) -> Path:
    """Copy the database at `url` into a new file in `directory`; keep the newest `keep` files."""
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    dialect = _dialect(url)
    suffix = SQLITE_SUFFIX if dialect == "sqlite" else PG_SUFFIX
    target = directory / backup_name(now, suffix)
    partial = target.with_name(target.name + ".partial")
    try:
        if dialect == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial)
        elif dialect == "postgresql":
            _pg_run("pg_dump", url, ["-Fc", "--no-owner", "-f", str(partial)])
        else:
            raise BackupError(f"cannot back up a {dialect} database")
        # A half-written file never carries a backup's name.
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    os.chmod(target, 0o600)
    prune(directory, keep)
    return target


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database file at {source}")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        # One step: the copy is a snapshot of one moment, even while the app writes (WAL).
        src.backup(dst)
        # A standalone file: no -wal/-shm files beside it.
        dst.execute("PRAGMA journal_mode=DELETE")


# ---------------------------------------------------------------------------- PostgreSQL tools


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection options for the PostgreSQL tools; the password goes in the environment, never
    on a command line other users can read."""
    parsed: URL = make_url(normalise_url(url))
    args = []
    if parsed.host:
        args += ["-h", parsed.host]
    if parsed.port:
        args += ["-p", str(parsed.port)]
    if parsed.username:
        args += ["-U", parsed.username]
    args += ["-d", parsed.database or "postgres"]
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return args, env


def _server_major(url: str) -> int:
    engine = sa.create_engine(normalise_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
    finally:
        engine.dispose()


def _tool_major(tool: str) -> int:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} is not installed: apt-get install postgresql-client "
            "(of the same major version as the server, or newer)"
        )
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if found is None:
        raise BackupError(f"cannot read the version of {tool}: {out!r}")
    return int(found.group(1))


def _pg_run(tool: str, url: str, extra: list[str]) -> None:
    tool_major, server_major = _tool_major(tool), _server_major(url)
    if tool_major < server_major:
        raise BackupError(
            f"{tool} {tool_major} cannot work with PostgreSQL {server_major}: install "
            f"postgresql-client-{server_major}"
        )
    args, env = _libpq(url)
    done = subprocess.run(
        [tool, *args, *extra], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------------------- restore


def table_counts(url: str) -> dict[str, int]:
    """Rows per table of the database at `url` (the tables it has)."""
    engine = sa.create_engine(normalise_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return {
                name: int(
                    conn.execute(
                        sa.select(sa.func.count()).select_from(sa.table(name))
                    ).scalar_one()
                )
                for name in names
            }
    finally:
        engine.dispose()


def is_empty(url: str) -> bool:
    """No office, account, ticket or event: a new database, migrated or not."""
    if _dialect(url) == "sqlite" and not _sqlite_path(url).exists():
        return True
    counts = table_counts(url)
    return all(counts.get(name, 0) == 0 for name in _CONTENT_TABLES)


def restore(path: Path, url: str, *, force: bool = False) -> None:
    """Put the backup at `path` into the database at `url`, replacing what it holds.

    Refuses a database that holds an office, account or ticket unless `force`: a restore onto the
    wrong database would erase an office's day. Stop the app processes first."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    dialect = _dialect(url)
    wanted = SQLITE_SUFFIX if dialect == "sqlite" else PG_SUFFIX
    if path.suffix != wanted:
        raise BackupError(
            f"{path.name} is a {'SQLite' if path.suffix == SQLITE_SUFFIX else 'PostgreSQL'} "
            f"backup; the database at hand is {dialect}"
        )
    if not force and not is_empty(url):
        raise BackupError(say_both("restore_not_empty"))
    if dialect == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
    else:
        _pg_run(
            "pg_restore",
            url,
            [
                *("--clean", "--if-exists", "--no-owner", "--no-privileges"),
                *("--single-transaction", str(path)),
            ],
        )


# ---------------------------------------------------------------------------- drills


@contextmanager
def scratch_database(path: Path, live_url: str) -> Iterator[str]:
    """An empty database of the backup's kind, dropped after: a temporary SQLite file, or a new
    database on the live PostgreSQL server."""
    if path.suffix == SQLITE_SUFFIX:
        with tempfile.TemporaryDirectory(prefix="saduak-drill-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'drill.db'}"
        return
    if _dialect(live_url) != "postgresql":
        raise BackupError("a PostgreSQL backup needs a PostgreSQL server to be checked on")
    name = f"saduak_drill_{uuid.uuid4().hex[:10]}"
    admin = make_url(normalise_url(live_url))
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield admin.set(database=name).render_as_string(hide_password=False)
        finally:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def _integrity(url: str) -> list[str]:
    problems: list[str] = []
    engine = sa.create_engine(normalise_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                if result != ["ok"]:
                    problems += [f"integrity: {r}" for r in result[:20]]
                broken = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
                problems += [f"foreign key: {tuple(r)}" for r in broken[:20]]
            tables = set(sa.inspect(conn).get_table_names())
            missing = [t for t in (*_CONTENT_TABLES, "alembic_version") if t not in tables]
            problems += [f"table {t} is missing" for t in missing]
            if "ticket" in tables and "ticket_event" in tables:
                # Every ticket's history starts with its issue: the log is complete.
                orphans = conn.exec_driver_sql(
                    "SELECT count(*) FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM ticket_event e "
                    "WHERE e.ticket_id = t.id AND e.kind = 'issued')"
                ).scalar_one()
                if orphans:
                    problems.append(f"{orphans} tickets without their issued event")
    finally:
        engine.dispose()
    return problems


def _revision(url: str) -> str | None:
    engine = sa.create_engine(normalise_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn, contextlib.suppress(sa.exc.SQLAlchemyError):
            value = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            return str(value) if value is not None else None
    finally:
        engine.dispose()
    return None


def verify(path: Path, live_url: str, *, now: datetime | None = None) -> VerifyResult:
    """Restore `path` into a scratch database, check it, and record the drill in the live
    database (whatever the result: a failed drill is evidence too)."""
    began = time.perf_counter()
    result = VerifyResult(ok=False, seconds=0.0)
    try:
        with scratch_database(path, live_url) as scratch:
            restore(path, scratch)
            result.problems = _integrity(scratch)
            result.counts = table_counts(scratch)
            result.revision = _revision(scratch)
    except (BackupError, sa.exc.SQLAlchemyError, sqlite3.Error, OSError) as exc:
        result.problems.append(str(exc).strip()[:1000])
    result.ok = not result.problems
    result.seconds = round(time.perf_counter() - began, 3)
    taken = datetime.fromtimestamp(path.stat().st_mtime, UTC) if path.exists() else None
    detail: dict[str, Any] = {
        "counts": {k: v for k, v in result.counts.items() if k != "alembic_version"},
        "problems": result.problems,
        "revision": result.revision,
    }
    db = Database(live_url)
    try:
        with db.write() as session:
            drill = BcpDrill(
                at=now or datetime.now(UTC),
                backup_file=str(path.resolve())[:500],
                backup_taken_at=taken,
                ok=result.ok,
                seconds=result.seconds,
                detail=detail,
            )
            session.add(drill)
            session.flush()
            result.drill_id = drill.id
    finally:
        db.dispose()
    return result
