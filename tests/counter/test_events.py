"""Office events: frozen records whose messages are the JSON every page reads, and back."""

from __future__ import annotations

import dataclasses

import pytest

from counter.queue.events import (
    CounterChanged,
    Event,
    OfficeUpdated,
    PrinterStateChanged,
    QueueRolledOver,
    TicketChanged,
    parse_event,
)

AT = "2026-11-27T03:00:00+00:00"

EXAMPLES: list[tuple[Event, dict[str, object]]] = [
    (
        TicketChanged("called", 1, 7, AT, 12, "B015", 3, "called", None, 2, 0),
        {
            "type": "ticket.called",
            "office": 1,
            "seq": 7,
            "at": AT,
            "ticket_id": 12,
            "number": "B015",
            "service_id": 3,
            "status": "called",
            "priority": None,
            "counter": 2,
            "recall_count": 0,
            "booked": False,
        },
    ),
    (
        CounterChanged("paused", 1, 8, AT, 2, 5, "pause_lunch"),
        {
            "type": "counter.paused",
            "office": 1,
            "seq": 8,
            "at": AT,
            "counter": 2,
            "staff_id": 5,
            "reason": "pause_lunch",
        },
    ),
    (
        QueueRolledOver(1, 30, AT, 4),
        {"type": "queue.rolled_over", "office": 1, "seq": 30, "at": AT, "closed": 4},
    ),
    (
        OfficeUpdated(1, 31, AT, ["counters"]),
        {
            "type": "office.updated",
            "office": 1,
            "seq": 31,
            "at": AT,
            "what": ["counters"],
        },
    ),
    (
        PrinterStateChanged("paper_out", 1, AT, 4, "kiosk 1", "paper_out", "ok", "no paper"),
        {
            "type": "printer.paper_out",
            "office": 1,
            "at": AT,
            "device_id": 4,
            "device": "kiosk 1",
            "state": "paper_out",
            "previous": "ok",
            "detail": "no paper",
        },
    ),
]


@pytest.mark.parametrize(("event", "wire"), EXAMPLES, ids=[w["type"] for _, w in EXAMPLES])
def test_an_event_is_the_message_pages_read_and_reads_back_the_same(
    event: Event, wire: dict[str, object]
) -> None:
    message = event.message()
    assert message == wire
    assert list(message) == list(wire)  # the same key order as the JSON pages have always read
    assert parse_event(message) == event


def test_events_cannot_change_once_made() -> None:
    event = EXAMPLES[0][0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.seq = 8  # type: ignore[misc]


def test_unknown_or_malformed_messages_are_not_events() -> None:
    assert parse_event({"type": "weather.changed"}) is None
    assert parse_event({"type": "ticket.called", "office": 1}) is None
