"""Domain errors. Each carries a stable code and a message in Thai and in English.

They are plain exceptions; the web layer maps them to HTTP in one place (counter/web.py).
"""

from __future__ import annotations

from typing import ClassVar

from counter.queue.states import Action, TicketStatus
from counter.texts import ACTIONS, STATUSES, say


class DomainError(Exception):
    """A request the queue cannot honour. `code` is stable for API clients."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, th: str, en: str) -> None:
        super().__init__(en)
        self.th = th
        self.en = en

    @property
    def message(self) -> str:
        return f"{self.th} / {self.en}"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, number: str, status: TicketStatus, action: Action) -> None:
        super().__init__(
            *say(
                "illegal_transition",
                ticket=number,
                status=STATUSES[status.value][0],
                action=ACTIONS[action.value][0],
                status_en=status.value,
                action_en=action.value.replace("_", "-"),
            )
        )
        self.number = number
        self.status = status
        self.action = action


class AlreadyTaken(Conflict):
    """Someone else acted on the ticket first (e.g. another counter called it)."""

    code = "already_taken"


class ServiceUnavailable(Conflict):
    """Closed service, outside issuing hours, or the daily cap reached: no ticket."""

    code = "service_unavailable"


class CounterBusy(Conflict):
    code = "counter_busy"


class TooManyRequests(DomainError):
    code = "rate_limited"


class Forbidden(DomainError):
    code = "forbidden"


class InvalidInput(DomainError):
    code = "invalid_input"
