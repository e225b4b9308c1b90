"""Request bodies of the operations API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=24)
    # ISO times; without a zone they are the office's local time (what a form sends).
    started_at: datetime
    ended_at: datetime | None = None
    summary: str = Field(default="", max_length=500)
    impact: str = Field(default="", max_length=1000)
    action: str = Field(default="", max_length=1000)


class IncidentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ended_at: datetime | None = None
    impact: str | None = Field(default=None, max_length=1000)
    action: str | None = Field(default=None, max_length=1000)
