"""Tables owned by the admin package (registered on the shared metadata for Alembic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Office options live with the office in counter.models: displays and reports read them too;
# so do province shares, which the reports' office comparison reads.
from counter.models import OfficeSettings, ProvinceMember, UTCDateTime

# The pairing table lives beside its protocol in counter.pairing (the counter layer cannot import
# admin); importing it here registers it for Alembic, whose env imports the packages' models.
from counter.pairing import PairingRequest

__all__ = ["OfficeSettings", "PairingRequest", "ProvinceMember"]


class AuditEntry(SQLModel, table=True):
    """Who changed what in an office's configuration, and when: the row before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_office_at", "office_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    # Kept as written at the time: the account may be renamed or deactivated later.
    username: str = Field(default="", max_length=64)
    at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    action: str = Field(max_length=48)
    target: str = Field(default="", max_length=120)
    before: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))
    after: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))
