"""Domain errors. Each carries a stable code and a message in Thai and in English.

They are plain exceptions; the web layer maps them to HTTP in one place (counter/web.py).
"""

from __future__ import annotations

from typing import ClassVar

from counter.queue.states import Action, TicketStatus

STATUS_TH: dict[TicketStatus, str] = {
    TicketStatus.WAITING: "รอเรียก",
    TicketStatus.CALLED: "ถูกเรียกแล้ว",
    TicketStatus.SERVING: "กำลังรับบริการ",
    TicketStatus.HELD: "พักไว้",
    TicketStatus.DONE: "รับบริการเสร็จแล้ว",
    TicketStatus.NO_SHOW: "ไม่มาตามเรียก",
    TicketStatus.CANCELLED: "ยกเลิกแล้ว",
    TicketStatus.UNSERVED: "ปิดเมื่อสิ้นวัน (ไม่ได้รับบริการ)",
}

ACTION_TH: dict[Action, str] = {
    Action.CALL: "เรียก",
    Action.RECALL: "เรียกซ้ำ",
    Action.START: "เริ่มให้บริการ",
    Action.FINISH: "จบการให้บริการ",
    Action.NO_SHOW: "บันทึกไม่มาตามเรียก",
    Action.REACTIVATE: "นำกลับเข้าคิว",
    Action.CANCEL: "ยกเลิก",
    Action.TRANSFER: "ส่งต่อ",
    Action.HOLD: "พักคิว",
    Action.UNHOLD: "เรียกคิวที่พักไว้",
    Action.RELEASE: "คืนคิวที่พักไว้เข้าแถว",
    Action.CLOSE_UNSERVED: "ปิดเมื่อสิ้นวัน",
}


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
            f"บัตรคิว {number} อยู่ในสถานะ{STATUS_TH[status]} จึง{ACTION_TH[action]}ไม่ได้",
            f"ticket {number} is {status.value}; cannot {action.value.replace('_', '-')}",
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
