"""The complaint workflow as a table, its deadlines in business days, and the tracking code.

Pure: no web, no database, no clock (time is a parameter).
"""

from __future__ import annotations

import secrets
from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from counter.queue.hours import OfficeHours, add_business_days


class Status(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REFERRED = "referred"


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    RESOLVE = "resolve"
    CLOSE = "close"
    REFER = "refer"


class Channel(StrEnum):
    COUNTER = "counter"  # at a counter or the Damrongtham desk, entered by staff
    WEB = "web"  # the public form (web link or poster QR)
    PHONE = "phone"
    LETTER = "letter"
    LINE = "line"
    OTHER = "other"


class Category(StrEnum):
    STAFF_CONDUCT = "staff_conduct"
    DELAY = "delay"
    PROCESS = "process"  # process or documents
    FACILITIES = "facilities"
    MISCONDUCT = "misconduct"  # misconduct or corruption
    OTHER = "other"


# Channels anyone may use without signing in; the others are entered by staff.
PUBLIC_CHANNELS = frozenset({Channel.WEB, Channel.LINE, Channel.OTHER})

# Still waiting for the office to act.
OPEN = frozenset({Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS})

# (from, step) -> to. Resolving or referring also acknowledges a complaint not yet acknowledged:
# a reply or a referral tells the complainant the office has the complaint.
TRANSITIONS: dict[tuple[Status, Step], Status] = {
    (Status.RECEIVED, Step.ACKNOWLEDGE): Status.ACKNOWLEDGED,
    (Status.RECEIVED, Step.START): Status.IN_PROGRESS,
    (Status.ACKNOWLEDGED, Step.START): Status.IN_PROGRESS,
    (Status.RECEIVED, Step.RESOLVE): Status.RESOLVED,
    (Status.ACKNOWLEDGED, Step.RESOLVE): Status.RESOLVED,
    (Status.IN_PROGRESS, Step.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Step.CLOSE): Status.CLOSED,
    (Status.RECEIVED, Step.REFER): Status.REFERRED,
    (Status.ACKNOWLEDGED, Step.REFER): Status.REFERRED,
    (Status.IN_PROGRESS, Step.REFER): Status.REFERRED,
}


class StepNotAllowed(Exception):
    def __init__(self, status: Status, step: Step) -> None:
        super().__init__(f"cannot {step.value} a complaint that is {status.value}")
        self.status = status
        self.step = step


def advance(status: Status, step: Step) -> Status:
    try:
        return TRANSITIONS[(status, step)]
    except KeyError:
        raise StepNotAllowed(status, step) from None


def allowed_steps(status: Status) -> list[Step]:
    return [step for (frm, step) in TRANSITIONS if frm == status]


class Overdue(StrEnum):
    ACKNOWLEDGE = "acknowledge"  # not acknowledged by its acknowledge deadline
    RESOLVE = "resolve"  # not resolved or referred by its resolve deadline


def overdue(
    status: Status,
    acknowledged_at: datetime | None,
    acknowledge_by: datetime,
    resolve_by: datetime,
    now: datetime,
) -> Overdue | None:
    """Which deadline an open complaint has missed, if any (the later one wins)."""
    if status not in OPEN:
        return None
    if resolve_by < now:
        return Overdue.RESOLVE
    if acknowledged_at is None and acknowledge_by < now:
        return Overdue.ACKNOWLEDGE
    return None


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    resolve_by: datetime


def deadlines(
    received_at: datetime,
    tz: str,
    hours: OfficeHours,
    holidays: Container[date],
    acknowledge_days: int,
    resolve_days: int,
) -> Deadlines:
    """The end (local midnight) of the N-th business day after the local day of arrival.

    "Acknowledge within 1 business day" of a complaint received on Friday with Monday a
    holiday gives until the end of Tuesday. The day of arrival itself never counts."""
    zone = ZoneInfo(tz)
    day = received_at.astimezone(zone).date()

    def end_of(n: int) -> datetime:
        last = add_business_days(hours, day, n, holidays)
        return datetime.combine(last + timedelta(days=1), time(0), zone)

    return Deadlines(end_of(acknowledge_days), end_of(resolve_days))


# Crockford's base32 without look-alike letters: easy to read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code() -> str:
    """A tracking code like "R7KQ-3MXD" (about 39 bits: not guessable in practice)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(value: str) -> str:
    """What a person types ("r7kq3mxd", "R7KQ 3MXD") as the stored form."""
    raw = "".join(ch for ch in value.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else value.strip().upper()
