"""Request bodies of the operations API."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import Field

from counter.schemas import Strict


def as_utc(value: datetime, tz: str) -> datetime:
    """A time of these bodies: naive means the office's local time (what a form sends)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


class IncidentIn(Strict):
    kind: str = Field(max_length=24)
    # ISO times; without a zone they are the office's local time (what a form sends).
    started_at: datetime
    ended_at: datetime | None = None
    summary: str = Field(default="", max_length=500)
    impact: str = Field(default="", max_length=1000)
    action: str = Field(default="", max_length=1000)


class IncidentUpdate(Strict):
    ended_at: datetime | None = None
    impact: str | None = Field(default=None, max_length=1000)
    action: str | None = Field(default=None, max_length=1000)


class PaperTicketIn(Strict):
    number: str = Field(min_length=1, max_length=16)
    service: str = Field(max_length=64)
    # Approximate times; without a zone they are the office's local time.
    issued_at: datetime
    served_at: datetime | None = None
    counter: int | None = Field(default=None, ge=1, le=999)


class PaperTicketsIn(Strict):
    tickets: list[PaperTicketIn] = Field(min_length=1, max_length=500)
