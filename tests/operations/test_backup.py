"""Backups that are proven: copies taken while tickets are issued restore to the same tickets and
events; a drill is recorded; a database with data is never overwritten by accident."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select
from typer.testing import CliRunner

from counter.db import Database
from counter.settings import get_settings
from operations.backup import BackupError, backup, backups_in, is_empty, restore
from operations.models import BcpDrill
from saduak import migrations
from saduak.cli import app
from tests.procs import (
    Gate,
    Snapshot,
    audit,
    copy_of_database,
    fresh_database,
    seed_office,
    snapshot,
    spawn_worker,
    wait_all,
)

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
runner = CliRunner()


@pytest.fixture(scope="module", params=KINDS)
def migrated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database, once per database kind: never written, only copied (running
    the migrations costs seconds, a copy milliseconds)."""
    directory = tmp_path_factory.mktemp("migrated")
    template = request.getfixturevalue("sqlite_template")
    with fresh_database(request.param, directory, template) as url:
        yield url


@pytest.fixture(scope="module")
def seeded(migrated: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo office, seeded once per database kind (argon2 makes seeding slow)."""
    with copy_of_database(migrated, tmp_path_factory.mktemp("seeded")) as url:
        seed_office(url)
        yield url


@pytest.fixture
def office_db(seeded: str, tmp_path: Path) -> Iterator[str]:
    with copy_of_database(seeded, tmp_path) as url:
        yield url


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("SADUAK_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("SADUAK_DATABASE_URL", url)
    get_settings.cache_clear()


def rows_per_table(url: str) -> dict[str, int]:
    db = Database(url)
    try:
        with db.read() as session:
            return {
                table.name: session.execute(
                    sa.select(sa.func.count()).select_from(table)
                ).scalar_one()
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        db.dispose()


def restored(copy: Path, migrated: str, directory: Path) -> Snapshot:
    """What `copy` holds, restored into an empty migrated database of its kind."""
    directory.mkdir()
    with copy_of_database(migrated, directory) as empty:
        restore(copy, empty)
        return snapshot(empty)


def ticket_rows(snap: Snapshot) -> dict[int, tuple[Any, ...]]:
    return {
        i: (t.number, t.service_id, t.status, t.issued_at, t.token, t.business_day)
        for i, t in snap.tickets.items()
    }


def event_rows(snap: Snapshot) -> dict[int, tuple[Any, ...]]:
    return {
        e.id or 0: (e.seq, e.ticket_id, e.kind, e.at, e.service_id, e.transaction_no)
        for e in snap.events
    }


# Tickets each of the two issuers writes. Issuing them outlasts several backups of either kind (a
# pg_dump takes a few tenths of a second, a SQLite copy tens of milliseconds), so copies land in
# the middle of issuing, which the test asserts rather than assumes; more tickets only give more
# copies of the same kind of moment.
PER_ISSUER = 60
ISSUED = 2 * PER_ISSUER


@pytest.mark.slow
def test_backups_taken_while_tickets_are_issued_restore_to_the_same_tickets_and_events(
    migrated: str, office_db: str, tmp_path: Path
) -> None:
    gate = Gate(tmp_path / "gate")
    common = ["--db", office_db, "--gate", str(gate.directory), "--count", str(PER_ISSUER)]
    issuers = [
        spawn_worker(f"issuer{i}", "issue", [*common, "--offset", str(i * 3)], tmp_path)
        for i in range(2)
    ]
    copies: list[Path] = []
    try:
        gate.open_when_ready(issuers)
        deadline = time.monotonic() + 120
        while any(w.process.poll() is None for w in issuers) and time.monotonic() < deadline:
            copies.append(backup(office_db, tmp_path / "backups", keep=1000))
            time.sleep(0.05)
        wait_all(issuers, deadline)
    finally:
        for worker in issuers:
            worker.kill()
    source = snapshot(office_db)
    assert len(source.tickets) == ISSUED
    final = backup(office_db, tmp_path / "backups", keep=1000)

    restored_counts = []
    # Restoring is the slow part: four copies, from the middles of four spans of the run (the
    # very first copy is taken as issuing starts and holds next to nothing), then the final one.
    step = max(1, len(copies) // 4)
    sample = copies[step // 2 :: step][:4]
    for index, copy in enumerate([*sample, final]):
        got = restored(copy, migrated, tmp_path / f"restored-{index}")
        # Each copy is one moment of the log: numbering, sequence and histories all whole ...
        assert audit(got) == [], copy.name
        # ... and every row in it is the source's row.
        theirs = ticket_rows(source)
        assert {i: theirs[i] for i in ticket_rows(got)} == ticket_rows(got)
        events = event_rows(source)
        assert {i: events[i] for i in event_rows(got)} == event_rows(got)
        restored_counts.append(len(got.tickets))
    # The final copy (the last restored) holds every ticket and event, as the source does.
    assert restored_counts[-1] == ISSUED
    assert ticket_rows(got) == ticket_rows(source)
    assert event_rows(got) == event_rows(source)
    # At least one copy was taken mid-issue, so the consistency above was really tested.
    assert any(0 < n < ISSUED for n in restored_counts[:-1]), restored_counts


def test_backup_prints_the_path_and_keeps_the_newest(
    office_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_env: None
) -> None:
    use_database(monkeypatch, office_db)
    paths = []
    for _ in range(3):
        result = runner.invoke(app, ["backup", "--to", str(tmp_path / "b"), "--keep", "2"])
        assert result.exit_code == 0, result.output
        paths.append(Path(result.output.strip()))
        assert paths[-1].is_file()
    assert backups_in(tmp_path / "b") == paths[1:]
    assert oct(paths[-1].stat().st_mode)[-3:] == "600"


def test_verify_restores_into_a_scratch_database_and_records_the_drill(
    office_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_env: None
) -> None:
    use_database(monkeypatch, office_db)
    copy = backup(office_db, tmp_path / "b", keep=5)
    source_counts = rows_per_table(office_db)
    result = runner.invoke(app, ["backup", "verify", str(copy)])
    assert result.exit_code == 0, result.output
    assert "passed" in result.output

    broken = copy.with_name("saduak-20260101-000000-000000" + copy.suffix)
    broken.write_bytes(copy.read_bytes()[:4096])
    result = runner.invoke(app, ["backup", "verify", str(broken)])
    assert result.exit_code == 2
    assert "FAILED" in result.output

    db = Database(office_db)
    try:
        with db.read() as session:
            drills = list(session.exec(select(BcpDrill).order_by(BcpDrill.id)))  # type: ignore[arg-type]
    finally:
        db.dispose()
    assert [d.ok for d in drills] == [True, False]
    counts = drills[0].detail["counts"]  # type: ignore[index]
    assert counts == source_counts
    assert drills[0].backup_file == str(copy.resolve())
    assert drills[1].detail["problems"]  # type: ignore[index]


def test_restore_refuses_a_database_with_data_unless_forced(
    office_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_env: None
) -> None:
    copy = backup(office_db, tmp_path / "b", keep=5)
    use_database(monkeypatch, office_db)
    assert not is_empty(office_db)
    result = runner.invoke(app, ["restore", str(copy)])
    assert result.exit_code == 2
    assert "not empty" in result.output
    result = runner.invoke(app, ["restore", "--force", str(copy)])
    assert result.exit_code == 0, result.output
    assert len(snapshot(office_db).tickets) == 0


def test_restore_refuses_a_backup_of_the_other_kind(office_db: str, tmp_path: Path) -> None:
    other = tmp_path / ("x.dump" if office_db.startswith("sqlite") else "x.db")
    other.write_bytes(b"not a backup")
    with pytest.raises(BackupError, match="backup; the database at hand is"):
        restore(other, office_db)


def test_migrate_backs_up_a_database_with_data_before_upgrading(
    office_db: str, monkeypatch: pytest.MonkeyPatch, cli_env: None
) -> None:
    use_database(monkeypatch, office_db)
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0 and "backup" not in result.output  # nothing to upgrade
    migrations.downgrade(office_db, "-1")
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "backup before the upgrade" in result.output
    made = backups_in(get_settings().var_dir / "backups")
    assert len(made) == 1
    assert not migrations.pending(office_db)
    engine = sa.create_engine(office_db.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM office").scalar_one() == 1
    engine.dispose()
