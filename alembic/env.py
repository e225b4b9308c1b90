"""Alembic environment: the URL comes from the caller (saduak.migrations) or SADUAK_DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

import sqlalchemy as sa
from sqlmodel import SQLModel

# Every package's tables, registered on the one metadata.
import admin.models  # noqa: F401
import bookings.models  # noqa: F401
import complaints.models  # noqa: F401
import counter.models
import counter.outbox
import counter.pairing  # noqa: F401
import line.models  # noqa: F401
import operations.models  # noqa: F401
import reports.models  # noqa: F401
from alembic import context
from counter.db import normalise_url
from counter.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return normalise_url(config.get_main_option("sqlalchemy.url") or get_settings().database_url)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = sa.create_engine(_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
