"""Migrations: upgrade, compare with the models, downgrade and upgrade again, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from counter.db import normalise_url
from saduak import migrations
from tests.conftest import create_pg_database, drop_pg_database, pg_url


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(normalise_url(url))
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _round_trip(url: str) -> None:
    migrations.upgrade(url)
    migrations.check(url)  # raises when a model change has no migration
    assert {"office", "service", "counter", "ticket", "ticket_event", "counter_event"} <= _tables(
        url
    )
    migrations.downgrade(url, "base")
    assert _tables(url) == set()
    migrations.upgrade(url)
    migrations.check(url)


@pytest.mark.slow
def test_round_trip_on_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
@pytest.mark.slow
def test_round_trip_on_postgresql() -> None:
    name = create_pg_database("saduak_migrate")
    try:
        _round_trip(pg_url(name))
    finally:
        drop_pg_database(name)


def test_migration_files_have_dated_names() -> None:
    versions = Path(__file__).parent.parent / "alembic" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    assert all(n[:8].isdigit() and n[8] == "_" for n in names), names
