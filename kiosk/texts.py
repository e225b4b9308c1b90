"""Every word the kiosk, the ticket and the status page show, Thai first, English second."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from counter.queue.hours import OfficeHours
from counter.queue.thai import BE_OFFSET, MONTHS_EN, MONTHS_LONG, WEEKDAYS_EN, WEEKDAYS_TH
from counter.texts import CITIZEN_STATUSES, GROUPS, PRIORITIES

# The shared words, defined once in counter/texts.py.
PRIORITY_LABELS: dict[str, tuple[str, str]] = PRIORITIES
# Service groups of the bundled district-office catalogue; an office's own groups show their code.
GROUP_LABELS: dict[str, tuple[str, str]] = GROUPS
STATUS_LABELS: dict[str, tuple[str, str]] = CITIZEN_STATUSES

PRINT_FAILED = ("กรุณาจดหมายเลขคิว", "please note your number")
# On a kiosk that has no printer (the ticket is on screen only), with every ticket.
NO_PRINTER = (
    "ตู้นี้ไม่พิมพ์บัตรคิว กรุณาจดหมายเลขคิว หรือถ่ายรูปหน้าจอนี้",
    "This kiosk prints no ticket: please note your number or take a photo of this screen",
)

# Announced by a screen reader on the status page when the ticket is called ({counter}: its
# counter's number).
CALLED_ANNOUNCE = (
    "ถึงคิวของท่านแล้ว หมายเลข {number} เชิญที่ช่องบริการ {counter}",
    "It is your turn: number {number}, please go to counter {counter}",
)

# The kiosk's closed screen: the reason (counter.queue.hours), when issuing opens again, the hours.
# (The reason under it says ขออภัย and the next step.)
CLOSED_TITLE = ("ขณะนี้ไม่เปิดรับบัตรคิว", "Tickets are not issued now")
# Under the pairing code of a kiosk not paired yet; the code is renewed when it expires.
PAIR_EXPIRES = ("รหัสนี้ใช้ได้อีก", "This code is valid for another")
# A service the kiosk greys out: its reason is the one issuing would give.
UNAVAILABLE = ("รับบัตรคิวไม่ได้ในขณะนี้", "Not available now")


def _clock(at: time) -> str:
    return at.strftime("%H.%M")


def hours_text(hours: OfficeHours) -> tuple[str, str]:
    """The office's issuing hours as a citizen reads them, e.g. "เปิดรับบัตรคิว วันจันทร์–วันศุกร์
    เวลา 08.30–16.30 น." (an office that issues at any hour: "เปิดรับบัตรคิวตลอดเวลา")."""
    if not hours.enforced:
        return "เปิดรับบัตรคิวตลอดเวลา", "Tickets are issued at any time"
    last = 5 if hours.saturday else 4
    th = (
        f"เปิดรับบัตรคิว วัน{WEEKDAYS_TH[0]}–วัน{WEEKDAYS_TH[last]} "
        f"เวลา {_clock(hours.opens)}–{_clock(hours.closes)} น."
    )
    en = (
        f"Tickets are issued {WEEKDAYS_EN[0]}–{WEEKDAYS_EN[last]}, "
        f"{_clock(hours.opens)}–{_clock(hours.closes)}"
    )
    if not hours.lunch_service:
        lunch = f"{_clock(hours.lunch_starts)}–{_clock(hours.lunch_ends)}"
        th += f" (พักกลางวัน {lunch} น.)"
        en += f" (lunch break {lunch})"
    return th, en


def next_opening_text(opening: datetime, local_now: datetime) -> tuple[str, str]:
    """When issuing opens again, both in the office's time zone: "เปิดรับบัตรคิวอีกครั้ง
    วันนี้ เวลา 13.00 น." or "… วันจันทร์ที่ 7 ธันวาคม 2569 เวลา 08.30 น."."""
    at = _clock(opening.time())
    if opening.date() == local_now.date():
        return f"เปิดรับบัตรคิวอีกครั้ง วันนี้ เวลา {at} น.", f"Ticket issuing opens again today at {at}"
    d = opening.date()
    weekday = d.weekday()
    th_day = f"วัน{WEEKDAYS_TH[weekday]}ที่ {d.day} {MONTHS_LONG[d.month - 1]} {d.year + BE_OFFSET}"
    en_day = f"{WEEKDAYS_EN[weekday]} {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return (
        f"เปิดรับบัตรคิวอีกครั้ง {th_day} เวลา {at} น.",
        f"Ticket issuing opens again on {en_day} at {at}",
    )


# Advance booking at the kiosk: the button, the code keypad, and the booked ticket's mark.
BOOKING: dict[str, tuple[str, str]] = {
    "button": ("มีนัดหมาย", "I have a booking"),
    "prompt": ("กรอกรหัสนัดหมาย หรือสแกนคิวอาร์โค้ด", "Enter your booking code or scan its QR code"),
    "ok": ("รับบัตรคิวตามนัด", "Get my ticket"),
    "delete": ("ลบ", "Delete"),
    "close": ("ปิด", "Close"),
    "busy": ("กำลังตรวจสอบนัดหมาย…", "Checking your booking…"),
    "mark": ("บัตรคิวตามนัด", "Booked"),
}


def booked_label(booked_for: datetime | None, tz: str) -> str | None:
    """The booked ticket's mark on the slip and screens: "ตามนัด 10.00 น. / Booked 10.00"."""
    if booked_for is None:
        return None
    at = booked_for.astimezone(ZoneInfo(tz)).strftime("%H.%M")
    return f"ตามนัด {at} น. / Booked {at}"


def wait_text(waiting_ahead: int, wait_range: tuple[int, int]) -> tuple[str, str]:
    """How long a waiting ticket still waits, as people read it: "รอ 3 คิว (ประมาณ 10–20 นาที)".

    "You are next" only when nobody is ahead and a counter is free now; nobody ahead while every
    counter is busy still gives the minutes."""
    low, high = wait_range
    if waiting_ahead == 0 and high == 0:
        return "ท่านเป็นคิวถัดไป", "You are next"
    th = f"ประมาณ {low}–{high} นาที"
    en = f"about {low}–{high} min"
    if waiting_ahead == 0:
        return f"ไม่มีคิวรอก่อนหน้า ({th})", f"Nobody ahead ({en})"
    return f"รอ {waiting_ahead} คิว ({th})", f"{waiting_ahead} ahead ({en})"


def service_wait_text(waiting_ahead: int, wait_range: tuple[int, int]) -> tuple[str, str]:
    """The same for a service on the kiosk's list: what a ticket taken now would be told."""
    if waiting_ahead == 0 and wait_range[1] == 0:
        return "ไม่ต้องรอ", "no wait"
    return wait_text(waiting_ahead, wait_range)


def priority_label(priority: str | None) -> str | None:
    if priority is None:
        return None
    th, en = PRIORITY_LABELS.get(priority, (priority, priority))
    return f"{th} / {en}"


def group_label(group: str) -> tuple[str, str]:
    return GROUP_LABELS.get(group, (group, group))
