"""Request and response bodies of the public JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from counter.service import ServiceQueue, TicketView

PriorityName = Literal["elderly", "disabled", "pregnant", "monk"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
