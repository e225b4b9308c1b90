"""The display feed's wire format: queue events from the bus turned into screen messages.

Every message is a JSON object with `type`, `seq` and `office`.

- On an event message (`called`, `ticket`, `counter`, `event`) `seq` is the office's event
  sequence number, which the queue hands out without gaps. A screen applies `seq == last + 1`,
  ignores `seq <= last` (already in its snapshot) and asks for a snapshot on a jump.
- On a state message (`snapshot`, `queue`, `heartbeat`) `seq` is the last event sequence the
  state reflects / the server has sent this screen; a screen behind it asks for a snapshot.

The server never skips an event for a connected screen: when it cannot deliver a run without a
gap (bus reconnect, dropped messages, unpublished rollover events) it sends a fresh snapshot.
"""

from __future__ import annotations

import logging
from typing import Any

from displays.voice import VoiceOptions, announcement

log = logging.getLogger(__name__)

PROTOCOL = 1

# Ticket events that put a number on the screens and in the speakers. `unheld` is a held ticket
# called back to its counter, so it is announced too.
CALL_KINDS = ("called", "recalled", "unheld")

# WebSocket close codes a screen acts on (4000–4999 are application codes).
CLOSE_BAD_TOKEN = 4401  # unknown, revoked or missing token: the page shows pairing instructions
CLOSE_NOT_DISPLAY = 4403  # a kiosk or staff token: same, with its own message
CLOSE_OFFICE_GONE = 4404
CLOSE_SILENT = 4408  # no hello, or heartbeats no longer acknowledged
CLOSE_GOING_AWAY = 1001  # server shutting down: reconnect


def call_fields(number: str, counter: int, voice: VoiceOptions) -> dict[str, Any]:
    """The announcement part of a call; a number the voice cannot read is still shown."""
    try:
        return announcement(number, counter, voice)
    except ValueError:
        log.warning("cannot build an announcement for %r at counter %r", number, counter)
        return {"clips": ["chime"], "text": f"{number} {counter}", "text_en": None, "repeat": 1}


def asks_for_resync(event: dict[str, Any]) -> bool:
    """Office-level changes (name, message line, counters) come as `office.*` events, with or
    without a seq: every screen of the office then gets a fresh snapshot."""
    return str(event.get("type", "")).startswith("office.") or event.get("type") == (
        "queue.rolled_over"
    )


def display_message(event: dict[str, Any], voice: VoiceOptions) -> dict[str, Any] | None:
    """The screen message for one bus event, or None for one without an integer `seq`."""
    seq = event.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        return None
    kind_full = str(event.get("type", ""))
    family, _, kind = kind_full.partition(".")
    base: dict[str, Any] = {"seq": seq, "office": event.get("office"), "at": event.get("at")}
    if family == "ticket" and kind in CALL_KINDS and isinstance(event.get("counter"), int):
        number = str(event.get("number", ""))
        counter = int(event["counter"])
        return {
            "type": "called",
            **base,
            "ticket_id": event.get("ticket_id"),
            "number": number,
            "counter": counter,
            "service_id": event.get("service_id"),
            "recall": kind != "called",
            "recall_count": event.get("recall_count", 0),
            # A booked ticket (a checked-in booking): the screens mark it.
            "booked": bool(event.get("booked")),
            **call_fields(number, counter, voice),
        }
    if family == "ticket":
        return {
            "type": "ticket",
            **base,
            "kind": kind,
            "ticket_id": event.get("ticket_id"),
            "number": event.get("number"),
            "counter": event.get("counter"),
            "service_id": event.get("service_id"),
            "status": event.get("status"),
        }
    if family == "counter":
        return {
            "type": "counter",
            **base,
            "kind": kind,
            "counter": event.get("counter"),
            "reason": event.get("reason"),
        }
    # Anything else still carries a sequence number the screen must see to stay gap-free.
    return {"type": "event", **base, "kind": kind_full}


def changes_waiting(message: dict[str, Any]) -> bool:
    """Whether the waiting counts may have changed after this message."""
    return message["type"] in ("called", "ticket", "event")
