"""The SQLite database (and its -wal and -shm files) and the secrets under var/ are readable by
their owner only, whatever the umask, from the first moment they exist."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter.db import Database
from saduak import migrations
from tests.prefork import run_to_end


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    # The usual default: new files readable by everyone unless the program says otherwise.
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def database_files(db: Path) -> list[Path]:
    return [db, Path(f"{db}-wal"), Path(f"{db}-shm")]


def test_a_new_database_and_its_wal_and_shm_files_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "saduak.db"
    migrations.upgrade(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    with db.write() as session:
        session.connection().exec_driver_sql("CREATE TABLE probe (x INTEGER)")
    with db.read() as session:
        session.connection().exec_driver_sql("SELECT count(*) FROM probe")
        # While a connection is open the -wal and -shm files exist.
        for file in database_files(path):
            assert file.exists(), file
            assert mode(file) == 0o600, (file, oct(mode(file)))
    db.dispose()
    assert mode(path.parent) == 0o700


def test_an_existing_world_readable_database_is_tightened_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "saduak.db"
    migrations.upgrade(f"sqlite:///{path}")
    # An installation from before: files left readable by everyone, -wal and -shm open.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("CREATE TABLE probe (x INTEGER)")
    for file in database_files(path):
        file.chmod(0o644)
    db = Database(f"sqlite:///{path}")
    for file in database_files(path):
        assert mode(file) == 0o600, (file, oct(mode(file)))
    db.dispose()
    other.close()


def test_saduak_migrate_on_a_fresh_checkout_makes_an_owner_only_var_folder(
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"
    env = {**os.environ, "SADUAK_VAR_DIR": str(var), "SADUAK_DATABASE_URL": ""}
    code, output = run_to_end([sys.executable, "-m", "saduak.cli", "migrate"], env=env)
    assert code == 0, output
    assert mode(var) == 0o700
    assert mode(var / "saduak.db") == 0o600
    leaked = [p for p in var.iterdir() if mode(p) & 0o077]
    assert not leaked, [(p.name, oct(mode(p))) for p in leaked]
