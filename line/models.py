"""Tables of the LINE package (registered on the shared metadata for Alembic)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from counter.models import UTCDateTime


def _utc(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable))


class LineAccount(SQLModel, table=True):
    """An office's LINE Official Account. The channel secret and access token are written by the
    admin and read only by the server (to check webhooks, to send): no page or API shows them
    again."""

    __tablename__ = "line_account"

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    channel_secret: str = Field(default="", max_length=64)
    access_token: str = Field(default="", max_length=400)
    # The OA's basic ID ("@123abcde"): the chat link opens it.
    basic_id: str = Field(default="", max_length=32)
    # "อีก N คิวจะถึงคิวของท่าน" is pushed when this many or fewer are ahead.
    near_threshold: int = Field(default=3)
    enabled: bool = Field(default=True)
    updated_at: datetime | None = _utc(nullable=True)
    updated_by: int | None = Field(default=None, foreign_key="staff.id")


class LineLink(SQLModel, table=True):
    """One citizen's request for notices about one ticket: a one-time code until a LINE user
    sends it to the OA, then that user's link until they stop it or the visit ends."""

    __tablename__ = "line_link"
    __table_args__ = (sa.Index("ix_line_link_office_status", "office_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    # A booking's link (bookings package): it follows the booking's ticket once checked in.
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    booking_code: str | None = Field(default=None, max_length=40)
    # The booking day whose day-before reminder was written.
    reminded_for: date | None = Field(default=None)
    # The one-time code the chat is prefilled with; usable until it is linked or expires.
    code: str = Field(max_length=16, unique=True)
    code_expires_at: datetime = _utc()
    # pending (code issued) -> linked (a LINE user sent it) -> stopped (the citizen stopped
    # notices) | closed (the visit ended and its last notice was written).
    status: str = Field(default="pending", max_length=12)
    line_user_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = _utc()
    linked_at: datetime | None = _utc(nullable=True)
    stopped_at: datetime | None = _utc(nullable=True)
    # The last office event seq whose notices were written for this link.
    cursor_seq: int = Field(default=0)
    # The ticket transaction whose "N ahead" notice was written (one per transaction).
    near_transaction: int = Field(default=0)
