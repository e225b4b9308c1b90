"""Shared fixtures: real SQLite and PostgreSQL databases built by the migrations, a fake clock,
the app served through httpx, and the demo office seeded into it."""

from __future__ import annotations

import filecmp
import functools
import gc
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import SQLModel

from counter.auth import DeviceKind, add_device, hash_password
from counter.bus import MemoryBus
from counter.db import Database, normalise_url
from counter.seed import seed_demo
from counter.service import QueueService
from counter.settings import Settings
from saduak import migrations
from saduak.app import GC_YOUNG_THRESHOLD, create_app
from tests import pg_pool, route_table, sql_cache
from tests.browser_conftest_helpers import (  # noqa: F401  (fixtures)
    chromium,
    close_what_the_test_opened,
)

route_table.install()
sql_cache.install()
pg_pool.install()

# The server refuses loopback printers unless the operator lists them; the tests' fake network
# printer listens on 127.0.0.1 and some tests name documentation addresses (192.0.2.x), so the
# test settings list both. Set in the environment so that servers and CLI runs started by the
# tests read the same list.
TEST_PRINTER_ALLOW = "private, 127.0.0.1:*, 192.0.2.0/24"
os.environ["SADUAK_PRINTER_ALLOW"] = TEST_PRINTER_ALLOW
# Real argon2 at its cheapest: a login costs microseconds, not a tenth of a second of CPU
# (counter.auth). In the environment, so that servers and CLI runs started by the tests use it too.
os.environ["SADUAK_ARGON2_COST"] = "test"


# What a test of each kind costs, roughly, in seconds (measured here): one that starts OS
# processes, one that drives the browser, one with a database, a pure one.
_EXPECTED_SECONDS = {"slow": 6.0, "browser": 2.5, "database": 0.2, "pure": 0.01}


def _expected_seconds(item: pytest.Item) -> float:
    for kind in ("slow", "browser"):
        if any(item.iter_markers(kind)):
            return _EXPECTED_SECONDS[kind]
    uses_database = "db_url" in getattr(item, "fixturenames", ())
    return _EXPECTED_SECONDS["database" if uses_database else "pure"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (`make test` hands out whole files, in this order, with
    --no-loadscope-reorder): the workers share the long ones out at the start instead of one
    worker finishing the last of them alone while the other waits."""
    cost: dict[str, float] = {}
    for item in items:
        cost[item.path.as_posix()] = cost.get(item.path.as_posix(), 0.0) + _expected_seconds(item)
    items.sort(key=lambda item: -cost[item.path.as_posix()])


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collect garbage as a server does (saduak.app.collector_for_streams): what the imports and
    the collection built lives until the run ends, so it is frozen out of every collection, and
    the youngest generation is larger. Full collections had walked it all again and again: 13 %
    of a test process's CPU, against 3 % now."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


@pytest.fixture(autouse=True)
def _browser_contexts_closed(request: pytest.FixtureRequest) -> None:
    """A browser test's contexts are closed when it ends (close_what_the_test_opened)."""
    if request.node.get_closest_marker("browser") is not None:
        request.getfixturevalue("close_what_the_test_opened")


PG_ADMIN_URL = os.environ.get("SADUAK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ARTIFACTS = Path(__file__).parent / "artifacts"

# A Friday, 10:00 in Bangkok: inside office hours.
DEFAULT_NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


class FakeClock:
    """The only fake of time: tests move it by hand."""

    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


def create_pg_database(prefix: str = "saduak_test") -> str:
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        # A commit need not wait for the disk: only a crash of the PostgreSQL server itself could
        # lose the last commits (a SIGKILLed app server loses nothing), and no test crashes it. On
        # a machine shared with other work each fsync at commit can wait tens of milliseconds.
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    engine.dispose()
    return name


_DROP_DATABASE = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
"""


def drop_pg_database(name: str) -> None:
    """Drop a test database without waiting for it: DROP DATABASE waits for a checkpoint of the
    whole server, 4–40 s on this shared machine, and nothing after a test needs it gone. The
    connections still open on it are closed by the drop (FORCE), as before. PostgreSQL's own
    client sends it where it is installed (0.02 s of CPU, against 0.2 s for a Python process that
    imports psycopg)."""
    psql = shutil.which("psql")
    if psql is not None:
        command = [
            psql,
            "-X",
            "-q",
            "-d",
            PG_ADMIN_URL,
            "-c",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ]
    else:
        command = [sys.executable, "-c", _DROP_DATABASE, PG_ADMIN_URL, name]
    subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    name = create_pg_database()
    url = pg_url(name)
    migrations.upgrade(url)
    pg_pool.share(url)
    yield url
    pg_pool.release(url)
    _pg_engine(url).dispose()
    drop_pg_database(name)


@functools.cache
def _pg_engine(url: str) -> sa.Engine:
    """One small pool per database for the fixtures' own statements (emptying, seeding)."""
    return sa.create_engine(normalise_url(url), pool_size=1)


@functools.cache
def _empty_pg_statement() -> str:
    # Children before parents, so that no foreign key is violated on the way. The names are our
    # own tables', not input.
    tables = ", ".join(f"'{t.name}'" for t in reversed(SQLModel.metadata.sorted_tables))
    return f"""
DO $$
DECLARE t text; s text;
BEGIN
  FOREACH t IN ARRAY ARRAY[{tables}] LOOP
    EXECUTE 'DELETE FROM ' || quote_ident(t);
  END LOOP;
  FOR s IN SELECT sequencename FROM pg_sequences
           WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
    PERFORM setval(quote_ident(s), 1, false);
  END LOOP;
END $$"""  # noqa: S608


def empty_pg(url: str) -> None:
    """Every table empty and every id sequence back at 1, as after the migrations.

    One round trip that DELETEs the few rows a test wrote: TRUNCATE gives every table and index a
    new file, ~1.5 s per test on a loaded machine against ~0.05 s for this. The sequences are set
    back with setval, not ALTER SEQUENCE ... RESTART, which gives each sequence a new file too
    (8 ms against 5 ms per test after the demo office, 12 ms against 8 ms of the server's CPU).
    """
    with _pg_engine(url).begin() as conn:
        conn.exec_driver_sql(_empty_pg_statement())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "saduak.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_session_url")
    empty_pg(url)
    return url


# For a module whose subject is what the server says over HTTP (pages, navigation, rules checked
# before any query), not what the database does: its tests run on SQLite only. Everything that
# reads or writes the office's data runs on both.
SQLITE_ONLY = pytest.mark.sqlite_only


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # As a parametrize mark, read by pytest after this hook: it replaces db_url's own params.
    if "db_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.definition.add_marker(pytest.mark.parametrize("db_url", ["sqlite"], indirect=True))


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@dataclass
class Demo:
    office_id: int
    passwords: dict[str, str]


DEMO_PASSWORDS = {
    name: f"{name}-pw-{i}" for i, name in enumerate(["admin", "manager", "staff1", "staff2"])
}


@functools.cache
def cached_hash(password: str) -> str:
    """Real argon2 hashes (at the test suite's cost), computed once per run."""
    return hash_password(password)


def _seed(database: Database, now: datetime) -> None:
    with database.write() as session:
        passwords = seed_demo(session, now, passwords=DEMO_PASSWORDS, make_hash=cached_hash)
    assert passwords == DEMO_PASSWORDS


class SeededCopies:
    """The demo office as seed_demo builds it, built once per worker and per seeding time, and
    copied into each test's database: a SQLite file copy, or one PostgreSQL statement that
    inserts the rows seed_demo wrote. A database that is no longer as the migrations left it
    (something wrote before the demo fixture) is seeded by seed_demo itself."""

    def __init__(self, folder: Path, sqlite_template: Path) -> None:
        self.folder = folder
        self.sqlite_template = sqlite_template
        self.sqlite_files: dict[datetime, Path] = {}
        self.pg_statements: dict[tuple[str, datetime], str] = {}

    def seed(self, database: Database, now: datetime) -> None:
        if database.dialect == "sqlite":
            self._seed_sqlite(database, now)
        else:
            self._seed_pg(database, now)

    def _seed_sqlite(self, database: Database, now: datetime) -> None:
        path = Path(str(sa.make_url(database.url).database))
        untouched = not Path(f"{path}-wal").exists() and filecmp.cmp(
            path, self.sqlite_template, shallow=False
        )
        if not untouched:
            _seed(database, now)
            return
        if now not in self.sqlite_files:
            seeded = self.folder / f"seeded-{len(self.sqlite_files)}.db"
            seeded_sqlite(seeded, self.sqlite_template, now)
            self.sqlite_files[now] = seeded
        database.dispose()
        shutil.copy(self.sqlite_files[now], path)

    def _seed_pg(self, database: Database, now: datetime) -> None:
        key = (database.url, now)
        if key not in self.pg_statements:
            _seed(database, now)
            self.pg_statements[key] = _pg_copy_statement(database.url)
            return
        try:
            with _pg_engine(database.url).begin() as conn:
                conn.exec_driver_sql(self.pg_statements[key])
        except sa.exc.DBAPIError as exc:
            if "saduak_test: not as migrated" not in str(exc):
                raise
            _seed(database, now)


def _pg_copy_statement(url: str) -> str:
    """One DO block that writes back every row now in the database (and moves the sequences as
    far), refusing with an exception if the database is not empty when it runs."""
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    with _pg_engine(url).begin() as conn:
        inserts = []
        for name in tables:
            rows = conn.exec_driver_sql(
                f'SELECT json_agg(row_to_json(t))::text FROM "{name}" t'  # noqa: S608
            ).scalar()
            if rows is not None:
                literal = conn.exec_driver_sql("SELECT quote_literal(%s)", (rows,)).scalar_one()
                written = f'json_populate_recordset(NULL::"{name}", {literal})'
                inserts.append(f'INSERT INTO "{name}" SELECT * FROM {written};')  # noqa: S608
        sequences = conn.exec_driver_sql(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = 'public' AND last_value IS NOT NULL"
        ).all()
    tables_used = [f'EXISTS (SELECT 1 FROM "{name}")' for name in tables]  # noqa: S608
    sequences_used = (
        "EXISTS (SELECT 1 FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL)"
    )
    setvals = [f"PERFORM setval('{seq}', {value});" for seq, value in sequences]
    return "\n".join(
        [
            "DO $saduak$ BEGIN",
            f"IF {' OR '.join([*tables_used, sequences_used])} THEN",
            "RAISE EXCEPTION 'saduak_test: not as migrated';",
            "END IF;",
            *inserts,
            *setvals,
            "END $saduak$",
        ]
    )


@pytest.fixture(scope="session")
def seeded_copies(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> SeededCopies:
    return SeededCopies(tmp_path_factory.mktemp("seeded"), sqlite_template)


@pytest.fixture
def demo(database: Database, clock: FakeClock, seeded_copies: SeededCopies) -> Demo:
    seeded_copies.seed(database, clock())
    return Demo(office_id=1, passwords=dict(DEMO_PASSWORDS))


@pytest.fixture
async def queue(database: Database, clock: FakeClock) -> AsyncIterator[QueueService]:
    bus = MemoryBus()
    await bus.start()
    yield QueueService(database, bus, clock=clock)
    await bus.stop()


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give an httpx client that talks to it in-process."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://testserver"
        ) as client,
    ):
        client.app = app  # type: ignore[attr-defined]
        yield client


def seeded_sqlite(path: Path, template: Path, now: datetime) -> str:
    """A migrated SQLite file at `path` with the demo office; returns its URL."""
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    with db.write() as session:
        seed_demo(session, now, passwords=DEMO_PASSWORDS, make_hash=cached_hash)
    db.dispose()
    return url


@pytest.fixture
async def app_client(db_url: str, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(create_app(Settings(database_url=db_url, bus_url=""), clock=clock)) as c:
        yield c


async def login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


# ------------------------------------------------------------------ shared factories


async def sign_in(client: httpx.AsyncClient, username: str) -> str:
    """Sign in as the login page does: the client keeps the session cookie. Returns the CSRF."""
    r = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORDS[username]}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


def device_headers(
    database: Database,
    clock: FakeClock,
    kind: DeviceKind,
    name: str | None = None,
    printer: str | None = None,
) -> dict[str, str]:
    """A new paired device of the demo office: its bearer headers."""
    with database.write() as session:
        _, token = add_device(session, 1, kind, name or f"test-{kind.value}", clock(), printer)
    return {"Authorization": f"Bearer {token}"}


async def issue(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    service: str = "birth",
    priority: str | None = None,
) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/tickets", json={"service": service, "priority": priority}, headers=headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json())
