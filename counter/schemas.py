"""Request and response bodies of the public JSON API."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from counter.service import ServiceQueue, TicketView

PriorityName = Literal["elderly", "disabled", "pregnant", "monk"]


# C0 controls but tab, line feed and carriage return; DEL; C1 controls; lone surrogates. PostgreSQL
# refuses NUL in text (the query fails), a lone surrogate cannot be encoded for either database, and
# none of them belongs in a name, a reason or a comment.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refuse_control_characters(value: Any) -> Any:
    """Raise ValueError if a text (or any text inside a list or dict, keys too) holds a control
    character; return the value unchanged otherwise."""
    if isinstance(value, str):
        found = CONTROL_CHARACTERS.search(value)
        if found:
            raise ValueError(f"control character U+{ord(found.group()):04X} is not allowed in text")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(key)
            refuse_control_characters(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_control_characters(item)
    return value


# The same check for a text that is not a field of a request body (a form field).
PlainText = Annotated[str, AfterValidator(refuse_control_characters)]


class Strict(BaseModel):
    """The base of every request body: unknown fields and control characters in any text are
    refused at validation (422), before any database sees them."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return refuse_control_characters(value)


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    token: str
    # Pages that rely on the session cookie send this in X-CSRF-Token with every change.
    csrf_token: str
    role: str
    username: str
    office: int
    expires_in: int
    # Where this role starts: admins on /admin, managers on /supervisor, staff on /counter.
    home: str


class IssueIn(Strict):
    service: str = Field(
        min_length=1, max_length=64, description="service code, e.g. id_card_renewal"
    )
    priority: PriorityName | None = None


class TransferIn(Strict):
    service: str = Field(min_length=1, max_length=64)


class CallIn(Strict):
    counter: int = Field(ge=1, le=9999)
    reason: str = Field(min_length=1, max_length=300)


class PauseIn(Strict):
    reason: Literal["break", "lunch", "meeting", "system", "other"]


class TicketOut(BaseModel):
    id: int
    number: str
    service: str
    service_name_th: str
    service_name_en: str
    status: str
    priority: str | None
    issued_at: datetime
    waiting_ahead: int
    estimated_wait_minutes: int
    estimated_wait_range: tuple[int, int]
    status_url: str
    counter: int | None
    recall_count: int
    transaction_no: int
    print_status: str
    business_day: date
    # A booked ticket (a checked-in booking): the start of its slot; null for a walk-in.
    booked_for: datetime | None = None

    @classmethod
    def of(cls, view: TicketView) -> TicketOut:
        return cls.model_validate(view, from_attributes=True)


class ServiceQueueOut(BaseModel):
    service: str
    name_th: str
    name_en: str
    prefix: str
    active: bool
    waiting: int
    oldest_wait_seconds: int | None
    waiting_ahead: int
    estimated_wait_minutes: int
    estimated_wait_range: tuple[int, int]
    wait_target_minutes: int

    @classmethod
    def of(cls, q: ServiceQueue) -> ServiceQueueOut:
        return cls.model_validate(q, from_attributes=True)


class QueueOut(BaseModel):
    office: int
    waiting: int
    services: list[ServiceQueueOut]


class DeviceOut(BaseModel):
    id: int
    kind: str
    name: str
    printer: str | None
    created_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
