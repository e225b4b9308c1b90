"""Tables of the complaint register. Times are UTC; deadlines are fixed when a complaint arrives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from counter.models import UTCDateTime


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    default: Any = None if nullable else ...
    return Field(
        default=default, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index)
    )


class Complaint(SQLModel, table=True):
    """One complaint. Each step's time is written once, by the step itself (never typed in), so
    the figures (time to acknowledge, to resolve, within the SLA) derive from what happened."""

    __table_args__ = (sa.Index("ix_complaint_office_received", "office_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    # What the complainant looks up at /complaint/{code}: unguessable, unlike the id.
    code: str = Field(max_length=16, unique=True)
    channel: str = Field(max_length=16)
    category: str = Field(max_length=24)
    text: str = Field(max_length=4000)
    # Optional contact, kept only with the complainant's consent (PDPA).
    contact: str | None = Field(default=None, max_length=200)
    consent_at: datetime | None = _utc(nullable=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    service_id: int | None = Field(default=None, foreign_key="service.id")
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    status: str = Field(max_length=16)
    received_at: datetime = _utc()
    # Staff who entered it (counter, phone, letter); none for the public form.
    received_by: int | None = Field(default=None, foreign_key="staff.id")
    # Deadlines from the office's SLA in force when it arrived, counted in business days.
    acknowledge_due_at: datetime = _utc()
    resolve_due_at: datetime = _utc()
    acknowledged_at: datetime | None = _utc(nullable=True)
    started_at: datetime | None = _utc(nullable=True)
    resolved_at: datetime | None = _utc(nullable=True)
    closed_at: datetime | None = _utc(nullable=True)
    referred_at: datetime | None = _utc(nullable=True)
    response: str | None = Field(default=None, max_length=4000)
    root_cause: str | None = Field(default=None, max_length=1000)
    preventive_action: str | None = Field(default=None, max_length=2000)
    referred_to: str | None = Field(default=None, max_length=300)


class ComplaintStep(SQLModel, table=True):
    """Append-only log of who moved a complaint and when."""

    __tablename__ = "complaint_step"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    action: str = Field(max_length=16)
    at: datetime = _utc()
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    note: str | None = Field(default=None, max_length=4000)


class ComplaintSettings(SQLModel, table=True):
    """An office's complaint deadlines; an office without a row has the defaults."""

    __tablename__ = "complaint_settings"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    acknowledge_business_days: int = Field(default=1)
    resolve_business_days: int = Field(default=15)
    # Where the office's deadlines come from (its charter, a provincial letter); shown in reports.
    source: str = Field(default="", max_length=300)
