"""What every part of the queue's use cases shares: the event kinds, the pause reasons, row ids
and the errors for a missing or taken ticket."""

from __future__ import annotations

import logging
from typing import TypeVar

from sqlmodel import Session

from counter import texts
from counter.models import Counter, Office, Service, Ticket
from counter.queue.errors import AlreadyTaken, NotFound
from counter.queue.states import Action
from counter.texts import say

log = logging.getLogger(__name__)

T = TypeVar("T")

PAUSE_REASONS = tuple(texts.PAUSE_REASONS)

# The event kind logged for each action (past tense, as the reports read them).
EVENT_KIND: dict[Action, str] = {
    Action.CALL: "called",
    Action.RECALL: "recalled",
    Action.START: "started",
    Action.FINISH: "finished",
    Action.NO_SHOW: "no_show",
    Action.REACTIVATE: "reactivated",
    Action.CANCEL: "cancelled",
    Action.TRANSFER: "transferred",
    Action.HOLD: "held",
    Action.UNHOLD: "unheld",
    Action.RELEASE: "released",
    Action.CLOSE_UNSERVED: "closed_unserved",
}


def row_id(row: Office | Counter | Service | Ticket) -> int:
    assert row.id is not None
    return row.id


def ticket_not_found(ticket_id: int) -> NotFound:
    return NotFound(*say("no_ticket_id", ticket_id=ticket_id))


def ticket_taken(session: Session, ticket: Ticket) -> AlreadyTaken:
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    where = counter.number if counter else "?"
    return AlreadyTaken(*say("taken", ticket=ticket.number, number=where))
