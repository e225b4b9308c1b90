"""Every word the kiosk, the ticket and the status page show, Thai first, English second."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from counter.queue.hours import OfficeHours
from counter.queue.thai import BE_OFFSET, MONTHS_EN, MONTHS_LONG, WEEKDAYS_EN, WEEKDAYS_TH
from counter.texts import (
    CITIZEN_STATUSES,
    DAMRONGDHAMA,
    GROUPS,
    PRIORITIES,
    PRIORITY_CHANNEL,
    SERVICE_REPORT,
    SURVEY,
    SURVEY_INVITATION,
    YOUR_NUMBER,
    Pair,
    fill,
)

# The shared words, defined once in counter/texts.py.
PRIORITY_LABELS: dict[str, tuple[str, str]] = PRIORITIES
# Service groups of the bundled district-office catalogue; an office's own groups show their code.
GROUP_LABELS: dict[str, tuple[str, str]] = GROUPS
STATUS_LABELS: dict[str, tuple[str, str]] = CITIZEN_STATUSES

PRINT_FAILED: Pair = ("กรุณาจดหมายเลขคิว", "please note your number")


# Every word of the kiosk page, the status page and their scripts (kiosk.js, status.js read
# them as `words("key", {placeholder: value})`; templates as `t.key`). A placeholder is `{name}`.
TEXT: dict[str, Pair] = {
    # ---- the kiosk
    "kiosk": ("ตู้กดบัตรคิว", "Kiosk"),
    "saduak": ("สะดวก", "Saduak"),
    # Each language's own name: the toggle shows the one not in use.
    "language": ("ภาษาไทย", "English"),
    "choose_service": ("เลือกบริการ", "Choose a service"),
    "tap_service": ("แตะเลือกบริการที่ต้องการ", "Tap the service you need"),
    "priority_channel": PRIORITY_CHANNEL,
    "priority_hint": ("ช่องทางพิเศษ (ถ้ามี) แตะก่อนเลือกบริการ", "Priority ticket? Tap one first"),
    "group_count": (
        "{services} บริการ · รอ {waiting} คิว",
        "{services} services · {waiting} waiting",
    ),
    "back_to_services": ("‹ กลับไปเลือกบริการ", "‹ Back to all services"),
    "about_service": ("ข้อมูลบริการ {name}", "About {name}"),
    # The closed screen: the reason (counter.queue.hours), when issuing opens again, the hours.
    # (The reason under it says ขออภัย and the next step.)
    "closed_title": ("ขณะนี้ไม่เปิดรับบัตรคิว", "Tickets are not issued now"),
    "your_number": YOUR_NUMBER,
    "print_problem": (
        "เครื่องพิมพ์มีปัญหา กรุณาจดหมายเลขคิว หรือถ่ายรูปหน้าจอนี้",
        "The printer has a problem: please note your number or take a photo.",
    ),
    # On a kiosk that has no printer (the ticket is on screen only), with every ticket.
    "no_printer": (
        "ตู้นี้ไม่พิมพ์บัตรคิว กรุณาจดหมายเลขคิว หรือถ่ายรูปหน้าจอนี้",
        "This kiosk prints no ticket: please note your number or take a photo of this screen",
    ),
    "qr_alt": ("QR code: ดูสถานะคิวบนมือถือ", "queue status on your phone"),
    "scan_status": ("สแกนเพื่อดูสถานะคิวบนมือถือ", "Scan to follow your queue on your phone"),
    "done": ("เสร็จสิ้น", "Done"),
    "ok": ("ตกลง", "OK"),
    "close": ("ปิด", "Close"),
    "issuing": ("กำลังออกบัตรคิว…", "Issuing your ticket…"),
    "error": (
        "ขออภัย ระบบขัดข้อง กรุณาติดต่อเจ้าหน้าที่",
        "Sorry, something went wrong; please ask the staff.",
    ),
    "offline": (
        "ระบบขัดข้อง กรุณารับบัตรคิวที่โต๊ะประชาสัมพันธ์",
        "The system is down. Please take a ticket at the information desk.",
    ),
    "reconnecting": ("กำลังเชื่อมต่อใหม่…", "Reconnecting…"),
    # The office's clock in the kiosk's header.
    "clock": ("{day} {month} {year}  {time} น.", "{day} {month} {year}  {time}"),
    # A kiosk not paired yet shows a code; the code is renewed when it expires.
    "not_paired": ("ตู้นี้ยังไม่ได้จับคู่", "This kiosk is not paired yet"),
    "pair_hint": (
        "แจ้งผู้ดูแลระบบให้ยืนยันรหัสนี้ในหน้าผู้ดูแลระบบ (อุปกรณ์ → จับคู่อุปกรณ์)",
        "Ask the administrator to confirm this code in Admin → Devices → Pair.",
    ),
    "pair_expires": ("รหัสนี้ใช้ได้อีก", "This code is valid for another"),
    # Advance booking at the kiosk: the button and the code keypad.
    "booking_button": ("มีนัดหมาย", "I have a booking"),
    "booking_prompt": (
        "กรอกรหัสนัดหมาย หรือสแกนคิวอาร์โค้ด",
        "Enter your booking code or scan its QR code",
    ),
    "booking_ok": ("รับบัตรคิวตามนัด", "Get my ticket"),
    "booking_delete": ("ลบ", "Delete"),
    # ---- a service's citizen manual (the kiosk's ⓘ, the status page)
    "manual_summary": ("ขั้นตอน เอกสาร และค่าธรรมเนียม", "Steps, documents and fee"),
    "processing_time": ("ระยะเวลาให้บริการ", "Processing time"),
    "minutes": ("นาที", "min"),
    "fee": ("ค่าธรรมเนียม", "Fee"),
    "baht": ("บาท", "baht"),
    "no_fee": ("ไม่เสียค่าธรรมเนียม", "free"),
    "steps": ("ขั้นตอน", "Steps"),
    "documents": ("เอกสารที่ต้องใช้", "Documents"),
    "legal_basis": ("อ้างอิง", "Legal basis"),
    "source": ("ที่มา", "Source"),
    # ---- the service standards board (A4, /standards)
    "standards_title": ("มาตรฐานการให้บริการ", "Service standards"),
    "standards_board": ("ป้ายแสดงมาตรฐานระยะเวลาการให้บริการ", "Service standards board"),
    "row_number": ("ที่", "No."),
    "service": SERVICE_REPORT,
    "standard_minutes": ("ระยะเวลา (นาที)", "Minutes"),
    "fee_baht": ("ค่าธรรมเนียม (บาท)", "Fee (baht)"),
    "no_fee_short": ("ไม่เสีย", "free"),
    "related_law": ("กฎหมายที่เกี่ยวข้อง", "Legal basis"),
    "standards_note": (
        "ระยะเวลาเป็นมาตรฐานเวลาให้บริการที่ช่องบริการ นับจากเจ้าหน้าที่เริ่มให้บริการจนแล้วเสร็จ "
        "ไม่รวมเวลารอคิว · ไม่ต้องใช้สำเนาบัตรประจำตัวประชาชนและสำเนาทะเบียนบ้าน "
        "ตามพระราชบัญญัติการอำนวยความสะดวกในการพิจารณาอนุญาตของทางราชการ พ.ศ. 2558",
        "Times are the standard service time at the counter, from the start of service to its "
        "end, not counting the wait. No copies of the ID card or house registration are needed.",
    ),
    "complaints_hotline": (
        f"ข้อร้องเรียน: {DAMRONGDHAMA[0]} สายด่วน 1567",
        f"Complaints: {DAMRONGDHAMA[1]}, hotline 1567",
    ),
    # ---- the status page
    # The browser tab's title, Thai only (the tab is narrow).
    "status_title": ("บัตรคิว {number} · Saduak", "Ticket {number} · Saduak"),
    "called_title": ("เชิญที่ช่องบริการ {counter} · {number}", "Counter {counter} · {number}"),
    "go_to_counter": ("เชิญที่ช่องบริการ", "Please go to counter"),
    # Announced by a screen reader when the ticket is called.
    "called_announce": (
        "ถึงคิวของท่านแล้ว หมายเลข {number} เชิญที่ช่องบริการ {counter}",
        "It is your turn: number {number}, please go to counter {counter}",
    ),
    "ahead": ("คิวก่อนหน้า", "ahead of you"),
    # The zero-width space lets a narrow card break the line after นาที.
    "minutes_about": ("นาที\u200bโดยประมาณ", "minutes (about)"),
    "sound_on": ("เปิดเสียงเตือน", "Turn on sound alert"),
    "survey": SURVEY,
    "thanks": ("ขอบคุณที่ใช้บริการ", "Thank you for visiting"),
    "survey_invitation": SURVEY_INVITATION,
    "survey_take": ("ทำแบบประเมิน", "Take the survey"),
    "survey_answered": (
        "ได้รับแบบประเมินของท่านแล้ว ขอบคุณที่สละเวลา",
        "Thank you for your answers.",
    ),
    "complaint": ("แจ้งข้อร้องเรียน / ร้องทุกข์", "Make a complaint"),
    "live": ("อัปเดตอัตโนมัติ", "updates automatically"),
    "missing_title": ("ไม่พบบัตรคิว", "Ticket not found"),
    "missing": ("ไม่พบบัตรคิวนี้", "This ticket was not found."),
    "missing_next": (
        "กรุณาสแกน QR code บนบัตรคิวอีกครั้ง หรือสอบถามเจ้าหน้าที่",
        "Scan the QR code on your ticket again or ask the staff.",
    ),
}

# Errors of the kiosk's API: (Thai, English) with `{name}` placeholders.
MESSAGES: dict[str, Pair] = {
    "reprint_own": ("ตู้นี้พิมพ์ได้เฉพาะบัตรคิวของตัวเอง", "a kiosk reprints only its own tickets"),
    "print_own": ("ตู้นี้พิมพ์ได้เฉพาะบัตรคิวของตัวเอง", "a kiosk prints only its own tickets"),
    "printed": (
        "บัตรคิว {number} พิมพ์แล้ว หากต้องการพิมพ์ซ้ำจริง ให้ยืนยันอีกครั้ง",
        "ticket {number} was already printed; send force=true to print it again",
    ),
    "not_from_kiosk": (
        "บัตรคิว {number} ไม่ได้ออกจากตู้กดบัตรคิว กรุณาเลือกตู้ที่จะพิมพ์",
        "ticket {number} was not issued at a kiosk; choose a kiosk to print on",
    ),
    "no_printer": ("อุปกรณ์ {device} ไม่มีเครื่องพิมพ์", "device {device} has no printer"),
    "no_office": ("ไม่พบสำนักงานนี้", "unknown office; give ?office=CODE"),
    # The printer state a kiosk whose print agent is gone reports (kiosk/agent_channel.py).
    "agent_gone": ("ตัวพิมพ์ของตู้ไม่ได้เชื่อมต่อ", "the kiosk's print agent is not connected"),
}


def say(key: str, **values: object) -> Pair:
    """A kiosk message with its placeholders filled: (Thai, English)."""
    return fill(MESSAGES[key], **values)


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
