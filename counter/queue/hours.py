"""When an office issues tickets: opening hours, issuing cut-off, Saturdays and holidays."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class OfficeHours:
    opens: time = time(8, 30)
    closes: time = time(16, 30)
    saturday: bool = False
    # Off: issuing pauses over lunch (GECC counts lunch-hour service as service outside hours).
    lunch_service: bool = True
    lunch_starts: time = time(12, 0)
    lunch_ends: time = time(13, 0)
    # Off: the office issues at any hour (a demo, or a 24-hour service point).
    enforced: bool = True


def issuing_refusal(
    hours: OfficeHours,
    local_now: datetime,
    *,
    cutoff: time | None = None,
    holidays: Container[date] = (),
) -> tuple[str, str] | None:
    """None when a ticket may be issued now; otherwise the reason in Thai and English."""
    if not hours.enforced:
        return None
    day = local_now.date()
    if day in holidays:
        return ("วันนี้เป็นวันหยุดราชการ ไม่เปิดให้บริการ", "the office is closed for a public holiday")
    weekday = day.weekday()
    if weekday == 6 or (weekday == 5 and not hours.saturday):
        return ("วันนี้ไม่เปิดให้บริการ", "the office is closed today")
    now = local_now.time()
    last = min(cutoff, hours.closes) if cutoff else hours.closes
    if now < hours.opens:
        opens = hours.opens.strftime("%H.%M")
        return (f"ยังไม่เปิดรับบัตรคิว เปิดเวลา {opens} น.", f"ticket issuing opens at {opens}")
    if not hours.lunch_service and hours.lunch_starts <= now < hours.lunch_ends:
        back = hours.lunch_ends.strftime("%H.%M")
        return (
            f"พักกลางวัน เปิดรับบัตรคิวอีกครั้งเวลา {back} น.",
            f"lunch break; ticket issuing resumes at {back}",
        )
    if now >= last:
        shut = last.strftime("%H.%M")
        return (f"ปิดรับบัตรคิวแล้ว (ปิดเวลา {shut} น.)", f"ticket issuing closed at {shut}")
    return None
