"""Ticket states and the one table of legal transitions between them."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    # Closed by the day rollover: left open when the business day ended.
    UNSERVED = "unserved"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    REACTIVATE = "reactivate"
    CANCEL = "cancel"
    TRANSFER = "transfer"
    HOLD = "hold"
    # Call a held ticket back to the counter that holds it.
    UNHOLD = "unhold"
    # Put a held ticket back into the waiting line.
    RELEASE = "release"
    CLOSE_UNSERVED = "close_unserved"


class Priority(StrEnum):
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    MONK = "monk"


S = TicketStatus
A = Action

# (state, action) -> next state. Anything absent is illegal.
TRANSITIONS: dict[tuple[TicketStatus, Action], TicketStatus] = {
    (S.WAITING, A.CALL): S.CALLED,
    (S.CALLED, A.RECALL): S.CALLED,
    (S.CALLED, A.START): S.SERVING,
    (S.SERVING, A.FINISH): S.DONE,
    (S.CALLED, A.NO_SHOW): S.NO_SHOW,
    (S.NO_SHOW, A.REACTIVATE): S.WAITING,
    (S.WAITING, A.CANCEL): S.CANCELLED,
    (S.SERVING, A.TRANSFER): S.WAITING,
    (S.CALLED, A.HOLD): S.HELD,
    (S.SERVING, A.HOLD): S.HELD,
    (S.HELD, A.UNHOLD): S.CALLED,
    (S.HELD, A.RELEASE): S.WAITING,
    (S.WAITING, A.CLOSE_UNSERVED): S.UNSERVED,
    (S.CALLED, A.CLOSE_UNSERVED): S.UNSERVED,
    (S.SERVING, A.CLOSE_UNSERVED): S.UNSERVED,
    (S.HELD, A.CLOSE_UNSERVED): S.UNSERVED,
}

# States a ticket can still leave during its business day.
OPEN_STATES: frozenset[TicketStatus] = frozenset({S.WAITING, S.CALLED, S.SERVING, S.HELD})

# What the day rollover may close as unserved. A ticket whose service has begun is not closed: a
# day end never erases service; staff finish it after midnight and it counts on the day it
# started. That is a ticket in service, or one held after its service started (a pause in the
# middle of it: the repository tells by the transaction's `started` event); a ticket held before
# it was started has no service to keep and is closed.
ROLLOVER_CLOSES: frozenset[TicketStatus] = OPEN_STATES - {S.SERVING}
# The states in which a ticket's service may have begun.
SERVICE_BEGUN_STATES: frozenset[TicketStatus] = frozenset({S.SERVING, S.HELD})

# Where a ticket is "at a counter": the counter that acted last still owns it.
AT_COUNTER_STATES: frozenset[TicketStatus] = frozenset({S.CALLED, S.SERVING, S.HELD})


def advance(number: str, status: TicketStatus, action: Action) -> TicketStatus:
    """The state after `action`, or IllegalTransition naming ticket, state and action."""
    from counter.queue.errors import IllegalTransition

    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(number, status, action) from None
