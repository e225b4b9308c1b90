"""Tables of the operations package: server runs, incidents and BCP drills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from counter.models import UTCDateTime


def _utc(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable))


class ServerRun(SQLModel, table=True):
    """One app process's life: a heartbeat while it serves, a clean-stop mark when it ends.

    A run found without its clean-stop mark and with an old heartbeat ended uncleanly (power cut,
    kill, crash); the next start records the gap as an incident."""

    __tablename__ = "server_run"

    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(max_length=120)
    pid: int
    started_at: datetime = _utc()
    beat_at: datetime = _utc()
    stopped_at: datetime | None = _utc(nullable=True)
    # clean: stopped by its own shutdown; unclean: found dead by a later start.
    ended: str | None = Field(default=None, max_length=16)


class Incident(SQLModel, table=True):
    """Something that stopped or degraded service: from the system itself or entered by staff.

    office_id is empty for incidents of the whole server (a restart, the database, the bus)."""

    __table_args__ = (sa.Index("ix_incident_started_at", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    kind: str = Field(max_length=24)
    # system (recorded automatically) or staff.
    source: str = Field(max_length=16)
    started_at: datetime = _utc()
    ended_at: datetime | None = _utc(nullable=True)
    device_id: int | None = Field(default=None, foreign_key="device.id")
    summary: str = Field(default="", max_length=500)
    impact: str = Field(default="", max_length=1000)
    action: str = Field(default="", max_length=1000)
    recorded_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()


class BcpDrill(SQLModel, table=True):
    """A restore drill: a backup restored into a scratch database and checked."""

    __tablename__ = "bcp_drill"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc()
    backup_file: str = Field(max_length=500)
    backup_taken_at: datetime | None = _utc(nullable=True)
    ok: bool
    seconds: float
    detail: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))
