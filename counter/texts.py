"""Words every package shares, and the counter package's own messages: Thai first, English second.

One concept has one name on every surface (kiosk, slip, status page, screens, voice, console,
reports, evidence pack, admin). The shared words live here, at the bottom of the layers, and every
other catalogue takes them from here instead of spelling them again. This module imports nothing
of the project, so the pure queue domain may read it too.

Written text carries no ค่ะ/ครับ: the office chooses the voice's particle (Admin → voice), and a
screen must not contradict it.
"""

from __future__ import annotations

from collections.abc import Mapping

Pair = tuple[str, str]


def fill(pair: Pair, /, **values: object) -> Pair:
    """A (Thai, English) pair of any catalogue with its `{placeholders}` filled."""
    th, en = pair
    return th.format(**values), en.format(**values)


def say(key: str, **values: object) -> Pair:
    """A counter message with its placeholders filled: (Thai, English)."""
    return fill(MESSAGES[key], **values)


def word(table: Mapping[str, Pair], key: str | None) -> Pair:
    """A shared word by its key; an office's own key (a group code) reads as itself."""
    if key is None:
        return ("", "")
    return table.get(key, (key, key))


def keyed(prefix: str, table: Mapping[str, Pair]) -> dict[str, Pair]:
    """A shared table as entries of a page catalogue: `{prefix}{key}` → (Thai, English), the
    form page scripts look words up in (`"pause_" + reason`)."""
    return {f"{prefix}{key}": pair for key, pair in table.items()}


# ------------------------------------------------------------------ shared words

TICKET: Pair = ("บัตรคิว", "Ticket")
# Only this for the number a citizen holds; "คิว" alone is for counting ("รอ 3 คิว").
TICKET_NUMBER: Pair = ("หมายเลขคิว", "Queue number")
YOUR_NUMBER: Pair = ("หมายเลขคิวของท่าน", "Your number")
COUNTER: Pair = ("ช่องบริการ", "Counter")
SERVICE: Pair = ("บริการ", "Service")
SERVICE_REPORT: Pair = ("งานบริการ", "Service")
GROUP: Pair = ("กลุ่มงาน", "Service group")
PRIORITY_CHANNEL: Pair = ("ช่องทางพิเศษ", "Priority channel")
PRIORITY_STAFF: Pair = ("คิวพิเศษ", "Priority")
NORMAL_PRIORITY: Pair = ("ทั่วไป", "Normal")
SURVEY: Pair = ("แบบประเมินความพึงพอใจ", "Satisfaction survey")
NEEDS_SURVEY: Pair = ("แบบสำรวจความต้องการ", "Needs survey")
SERVER: Pair = ("เครื่องแม่ข่าย", "Server")
PAIR_DEVICE: Pair = ("จับคู่", "Pair")
# The slip's footer an office starts with (Admin → office edits it).
SLIP_FOOTER: Pair = (
    "กรุณารอฟังเสียงเรียกและดูหมายเลขที่จอแสดงผล",
    "Please listen for the call and watch for your number on the screen",
)
# Asking a citizen whose service is done to answer the satisfaction survey.
SURVEY_INVITATION: Pair = (
    "กรุณาสละเวลาประเมินความพึงพอใจ เพื่อนำไปปรับปรุงการให้บริการให้ดียิ่งขึ้น",
    "Please rate our service so we can do better.",
)
DAMRONGDHAMA: Pair = ("ศูนย์ดำรงธรรม", "Damrongdhama Center")

# Service groups of the bundled district-office catalogue (counter/data/dopa-services.csv); an
# office's own groups show their code.
GROUPS: dict[str, Pair] = {
    "civil_registration": ("งานทะเบียนราษฎร", "Civil registration"),
    "id_card": ("งานบัตรประจำตัวประชาชน", "ID cards"),
    "family_registration": ("งานทะเบียนครอบครัว", "Family registration"),
    "licensing": ("งานขออนุญาต", "Licences and permits"),
    "damrongtham": DAMRONGDHAMA,
}

# Priority groups served through the priority channel; คนพิการ is the legal term.
PRIORITIES: dict[str, Pair] = {
    "elderly": ("ผู้สูงอายุ", "Elderly"),
    "disabled": ("คนพิการ", "Person with a disability"),
    "pregnant": ("สตรีมีครรภ์", "Pregnant woman"),
    "monk": ("พระภิกษุ/นักบวช", "Monk or clergy"),
}

# Why a counter pauses, in the console's button order.
PAUSE_REASONS: dict[str, Pair] = {
    "break": ("พักชั่วคราว", "Break"),
    "lunch": ("พักกลางวัน", "Lunch"),
    "meeting": ("ประชุม", "Meeting"),
    "system": ("ระบบขัดข้อง", "System problem"),
    "other": ("อื่น ๆ", "Other"),
}
PAUSE_NOT_GIVEN: Pair = ("ไม่ระบุ", "Not given")

# A ticket's status as staff and reports name it (keys: counter.queue.states.TicketStatus).
STATUSES: dict[str, Pair] = {
    "waiting": ("รอเรียก", "Waiting"),
    "called": ("เรียกแล้ว", "Called"),
    "serving": ("กำลังให้บริการ", "Serving"),
    "held": ("พักคิวไว้", "On hold"),
    "done": ("ให้บริการเสร็จ", "Served"),
    "no_show": ("ไม่พบผู้รับบริการ", "No-show"),
    "cancelled": ("ยกเลิก", "Cancelled"),
    "unserved": ("ไม่ได้รับบริการ (ค้างเมื่อสิ้นวัน)", "Not served (open at day end)"),
}

# The same statuses as the citizen reads them on the status page: never accusing, always a
# next step where one is needed.
CITIZEN_STATUSES: dict[str, Pair] = {
    "waiting": ("กำลังรอเรียก", "Waiting"),
    "called": ("ถึงคิวของท่านแล้ว", "It is your turn"),
    "serving": ("กำลังรับบริการ", "Being served"),
    "held": ("พักคิวไว้ชั่วคราว", "On hold"),
    "done": ("รับบริการเสร็จแล้ว ขอบคุณที่มาใช้บริการ", "Finished, thank you"),
    "no_show": (
        "เรียกหมายเลขของท่านแล้วแต่ไม่พบท่าน กรุณาติดต่อเจ้าหน้าที่",
        "Your number was called but we could not find you; please ask the staff",
    ),
    "cancelled": ("บัตรคิวนี้ถูกยกเลิกแล้ว", "This ticket was cancelled"),
    "unserved": ("บัตรคิวนี้หมดอายุแล้ว", "This ticket has expired"),
}

# What staff do to a ticket (keys: counter.queue.states.Action), as verbs.
ACTIONS: dict[str, Pair] = {
    "call": ("เรียก", "call"),
    "recall": ("เรียกซ้ำ", "recall"),
    "start": ("เริ่มให้บริการ", "start"),
    "finish": ("จบการให้บริการ", "finish"),
    "no_show": ("บันทึกว่าไม่พบผู้รับบริการ", "mark no-show"),
    "reactivate": ("นำกลับเข้าคิว", "reactivate"),
    "cancel": ("ยกเลิก", "cancel"),
    "transfer": ("ส่งต่อ", "transfer"),
    "hold": ("พักคิว", "hold"),
    "unhold": ("เรียกคิวที่พักไว้", "call back"),
    "release": ("คืนคิวที่พักไว้เข้าแถว", "release"),
    "close_unserved": ("ปิดบัตรคิวที่ค้างเมื่อสิ้นวัน", "close at day end"),
}

# How one transaction ended, as reports and exports name it.
OUTCOMES: dict[str, Pair] = {
    "done": ("ให้บริการเสร็จ", "Served"),
    "transferred": ("ส่งต่อ", "Transferred"),
    "no_show": STATUSES["no_show"],
    "cancelled": ("ยกเลิก", "Cancelled"),
    "unserved": STATUSES["unserved"],
    "open": ("ยังไม่สิ้นสุด", "In progress"),
}

# How a transaction began.
ARRIVALS: dict[str, Pair] = {
    "issued": ("ออกบัตรคิว", "Issued"),
    "requeued": ("รับส่งต่อจากงานอื่น", "Transferred in"),
}

# ------------------------------------------------------------------ the console

# Every word the console, the supervisor view and the login page show: (Thai, English).
# `{name}` placeholders are filled in by the page script.
CONSOLE: dict[str, Pair] = {
    **keyed("group_", GROUPS),
    **keyed("priority_", PRIORITIES),
    **keyed("pause_", PAUSE_REASONS),
    **keyed("status_", STATUSES),
    "app": ("สะดวก", "Saduak"),
    # A booked ticket's mark: called at its slot time ahead of walk-ins.
    "booked_mark": ("ตามนัด {time}", "Booked {time}"),
    "login_title": ("เข้าสู่ระบบเจ้าหน้าที่", "Staff sign-in"),
    "username": ("ชื่อผู้ใช้", "Username"),
    "password": ("รหัสผ่าน", "Password"),
    "sign_in": ("เข้าสู่ระบบ", "Sign in"),
    "signing_in": ("กำลังเข้าสู่ระบบ…", "Signing in…"),
    "expired": (
        "หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง",
        "Your session has ended. Please sign in again.",
    ),
    "logged_out": ("ออกจากระบบแล้ว", "You have signed out."),
    "login_failed": ("เข้าสู่ระบบไม่สำเร็จ", "Sign-in failed"),
    "network_error": (
        "ติดต่อเครื่องแม่ข่ายไม่ได้ กรุณาลองอีกครั้ง",
        "Cannot reach the server. Please try again.",
    ),
    "console_title": ("ช่องบริการ", "Counter"),
    "counter_n": ("ช่อง {n}", "Counter {n}"),
    "choose_counter": ("เลือกช่องบริการที่ท่านนั่งประจำ", "Choose your counter"),
    "choose_hint": (
        "กดปุ่มตัวเลขตามหมายเลขช่อง หรือคลิกที่ช่อง",
        "Press the counter's number key, or click it",
    ),
    "free": ("ว่าง", "Free"),
    "held_by": ("ใช้งานโดย {name}", "In use by {name}"),
    "yours": ("ช่องของท่าน", "Your counter"),
    "serves": ("ให้บริการ", "Serves"),
    "n_services": ("{n} บริการ", "{n} services"),
    "current_ticket": ("บัตรคิวปัจจุบัน", "Current ticket"),
    "no_ticket": ("ยังไม่มีบัตรคิวที่ช่องนี้", "No ticket at this counter"),
    "no_ticket_hint": ("กด {key} เพื่อเรียกคิวถัดไป", "Press {key} to call the next ticket"),
    "status_called": ("เรียกแล้ว รอผู้รับบริการมาที่ช่อง", "Called — waiting for the citizen"),
    "status_serving": ("กำลังให้บริการ", "Serving"),
    "status_held": ("พักไว้", "On hold"),
    "since_call": ("เรียกมาแล้ว", "Since the call"),
    "elapsed": ("เวลาให้บริการ", "Service time"),
    "standard": ("มาตรฐาน {n} นาที", "standard {n} min"),
    "over_standard": ("เกินเวลามาตรฐาน", "over the standard time"),
    "recalled_n": ("เรียกซ้ำแล้ว {n} ครั้ง", "recalled {n}×"),
    "recall_enough": (
        "เรียกซ้ำ {n} ครั้งแล้ว หากยังไม่มา กด {key} บันทึกว่าไม่พบผู้รับบริการ",
        "Recalled {n}×; if nobody comes, press {key} for no-show",
    ),
    "call_next": ("เรียกคิวถัดไป", "Call next"),
    "call_next_finishes": ("+ จบ {number} / finish", "finishes {number}, then calls the next"),
    "recall": ("เรียกซ้ำ", "Recall"),
    "start": ("เริ่มบริการ", "Start"),
    "finish": ("จบบริการ", "Finish"),
    "no_show": STATUSES["no_show"],
    "transfer": ("ส่งต่อ", "Transfer"),
    "hold": ("พักคิว", "Hold"),
    "unhold": ("เรียกคิวที่พักไว้", "Call back held"),
    "release": ("คืนเข้าแถว", "Back to the line"),
    "call_specific": ("เรียกคิวเจาะจง", "Call a ticket"),
    "pause": ("พักช่องบริการ", "Pause"),
    "resume": ("กลับมาให้บริการ", "Resume"),
    "close_counter": ("ปิดช่องบริการ", "Close counter"),
    "shortcuts": ("ปุ่มลัด", "Shortcuts"),
    "shortcuts_hint": (
        "ใช้ปุ่มลัดได้ทั้งแป้นภาษาไทยและอังกฤษ ไม่ทำงานขณะพิมพ์ในช่องกรอก",
        "Keys work with Thai or English layout, never while typing in a field",
    ),
    "waiting_title": ("คิวที่รอ", "Waiting"),
    "waiting_n": ("{n} คิว", "{n} waiting"),
    "nobody_waiting": ("ไม่มีคิวรอสำหรับช่องนี้", "Nobody is waiting for this counter"),
    "next_mark": ("ถัดไป", "next"),
    "wait_min": ("รอ {n} นาที", "{n} min"),
    "call_this": ("เรียก", "Call"),
    "priority": ("คิวพิเศษ", "Priority"),
    "held_title": ("คิวที่พักไว้", "On hold"),
    "held_since": ("พักตั้งแต่ {time}", "held since {time}"),
    "printers_title": ("แจ้งเตือนเครื่องพิมพ์", "Printer alerts"),
    "printers_ok": ("เครื่องพิมพ์ทุกเครื่องปกติ", "All printers OK"),
    "printer_near_end": ("กระดาษใกล้หมด", "Paper low"),
    "printer_paper_out": ("กระดาษหมด", "Out of paper"),
    "printer_cover_open": ("ฝาเครื่องพิมพ์เปิดอยู่", "Printer cover open"),
    "printer_offline": ("เครื่องพิมพ์ขัดข้อง", "Printer offline"),
    "printer_no_answer": ("เครื่องพิมพ์ไม่ตอบสนอง", "Printer not answering"),
    "printer_unknown": ("ไม่ทราบสถานะเครื่องพิมพ์", "Printer state unknown"),
    "printer_ok": ("เครื่องพิมพ์กลับมาปกติแล้ว", "Printer is OK again"),
    "printer_other": ("เครื่องพิมพ์แจ้งเตือน", "Printer alert"),
    "dismiss": ("ปิด", "Dismiss"),
    "paused_banner": ("ช่องบริการพักอยู่ — {reason}", "Counter paused — {reason}"),
    "paused_since": ("ตั้งแต่ {time} ({min} นาที)", "since {time} ({min} min)"),
    "paused_hint": (
        "ระหว่างพัก ช่องนี้จะไม่ได้รับคิว กด {key} เพื่อกลับมาให้บริการ",
        "While paused this counter gets no tickets. Press {key} to resume",
    ),
    "pause_title": ("พักช่องบริการ — เลือกเหตุผล", "Pause — choose a reason"),
    "transfer_title": ("ส่งต่อบัตรคิว {number} ไปยังบริการ…", "Transfer {number} to…"),
    "filter": ("พิมพ์เพื่อค้นหาบริการ แล้วกด Enter", "Type to filter, then Enter"),
    "no_match": ("ไม่พบบริการที่ค้นหา", "No service matches"),
    "call_title": ("เรียกคิวเจาะจง (ข้ามลำดับ)", "Call a specific ticket (out of order)"),
    "ticket_number": ("หมายเลขคิว", "Queue number"),
    "ticket_number_hint": ("เช่น B015", "e.g. B015"),
    "reason": ("เหตุผล (บันทึกไว้ตรวจสอบ)", "Reason (kept for audit)"),
    "reason_other": ("ระบุเหตุผล", "Type the reason"),
    "reason_priority": (
        "ผู้สูงอายุ คนพิการ สตรีมีครรภ์ หรือพระภิกษุ/นักบวช",
        "Elderly, disability, pregnancy or clergy",
    ),
    "reason_continuing": ("ติดต่อต่อเนื่องจากช่องอื่น", "Continuing from another counter"),
    "reason_appointment": ("นัดหมายล่วงหน้า", "Appointment"),
    "reason_urgent": ("มีเหตุจำเป็นเร่งด่วน", "Urgent need"),
    "reason_other_option": ("อื่น ๆ (ระบุ)", "Other (type it)"),
    "reason_required": ("กรุณาระบุเหตุผล", "Please give a reason"),
    "call_confirm": ("เรียกบัตรคิวนี้", "Call this ticket"),
    "cancel": ("ยกเลิก", "Cancel"),
    "taken": (
        "บัตรคิว {number} ถูกเรียกที่ช่อง {counter} แล้ว",
        "Ticket {number} has already been called at counter {counter}",
    ),
    "close_title": ("ปิดช่องบริการ {n}?", "Close counter {n}?"),
    "close_open_ticket": (
        "ยังมีบัตรคิว {number} อยู่ที่ช่องนี้ กรุณาจบบริการหรือส่งต่อก่อน",
        "Ticket {number} is still at this counter; finish or transfer it first",
    ),
    "close_confirm": ("ปิดช่อง", "Close"),
    "live": ("ออนไลน์", "Live"),
    "offline": ("ขาดการเชื่อมต่อ กำลังเชื่อมต่อใหม่…", "Disconnected — reconnecting…"),
    "call_next_blocked": (
        "กรุณากดเริ่มบริการ ({start}) หรือไม่พบผู้รับบริการ ({no_show}) ก่อนเรียกคิวถัดไป",
        "Start ({start}) or mark no-show ({no_show}) before calling the next ticket",
    ),
    "nobody": ("ไม่มีคิวรอสำหรับช่องนี้", "Nobody is waiting for this counter"),
    "done_called": ("เรียกบัตรคิว {number} แล้ว", "Called {number}"),
    "done_recalled": ("เรียกซ้ำ {number} แล้ว", "Recalled {number}"),
    "done_started": ("เริ่มให้บริการ {number}", "Serving {number}"),
    "done_finished": ("จบบริการ {number} แล้ว", "Finished {number}"),
    "done_no_show": ("บันทึก {number} ว่าไม่พบผู้รับบริการแล้ว", "{number} marked no-show"),
    "no_show_pending": (
        "{number} ไม่พบผู้รับบริการ — จะบันทึกใน {seconds} วินาที",
        "{number} no-show — recorded in {seconds} s",
    ),
    "no_show_undone": ("ยกเลิกแล้ว {number} ยังอยู่ที่ช่องนี้", "Undone: {number} is still here"),
    "undo": ("ยกเลิก", "Undo"),
    "transfer_called": (
        "ส่งต่อได้เมื่อเริ่มให้บริการแล้ว กด {start} เริ่มบริการ หรือ {no_show} หากไม่พบผู้รับบริการ",
        "Transfer works once service has started: press {start} to start, or {no_show} for no-show",
    ),
    "transfer_none": (
        "ยังไม่มีบัตรคิวที่กำลังให้บริการให้ส่งต่อ",
        "No ticket in service to transfer",
    ),
    "finish_called": (
        "ยังไม่ได้เริ่มบริการ กด {start} เริ่มบริการ หรือ {no_show} หากไม่พบผู้รับบริการ",
        "Service has not started: press {start} to start, or {no_show} for no-show",
    ),
    "done_transferred": ("ส่งต่อ {number} ไปยังบริการ{service}แล้ว", "{number} sent to {service_en}"),
    "done_held": ("พักคิว {number} ไว้แล้ว", "{number} put on hold"),
    "done_released": ("คืน {number} เข้าแถวแล้ว", "{number} is back in the line"),
    "done_paused": ("พักช่องบริการแล้ว", "Counter paused"),
    "done_resumed": ("กลับมาให้บริการแล้ว", "Counter resumed"),
    "sup_title": ("ภาพรวมสำนักงาน", "Office overview"),
    "counters_title": ("ช่องบริการ", "Counters"),
    "state_closed": ("ปิด", "Closed"),
    "state_idle": ("ว่าง", "Idle"),
    "state_called": ("เรียกแล้ว", "Called"),
    "state_serving": ("กำลังให้บริการ", "Serving"),
    "state_paused": ("พัก", "Paused"),
    "idle_since": ("ว่างตั้งแต่ {time} ({min} นาที)", "idle since {time} ({min} min)"),
    "no_staff": ("ไม่มีเจ้าหน้าที่", "nobody here"),
    "held_n": ("พักไว้ {n} คิว", "{n} on hold"),
    "services_title": ("คิวแต่ละบริการ", "Queue per service"),
    "col_service": ("บริการ", "Service"),
    "col_waiting": ("รอ", "Waiting"),
    "col_priority": ("คิวพิเศษ", "Priority"),
    "col_longest": ("รอนานสุด", "Longest wait"),
    "col_target": ("เป้าหมาย", "Target"),
    "col_counters": ("ช่องที่เปิดรับ", "Open counters"),
    "min": ("{n} นาที", "{n} min"),
    "none_open": ("ไม่มีช่องเปิด", "no counter open"),
    "alerts_title": ("แจ้งเตือนเวลารอ", "Wait alerts"),
    "no_alerts": ("ไม่มีคิวที่รอเกินเป้าหมาย", "No wait over its target"),
    "alert_line": (
        "{service}: บัตรคิว {number} รอแล้ว {min} นาที (เป้าหมาย {target} นาที)",
        "{service_en}: {number} has waited {min} min (target {target} min)",
    ),
    "alert_more": ("และอีก {n} คิวที่รอเกินเป้าหมาย", "and {n} more over the target"),
    "total_waiting": ("รอทั้งหมด {n} คิว", "{n} waiting in all"),
    "edit_services": ("เปลี่ยนบริการ", "Change services"),
    "edit_title": ("บริการที่ช่อง {n} ให้", "Services of counter {n}"),
    "edit_hint": (
        "มีผลตั้งแต่การเรียกคิวครั้งถัดไป และบันทึกไว้ในประวัติการใช้งาน",
        "Takes effect at the counter's next call; the change is logged",
    ),
    "save": ("บันทึก", "Save"),
    "saved": ("บันทึกบริการของช่อง {n} แล้ว", "Counter {n} services saved"),
    "changed_by": ("เปลี่ยนบริการวันนี้ {time} โดย {name}", "changed today {time} by {name}"),
}


# The browser's own checks of a form field (required, maxlength, min, max…), said in Thai on
# every page (saduak.js sets them with setCustomValidity): key = the ValidityState flag.
VALIDITY: dict[str, Pair] = {
    "valueMissing": ("กรุณากรอกช่องนี้", "Please fill in this field"),
    "valueMissing_select": ("กรุณาเลือกรายการ", "Please choose an item"),
    "valueMissing_check": ("กรุณาเลือกช่องนี้", "Please tick this box"),
    "valueMissing_file": ("กรุณาเลือกไฟล์", "Please choose a file"),
    "typeMismatch": ("รูปแบบไม่ถูกต้อง", "Not in the right format"),
    "typeMismatch_email": ("กรุณากรอกอีเมลให้ถูกต้อง เช่น name@example.com", "Enter an email address"),
    "patternMismatch": ("รูปแบบไม่ถูกต้อง", "Not in the right format"),
    "tooLong": ("ยาวได้ไม่เกิน {max} ตัวอักษร", "At most {max} characters"),
    "tooShort": ("ต้องมีอย่างน้อย {min} ตัวอักษร", "At least {min} characters"),
    "rangeUnderflow": ("ต้องไม่น้อยกว่า {min}", "Must be {min} or more"),
    "rangeOverflow": ("ต้องไม่เกิน {max}", "Must be {max} or less"),
    "stepMismatch": ("กรุณากรอกเป็นจำนวนเต็ม", "Enter a whole number"),
    "badInput": ("กรุณากรอกเป็นตัวเลข", "Enter a number"),
}

# The navigation bar of every staff page (counter/nav.py, _nav.html).
NAV: dict[str, Pair] = {
    "menu": ("เมนูหลัก", "Main menu"),
    "counter": ("ช่องบริการ", "Counter console"),
    "supervisor": ("ภาพรวมสำนักงาน", "Office overview"),
    "reports": ("รายงาน", "Reports"),
    "complaints": ("เรื่องร้องเรียน", "Complaints"),
    "operations": ("ความต่อเนื่อง", "Continuity"),
    "evidence_settings": ("ตั้งค่าหลักฐาน GECC", "GECC evidence settings"),
    "paper": ("บัตรคิวกระดาษ", "Paper tickets"),
    "admin": ("ผู้ดูแลระบบ", "Administration"),
    "logout": ("ออกจากระบบ", "Sign out"),
    "role_admin": ("ผู้ดูแลระบบ", "Admin"),
    "role_manager": ("หัวหน้าสำนักงาน", "Manager"),
    "role_staff": ("เจ้าหน้าที่", "Staff"),
}

# Words of the pages counter/pages.py renders itself (the forbidden page).
PAGES: dict[str, Pair] = {
    "forbidden_title": ("ไม่มีสิทธิ์เข้าหน้านี้", "Not allowed"),
    "other_account": ("เข้าสู่ระบบด้วยบัญชีอื่น", "Sign in with another account"),
    "to_home": ("กลับไปหน้าแรกของท่าน", "Back to your start page"),
    "managers_only": (
        "หน้านี้สำหรับหัวหน้าสำนักงานและผู้ดูแลระบบเท่านั้น",
        "This page is for office managers and administrators only.",
    ),
    "admins_only": (
        "หน้านี้สำหรับผู้ดูแลระบบเท่านั้น",
        "This page is for administrators only.",
    ),
}

# Pairing a screen or a kiosk (counter/pairing.py).
PAIRING: dict[str, Pair] = {
    "not_found": (
        "ไม่พบคำขอจับคู่นี้ กรุณาเริ่มจับคู่ใหม่",
        "no such pairing request; start pairing again",
    ),
    "expired": (
        "รหัสจับคู่หมดอายุแล้ว กรุณาเริ่มจับคู่ใหม่",
        "the pairing code has expired; start pairing again",
    ),
    "used": (
        "รับรหัสอุปกรณ์ไปแล้ว หากหน้าจอยังไม่เชื่อมต่อ กรุณาเริ่มจับคู่ใหม่",
        "the device token was already collected; start pairing again if this screen lost it",
    ),
    "code_unknown": (
        "ไม่พบรหัสจับคู่นี้ หรือรหัสหมดอายุแล้ว กรุณาตรวจรหัสบนหน้าจอใหม่",
        "no pending pairing with this code (mistyped or expired); check the code on the screen",
    ),
    "code_format": (
        "รหัสจับคู่ต้องเป็นตัวอักษรหรือตัวเลข 6 ตัว ตามที่แสดงบนหน้าจอ",
        "a pairing code is the 6 letters and digits shown on the new screen",
    ),
    "too_many": (
        "มีคำขอจับคู่มากเกินไป กรุณารอสักครู่แล้วลองใหม่",
        "too many pairing requests; wait a minute and try again",
    ),
}


# ------------------------------------------------------------------ the counter's messages

# Domain and API errors of the counter package: (Thai, English) with `{name}` placeholders.
MESSAGES: dict[str, Pair] = {
    "no_office": ("ไม่พบสำนักงาน", "office {office_id} not found"),
    "no_service": ("ไม่พบบริการนี้", "no service with code {code!r}"),
    "no_services": ("ไม่พบบริการ: {codes}", "unknown services: {codes}"),
    "no_counter": ("ไม่พบช่องบริการ {number}", "no counter {number}"),
    "no_device": ("ไม่พบอุปกรณ์", "device {device_id} not found"),
    "no_ticket": ("ไม่พบบัตรคิวนี้", "no such ticket"),
    "no_ticket_id": ("ไม่พบบัตรคิวรหัส {ticket_id}", "ticket {ticket_id} not found"),
    "no_ticket_today": ("ไม่พบบัตรคิว {number} ของวันนี้", "no ticket {number} today"),
    "bad_number": (
        "หมายเลขคิว {number!r} ไม่ถูกต้อง (เช่น B015)",
        "{number!r} is not a ticket number (e.g. B015)",
    ),
    "too_many_logins": (
        "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป กรุณารอ {seconds} วินาทีแล้วลองใหม่",
        "too many failed logins; try again in {seconds} seconds",
    ),
    "invalid_credentials": ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "wrong username or password"),
    "unknown_action": ("ไม่มีคำสั่งนี้", "unknown action {action!r}; use one of: {allowed}"),
    "bad_priority": ("ประเภทคิวพิเศษไม่ถูกต้อง", "priority must be one of: {allowed}"),
    "bad_pause_reason": ("เหตุผลการพักไม่ถูกต้อง", "reason must be one of: {allowed}"),
    "bad_action": ("คำสั่งไม่ถูกต้อง", "{action} is not a plain ticket action"),
    "request_key_reused": (
        "รหัสคำขอ (Idempotency-Key) นี้ใช้กับคำขออื่นไปแล้ว กรุณาส่งรหัสใหม่",
        "this Idempotency-Key was already used for a different request "
        "(another service or priority); send a new key",
    ),
    "kiosk_too_fast": (
        "ขออภัย กดรับบัตรคิวถี่เกินไป กรุณารอสักครู่แล้วกดอีกครั้ง",
        "too many tickets from this kiosk; please wait a moment",
    ),
    "service_closed": (
        "ขออภัย บริการ{name} ปิดให้บริการ กรุณาสอบถามเจ้าหน้าที่",
        "sorry, {name_en} is closed; please ask the staff",
    ),
    "daily_cap": (
        "ขออภัย บริการ{name} ออกบัตรคิวครบ {cap} คิวของวันนี้แล้ว กรุณามาใหม่ในวันทำการถัดไป หรือสอบถามเจ้าหน้าที่",
        "sorry, today's limit of {cap} tickets for {name_en} is reached; "
        "please come back on the next working day or ask the staff",
    ),
    "numbers_used": (
        "ขออภัย หมายเลขคิว {prefix} ของวันนี้หมดแล้ว กรุณาสอบถามเจ้าหน้าที่",
        "all {max} numbers of {prefix} are used today; please ask the staff",
    ),
    "reason_required": (
        "กรุณาระบุเหตุผลที่เรียกคิวข้ามลำดับ",
        "a reason is required to call a ticket out of order",
    ),
    "counter_held": (
        "ช่องบริการ {number} มีเจ้าหน้าที่ {name} ใช้งานอยู่",
        "counter {number} is held by {name}",
    ),
    "counter_elsewhere": (
        "ท่านเปิดช่องบริการ {number} อยู่ กรุณาปิดช่องนั้นก่อน",
        "you are at counter {number}; close it first",
    ),
    "counter_paused": (
        "ช่องบริการ {number} พักอยู่ กรุณากดกลับมาให้บริการก่อน",
        "counter {number} is paused; resume it first",
    ),
    "called_not_started": (
        "บัตรคิว {ticket} ที่ช่อง {number} ยังไม่ได้เริ่มบริการ กรุณากดเริ่มบริการหรือบันทึกว่าไม่พบผู้รับบริการก่อน",
        "ticket {ticket} at counter {number} was called but not started; "
        "start it or mark it no-show first",
    ),
    "earlier_day": (
        "บัตรคิว {ticket} เป็นของวันก่อน นำกลับเข้าคิวไม่ได้",
        "ticket {ticket} is from an earlier day and cannot be reactivated",
    ),
    "counter_has_ticket": (
        "ช่อง {number} กำลังมีบัตรคิว {ticket} อยู่",
        "counter {number} already has ticket {ticket}",
    ),
    "counter_of_other": (
        "ช่องบริการ {number} เป็นของเจ้าหน้าที่ท่านอื่น",
        "counter {number} is held by someone else",
    ),
    "not_at_counter": (
        "ท่านยังไม่ได้เปิดช่องบริการ {number}",
        "you are not working at counter {number}",
    ),
    "managers_only_services": (
        "เฉพาะหัวหน้าสำนักงานเปลี่ยนบริการของช่องบริการได้",
        "managers only",
    ),
    "counter_needs_service": (
        "ช่องบริการต้องให้บริการอย่างน้อยหนึ่งบริการ",
        "a counter needs at least one service",
    ),
    "taken": (
        "บัตรคิว {ticket} ถูกเรียกที่ช่อง {number} แล้ว",
        "ticket {ticket} has already been called at counter {number}",
    ),
    "illegal_transition": (
        "บัตรคิว {ticket} อยู่ในสถานะ{status} จึง{action}ไม่ได้",
        "ticket {ticket} is {status_en}; cannot {action_en}",
    ),
    # The database (counter/db.py).
    "database_unavailable": (
        "ขออภัย ระบบฐานข้อมูลขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้งในอีกสักครู่",
        "sorry, the database cannot be reached; try again in a moment",
    ),
    "database_busy": (
        "ขออภัย ระบบกำลังบันทึกรายการอื่นอยู่ กรุณาลองใหม่อีกครั้งในอีกสักครู่",
        "sorry, the database is busy with other writes; try again in a moment",
    ),
    "storage_full": (
        "ขออภัย พื้นที่จัดเก็บข้อมูลของเครื่องแม่ข่ายเต็ม บันทึกรายการไม่ได้ กรุณาแจ้งผู้ดูแลระบบ",
        "sorry, the server's storage is full and nothing could be saved; tell the administrator",
    ),
    # The web layer's answers (counter/web.py).
    "invalid_body": ("ข้อมูลที่ส่งมาไม่ถูกต้อง", "invalid request"),
    "http": ("ไม่สามารถทำรายการนี้ได้", "cannot do this"),
    "http_400": ("คำขอไม่ถูกต้อง", "bad request"),
    "http_401": ("กรุณาเข้าสู่ระบบ", "authentication required"),
    "http_403": ("ท่านไม่มีสิทธิ์ทำรายการนี้", "not allowed"),
    "http_404": ("ไม่พบหน้าหรือข้อมูลที่ขอ", "not found"),
    "http_405": ("ไม่รองรับการเรียกแบบนี้", "method not allowed"),
    "http_409": ("ข้อมูลขัดแย้งกับสถานะปัจจุบัน", "conflict"),
    "http_413": ("ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป", "payload too large"),
    "too_large": ("ข้อมูลที่ส่งมามีขนาดใหญ่เกินไป", "request body is larger than {max_bytes} bytes"),
    "internal_error": (
        "ขออภัย ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง หากยังไม่ได้ กรุณาแจ้งผู้ดูแลระบบ (รหัสเหตุการณ์ {incident})",
        "sorry, something went wrong; try again, and if it persists tell the "
        "administrator (incident {incident})",
    ),
    "csrf": (
        "คำขอนี้ไม่มีรหัสป้องกัน (CSRF) กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
        "missing or wrong CSRF token; reload the page and try again",
    ),
    "unauthorized": ("กรุณาเข้าสู่ระบบ", "authentication required"),
    "forbidden": ("ท่านไม่มีสิทธิ์ทำรายการนี้", "not allowed for this account"),
    "staff_only": ("อุปกรณ์นี้ทำรายการนี้ไม่ได้", "devices cannot do this"),
    "display_cannot_issue": ("จอแสดงผลออกบัตรคิวไม่ได้", "a display cannot issue tickets"),
    "display_reads_own_feed": (
        "จอแสดงผลอ่านได้เฉพาะข้อมูลหน้าจอของตนเอง",
        "a display reads its screen feed only",
    ),
    # Service standards and citizen manuals (counter/standards.py, counter/manual.py).
    "standard_in_future": (
        "วันที่มีผลของเวลามาตรฐานต้องไม่เกินวันนี้",
        "a standard's effective date must not be later than today",
    ),
    "standard_too_early": ("วันที่มีผลไม่ถูกต้อง", "the effective date is too early"),
    "manual_asks_for_copy": (
        "คู่มือสำหรับประชาชนต้องไม่ขอสำเนาบัตรประจำตัวประชาชนหรือสำเนาทะเบียนบ้าน "
        "กรมการปกครองยกเลิกการเรียกสำเนาเอกสารเหล่านี้แล้ว",
        "a citizen manual must not ask for copies of the ID card or house registration "
        "(DOPA no longer requires them)",
    ),
    "negative_fee": ("ค่าธรรมเนียมต้องไม่ติดลบ", "the fee cannot be negative"),
    "source_url": ("ลิงก์ที่มาต้องขึ้นต้นด้วย http:// หรือ https://", "source must be a URL"),
    # Issuing hours (counter.queue.hours): a refusal says sorry and when to come back.
    "closed_holiday": (
        "ขออภัย วันนี้เป็นวันหยุดราชการ ไม่เปิดให้บริการ กรุณามาใหม่ในวันทำการถัดไป",
        "sorry, the office is closed for a public holiday; "
        "please come back on the next working day",
    ),
    "closed_today": (
        "ขออภัย วันนี้ไม่เปิดให้บริการ กรุณามาใหม่ในวันทำการถัดไป",
        "sorry, the office is closed today; please come back on the next working day",
    ),
    "not_open_yet": (
        "ขออภัย ยังไม่เปิดรับบัตรคิว กรุณามาใหม่เวลา {time} น.",
        "sorry, ticket issuing opens at {time}",
    ),
    "lunch": (
        "ขออภัย ขณะนี้พักกลางวัน เปิดรับบัตรคิวอีกครั้งเวลา {time} น.",
        "sorry, lunch break: ticket issuing reopens at {time}",
    ),
    "closed_now": (
        "ขออภัย ปิดรับบัตรคิวแล้ว (ปิดเวลา {time} น.) กรุณามาใหม่ในวันทำการถัดไป",
        "sorry, ticket issuing closed at {time}; please come back on the next working day",
    ),
}


# The Thai date entry every page's date fields use (counter/static/thai-date.js): day, month
# and Buddhist Era year, sent to the server as an ISO (Common Era) date.
DATE_ENTRY: dict[str, Pair] = {
    "day": ("วัน", "Day"),
    "month": ("เดือน", "Month"),
    "year": ("ปี พ.ศ.", "Year (BE)"),
    "time": ("เวลา เช่น 08.30", "Time, e.g. 08.30"),
    "invalid": ("วันที่ไม่ถูกต้อง", "Not a valid date"),
}
