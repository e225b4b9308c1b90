"""Bodies and answers of the complaint API."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from complaints.models import Complaint
from complaints.text import CATEGORY, CHANNEL, STATUS
from complaints.workflow import Status, allowed_steps
from counter.schemas import Strict


class ComplaintIn(Strict):
    office: str | None = Field(default=None, max_length=32)
    channel: str = Field(default="web", max_length=16)
    category: str = Field(max_length=24)
    text: str = Field(min_length=1, max_length=4000)
    contact: str | None = Field(default=None, max_length=200)
    # Required with a contact: the complainant agrees to its use for the reply (PDPA).
    consent: bool = False
    # The status-page token of the ticket the complaint is about.
    ticket: str | None = Field(default=None, max_length=64)


class StepIn(Strict):
    response: str = Field(default="", max_length=4000)
    root_cause: str = Field(default="", max_length=1000)
    preventive_action: str = Field(default="", max_length=2000)
    referred_to: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=4000)


class SettingsIn(Strict):
    acknowledge_business_days: int = Field(ge=0, le=90)
    resolve_business_days: int = Field(ge=0, le=90)
    source: str = Field(default="", max_length=300)


class SettingsOut(Strict):
    acknowledge_business_days: int
    resolve_business_days: int
    source: str


class Created(Strict):
    id: int
    code: str
    status: str
    status_url: str
    acknowledge_due_at: datetime
    resolve_due_at: datetime


class ComplaintOut(Strict):
    id: int
    code: str
    channel: str
    channel_th: str
    category: str
    category_th: str
    text: str
    # Shown to the office head only (PDPA); null for others and for anonymous complaints.
    contact: str | None
    status: str
    status_th: str
    status_en: str
    steps: list[str]
    overdue: str | None
    ticket_id: int | None
    service_id: int | None
    counter_id: int | None
    received_at: datetime
    acknowledge_due_at: datetime
    resolve_due_at: datetime
    acknowledged_at: datetime | None
    started_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    referred_at: datetime | None
    response: str | None
    root_cause: str | None
    preventive_action: str | None
    referred_to: str | None

    @classmethod
    def of(cls, c: Complaint, *, overdue: str | None, show_contact: bool) -> ComplaintOut:
        assert c.id is not None
        status = Status(c.status)
        return cls(
            id=c.id,
            code=c.code,
            channel=c.channel,
            channel_th=CHANNEL[c.channel][0],
            category=c.category,
            category_th=CATEGORY[c.category][0],
            text=c.text,
            contact=c.contact if show_contact else None,
            status=status.value,
            status_th=STATUS[status][0],
            status_en=STATUS[status][1],
            steps=[s.value for s in allowed_steps(status)],
            overdue=overdue,
            ticket_id=c.ticket_id,
            service_id=c.service_id,
            counter_id=c.counter_id,
            received_at=c.received_at,
            acknowledge_due_at=c.acknowledge_due_at,
            resolve_due_at=c.resolve_due_at,
            acknowledged_at=c.acknowledged_at,
            started_at=c.started_at,
            resolved_at=c.resolved_at,
            closed_at=c.closed_at,
            referred_at=c.referred_at,
            response=c.response,
            root_cause=c.root_cause,
            preventive_action=c.preventive_action,
            referred_to=c.referred_to,
        )
