"""Every word the LINE package shows or sends, Thai first, English second (THAI-TERMS.md).

Written text carries no ค่ะ/ครับ: the office's voice chooses its particle, and the chat must not
contradict it."""

from __future__ import annotations

from counter.texts import SURVEY_INVITATION

# The status page's (and booking confirmation's) button, and its state once linked.
NOTIFY_BUTTON = ("แจ้งเตือนผ่าน LINE", "Notify me on LINE")
NOTIFY_LINKED = ("รับการแจ้งเตือนผ่าน LINE แล้ว", "LINE notifications are on")

# What the citizen sends (prefilled in the chat); the code is found anywhere in the text.
LINK_REQUEST = "แจ้งเตือนบัตรคิว {number} รหัส {code}"
LINK_BOOKING_REQUEST = "แจ้งเตือนการนัดหมาย {booking} รหัส {code}"
# What stops the notices (a typed message, or the quick-reply button's postback).
STOP_WORDS = ("ยกเลิกการแจ้งเตือน", "stop")
STOP_LABEL = "ยกเลิกการแจ้งเตือน"
STOP_POSTBACK = "saduak:stop"


def linked(number: str) -> str:
    return (
        f"เชื่อมต่อบัตรคิว {number} กับ LINE แล้ว ระบบจะแจ้งเตือนเมื่อใกล้ถึงคิว เมื่อถึงคิว "
        f'และส่งแบบประเมินความพึงพอใจหลังรับบริการ พิมพ์ "{STOP_LABEL}" เพื่อหยุดรับข้อความ\n'
        f"Ticket {number} is linked: you will be told when your turn is near, when you are "
        f"called, and get the survey afterwards."
    )


def linked_booking(when_th: str, service_th: str) -> str:
    return (
        f"เชื่อมต่อการนัดหมาย {service_th} วันที่ {when_th} กับ LINE แล้ว "
        "ระบบจะแจ้งเตือนหนึ่งวันก่อนวันนัด และแจ้งเตือนคิวหลังยืนยันการมาถึงที่ตู้กดบัตรคิว "
        f'พิมพ์ "{STOP_LABEL}" เพื่อหยุดรับข้อความ\n'
        "Your booking is linked: you will be reminded the day before, and told about your turn "
        "once you check in."
    )


def reminder(when_th: str, service_th: str, code: str) -> str:
    """The day-before reminder of a booking."""
    return (
        f"แจ้งเตือนการนัดหมายวันพรุ่งนี้: {service_th} วันที่ {when_th} รหัสนัดหมาย {code} "
        "กรุณามาก่อนเวลานัดเล็กน้อย แล้วกดปุ่ม มีนัดหมาย ที่ตู้กดบัตรคิว\n"
        f"Reminder: your booking is tomorrow, {when_th} (code {code}). Please come a little "
        "early and press I have a booking at the kiosk."
    )


def already_linked(number: str) -> str:
    return (
        f"บัตรคิว {number} เชื่อมต่อกับ LINE นี้อยู่แล้ว\n"
        f"Ticket {number} is already linked to this LINE account."
    )


CODE_UNKNOWN = (
    "ขออภัย รหัสนี้ใช้ไม่ได้หรือหมดอายุแล้ว กรุณากดปุ่ม แจ้งเตือนผ่าน LINE "
    "ที่หน้าสถานะบัตรคิวอีกครั้ง\n"
    "Sorry, this code is not valid or has expired. Press Notify me on LINE on your ticket's "
    "status page again."
)
CODE_TAKEN = (
    "ขออภัย รหัสนี้ถูกใช้กับบัญชี LINE อื่นแล้ว\nSorry, this code was already used by another LINE account."
)
TICKET_OVER = (
    "ขออภัย บัตรคิวนี้ไม่อยู่ในคิวรอแล้ว จึงไม่มีการแจ้งเตือน\n"
    "Sorry, this ticket is no longer waiting, so there is nothing to notify."
)
STOPPED = (
    "ยกเลิกการแจ้งเตือนแล้ว ท่านจะไม่ได้รับข้อความเกี่ยวกับบัตรคิวนี้อีก\n"
    "Notifications are stopped: no more messages about this ticket."
)
NOTHING_TO_STOP = "ไม่มีการแจ้งเตือนที่เปิดอยู่\nThere are no notifications to stop."


def near(number: str, ahead: int) -> str:
    """The "almost your turn" notice; `ahead` is the status page's own figure."""
    if ahead <= 0:
        return (
            f"ใกล้ถึงคิวของท่านแล้ว ไม่มีคิวรอก่อนหน้า (หมายเลขคิว {number}) "
            "กรุณารอฟังเสียงเรียกและดูหมายเลขที่จอแสดงผล\n"
            f"Your turn is near: nobody is ahead of {number}."
        )
    return (
        f"อีก {ahead} คิวจะถึงคิวของท่าน (หมายเลขคิว {number}) "
        "กรุณารอฟังเสียงเรียกและดูหมายเลขที่จอแสดงผล\n"
        f"{ahead} more before your turn ({number})."
    )


def called(number: str, counter: int | None) -> str:
    where_th = f"ที่ช่องบริการ {counter}" if counter is not None else ""
    where_en = f" to counter {counter}" if counter is not None else ""
    return f"ขอเชิญหมายเลข {number} {where_th}\nNumber {number}, please proceed{where_en}."


def missed(number: str) -> str:
    return (
        f"เรียกหมายเลข {number} แล้วแต่ไม่พบท่าน กรุณาติดต่อเจ้าหน้าที่\n"
        f"Number {number} was called but you were not found; please ask the staff."
    )


def survey(number: str, url: str) -> str:
    return (
        f"ขอบคุณที่ใช้บริการ (หมายเลขคิว {number}) {SURVEY_INVITATION[0]}\n"
        f"Thank you for visiting. Please rate our service:\n{url}"
    )


# Pages (the link redirect and its refusals).
PAGE_TITLE = ("แจ้งเตือนผ่าน LINE", "LINE notifications")
NOT_AVAILABLE = (
    "ขออภัย สำนักงานนี้ยังไม่เปิดการแจ้งเตือนผ่าน LINE",
    "Sorry, this office does not send LINE notifications yet.",
)
NO_BOOKING = ("ไม่พบการนัดหมายนี้", "no such booking")
BOOKING_OVER = (
    "ขออภัย การนัดหมายนี้ถูกยกเลิกหรือผ่านไปแล้ว จึงไม่มีการแจ้งเตือน",
    "Sorry, this booking was cancelled or is over, so there is nothing to notify.",
)
TICKET_FINISHED = (
    "ขออภัย บัตรคิวนี้ไม่อยู่ในคิวรอแล้ว จึงไม่มีการแจ้งเตือน",
    "Sorry, this ticket is no longer waiting, so there is nothing to notify.",
)
OPEN_CHAT = ("เปิด LINE", "Open LINE")
CHAT_HELP = (
    "กดปุ่มด้านล่างเพื่อเปิดห้องแชตของสำนักงาน แล้วกดส่งข้อความที่เตรียมไว้",
    "Press the button to open the office's chat, then send the prepared message.",
)
BACK = ("กลับไปหน้าสถานะบัตรคิว", "Back to the ticket's status")

# API refusals.
MESSAGES: dict[str, tuple[str, str]] = {
    "office_unknown": ("ไม่พบสำนักงานนี้", "unknown office"),
    "not_configured": (
        "สำนักงานนี้ยังไม่ได้ตั้งค่าบัญชี LINE",
        "this office has no LINE Official Account set up",
    ),
    "signature_missing": ("ไม่มีลายเซ็น X-Line-Signature", "the X-Line-Signature header is missing"),
    "signature_bad": ("ลายเซ็น X-Line-Signature ไม่ถูกต้อง", "the X-Line-Signature does not match"),
    "body_bad": ("ข้อมูลจาก LINE อ่านไม่ได้", "the webhook body is not a LINE webhook"),
    "secret_format": (
        "Channel secret ต้องเป็นตัวอักษร 0-9 a-f จำนวน 32 ตัว",
        "the channel secret is 32 hexadecimal characters",
    ),
    "token_format": (
        "Channel access token ไม่ถูกต้อง",
        "the channel access token is not valid",
    ),
    "basic_id_format": (
        "LINE ID ของบัญชีทางการต้องขึ้นต้นด้วย @ เช่น @123abcde",
        "the basic ID starts with @, e.g. @123abcde",
    ),
    "incomplete": (
        "ต้องกรอก Channel secret, Channel access token และ LINE ID ก่อนเปิดใช้",
        "the channel secret, access token and basic ID are all needed to enable LINE",
    ),
}
