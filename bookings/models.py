"""Tables of advance booking. Times are UTC; a slot's day and time are the office's local ones."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from counter.models import UTCDateTime


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    default: Any = None if nullable else ...
    return Field(
        default=default, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index)
    )


class Booking(SQLModel, table=True):
    """One booked visit: a service at a slot. Checked in, it points at its ticket; cancelled, it
    keeps its row (the reports count cancels and no-shows)."""

    __table_args__ = (
        sa.UniqueConstraint("office_id", "code"),
        sa.Index("ix_booking_office_day", "office_id", "day", "service_id"),
        sa.Index("ix_booking_phone_day", "office_id", "phone", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    service_id: int = Field(foreign_key="service.id")
    # What the citizen types at the kiosk or shows as a QR: digits for our own bookings, the
    # other system's reference for an imported one.
    code: str = Field(max_length=32)
    # The slot: its local business day and the UTC instant it starts.
    day: date
    slot_start: datetime = _utc()
    slot_minutes: int
    # Personal data kept for the visit only, with the citizen's consent (PDPA): no national ID.
    name: str = Field(max_length=200)
    phone: str = Field(max_length=20)
    consent_at: datetime | None = _utc(nullable=True)
    # web (the public page), staff (booked for a caller), import (another system's list).
    source: str = Field(max_length=16)
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    moved_at: datetime | None = _utc(nullable=True)
    cancelled_at: datetime | None = _utc(nullable=True)
    checked_in_at: datetime | None = _utc(nullable=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)


class BookableService(SQLModel, table=True):
    """How one service is booked; a service without a row is bookable with the defaults."""

    __tablename__ = "booking_service"

    service_id: int = Field(foreign_key="service.id", primary_key=True)
    enabled: bool = Field(default=True)
    # Slot length; the office's hours are cut into slots of this many minutes.
    slot_minutes: int = Field(default=30)
    # Bookings per slot; None: derived from the counters serving it and the standard time.
    capacity: int | None = Field(default=None)
    # The part of the counters' time offered to bookings when the capacity is derived (%).
    share_pct: int = Field(default=50)
    # How far ahead one may book, and when booking for a day closes (that time the day before).
    window_days: int = Field(default=15)
    cutoff: time = Field(default=time(16, 0))


class BookingSettings(SQLModel, table=True):
    """An office's booking rules; an office without a row has the defaults."""

    __tablename__ = "booking_settings"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    # The check-in window around a slot's start, in minutes.
    check_in_before: int = Field(default=30)
    check_in_after: int = Field(default=15)
    # Bookings one phone number may hold on one day.
    per_phone_per_day: int = Field(default=2)
    # The saved column mapping of imported CSV files: our field -> the file's column heading.
    import_columns: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON()))
