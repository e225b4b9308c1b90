"""What happened in an office, as published on the bus after the commit: frozen records with
past-tense names. `message()` is the JSON object every subscriber and page reads (its `type` is
"family.kind"); `parse_event` reads one back. Queue events carry the office's gap-free `seq`;
printer alerts stand outside the sequence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class TicketChanged:
    """A ticket was issued, called, recalled, started, held, transferred, finished…"""

    family: ClassVar[str] = "ticket"
    kind: str
    office: int
    seq: int
    at: str
    ticket_id: int
    number: str
    service_id: int
    status: str
    priority: str | None
    counter: int | None
    recall_count: int
    # A booked ticket (a checked-in booking): screens mark it.
    booked: bool = False

    def message(self) -> dict[str, Any]:
        return _message(self)


@dataclass(frozen=True)
class CounterChanged:
    """A counter was opened, paused, resumed or closed, or its services changed."""

    family: ClassVar[str] = "counter"
    kind: str
    office: int
    seq: int
    at: str
    counter: int
    staff_id: int | None
    reason: str | None

    def message(self) -> dict[str, Any]:
        return _message(self)


@dataclass(frozen=True)
class QueueRolledOver:
    """A new business day closed yesterday's open tickets (their own events are not published:
    `seq` is the last close's, so subscribers see a jump and resync)."""

    family: ClassVar[str] = "queue"
    kind: ClassVar[str] = "rolled_over"
    office: int
    seq: int
    at: str
    closed: int

    def message(self) -> dict[str, Any]:
        return _message(self)


@dataclass(frozen=True)
class OfficeUpdated:
    """An administrator changed what the screens show (office, services, counters…)."""

    family: ClassVar[str] = "office"
    kind: ClassVar[str] = "updated"
    office: int
    seq: int
    at: str
    what: list[str]

    def message(self) -> dict[str, Any]:
        return _message(self)


@dataclass(frozen=True)
class PrinterStateChanged:
    """A kiosk's printer changed state (paper out, back to ok…): staff screens show it."""

    family: ClassVar[str] = "printer"
    kind: str
    office: int
    at: str
    device_id: int
    device: str
    state: str
    previous: str | None
    detail: str

    def message(self) -> dict[str, Any]:
        return _message(self)


Event = TicketChanged | CounterChanged | QueueRolledOver | OfficeUpdated | PrinterStateChanged

_FAMILIES: dict[str, type[Event]] = {
    cls.family: cls
    for cls in (TicketChanged, CounterChanged, QueueRolledOver, OfficeUpdated, PrinterStateChanged)
}


def _message(event: Event) -> dict[str, Any]:
    body = asdict(event)
    kind = body.pop("kind", None) or event.kind
    return {"type": f"{event.family}.{kind}", **body}


def parse_event(message: dict[str, Any]) -> Event | None:
    """The event a bus message carries; None for one this version does not know."""
    family, _, kind = str(message.get("type", "")).partition(".")
    cls = _FAMILIES.get(family)
    if cls is None:
        return None
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in message.items() if k in names}
    if "kind" in names:
        values["kind"] = kind
    try:
        return cls(**values)
    except TypeError:
        return None
