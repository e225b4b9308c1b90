"""Every word the display screens show, Thai first and English second, in one catalogue."""

from __future__ import annotations

from typing import Any

from counter.queue.thai import MONTHS_EN, MONTHS_LONG, MONTHS_SHORT, WEEKDAYS_EN, WEEKDAYS_TH
from counter.texts import GROUPS, TICKET_NUMBER

# key -> (Thai, English). Templates render these; the page scripts get the same table as JSON.
TEXT: dict[str, tuple[str, str]] = {
    "hall_title": ("จอแสดงผลคิว", "Queue display"),
    "counter_title": ("จอช่องบริการ", "Counter display"),
    "now_calling": ("เชิญหมายเลข", "Now calling"),
    "at_counter": ("ที่ช่องบริการ", "at counter"),
    # A booked ticket (a checked-in booking), called at its time ahead of walk-ins.
    "booked": ("ตามนัด", "Booked"),
    "counter": ("ช่องบริการ", "Counter"),
    "counters": ("ช่องบริการ", "Counters"),
    "number": TICKET_NUMBER,
    # The big number once its call is over (served, transferred, not found): no longer "now".
    "last_called": ("เรียกล่าสุด", "Last called"),
    "last_calls": ("เรียกก่อนหน้า", "Earlier calls"),
    # A call nobody answered: what the citizen should do, never an accusation.
    "missed": (
        "เรียกหมายเลขของท่านแล้วแต่ไม่พบท่าน กรุณาติดต่อเจ้าหน้าที่",
        "We called but could not find you: please see the staff",
    ),
    "missed_short": ("ติดต่อเจ้าหน้าที่", "See the staff"),
    "waiting": ("รอรับบริการ", "Waiting"),
    "waiting_unit": ("คิว", "waiting"),
    "closed": ("ปิด", "Closed"),
    "paused": ("พักชั่วคราว", "On break"),
    "free": ("ว่าง", "Free"),
    "serving": ("กำลังให้บริการ", "Now serving"),
    "please_come": ("เชิญที่ช่องนี้", "Please come to this counter"),
    "counter_closed": ("ปิดให้บริการ", "Closed"),
    "no_counter": ("ไม่พบช่องบริการนี้", "No such counter"),
    "connecting": ("กำลังเชื่อมต่อ…", "Connecting…"),
    "disconnected": ("ขาดการเชื่อมต่อ", "Disconnected"),
    # Paper mode: what people in the hall do while the screen has lost the server.
    "paper_mode": (
        "ระบบขัดข้อง กรุณารับบัตรคิวที่โต๊ะประชาสัมพันธ์",
        "System down: please take a ticket at the information desk",
    ),
    "reconnecting": (
        "กำลังเชื่อมต่อใหม่ ข้อมูลบนจออาจไม่เป็นปัจจุบัน",
        "Reconnecting; the screen may be out of date",
    ),
    "enable_sound": ("คลิกเพื่อเปิดเสียง", "Click to enable sound"),
    "sound_on": ("เสียงประกาศเปิดอยู่", "Announcements on"),
    "sound_off": ("ปิดเสียงประกาศ", "Announcements off"),
    "voice_clips": ("เสียงบันทึก", "recorded voice"),
    "voice_speech": ("เสียงสังเคราะห์ของเครื่อง", "device speech"),
    "unpaired_title": ("จอนี้ยังไม่ได้จับคู่กับระบบ", "This screen is not paired yet"),
    "unpaired_step1": (
        'ผู้ดูแลระบบสร้างรหัสจอ: saduak device add display "ชื่อจอ"',
        'An administrator creates a screen token: saduak device add display "name"',
    ),
    "unpaired_step2": (
        "เปิดหน้านี้บนจอครั้งเดียวด้วยที่อยู่ /display?token=รหัสจอ จอจะจำรหัสไว้เอง",
        "Open this page once on the screen as /display?token=TOKEN; the screen remembers it",
    ),
    "unpaired_step3": (
        "หรือวางรหัสจอในช่องด้านล่าง แล้วกดจับคู่",
        "Or paste the token below and press Pair",
    ),
    "pair_code_label": ("รหัสจับคู่", "Pairing code"),
    "pair_code_step1": (
        "ผู้ดูแลระบบเปิดหน้า ผู้ดูแลระบบ › อุปกรณ์ แล้วพิมพ์รหัสนี้ เลือกชนิด “จอแสดงผล”",
        "An administrator opens Admin › Devices, types this code and chooses “display”",
    ),
    "pair_code_step2": (
        "เมื่อยืนยันแล้ว จอนี้จะเชื่อมต่อเองและจำการจับคู่ไว้",
        "Once confirmed, this screen connects by itself and stays paired",
    ),
    "pair_code_expires": ("รหัสนี้หมดอายุใน", "This code expires in"),
    "pair_other_ways": (
        "หรือเปิด /display?token=รหัสจอ บนจอนี้ครั้งเดียว หรือวางรหัสจอด้านล่าง",
        "Or open /display?token=TOKEN on this screen once, or paste a token below",
    ),
    "pair_button": ("จับคู่", "Pair"),
    "token_label": ("รหัสจอ", "Screen token"),
    "bad_token": (
        "รหัสของจอนี้ไม่ถูกต้องหรือถูกยกเลิกแล้ว",
        "This screen's token is invalid or has been revoked",
    ),
    "not_display_token": (
        "รหัสนี้ไม่ใช่รหัสของจอแสดงผล",
        "This token does not belong to a display screen",
    ),
}

# Errors of the voice administration API (displays/voice_admin.py).
VOICE_MESSAGES: dict[str, tuple[str, str]] = {
    "no_office": ("ไม่พบสำนักงาน", "office not found"),
    "unknown_clip": ("ไม่มีคลิปเสียงชื่อนี้", "no such clip"),
    "not_uploaded": ("คลิปนี้ยังไม่เคยอัปโหลด", "this clip has no office upload"),
    "too_big": ("ไฟล์เสียงใหญ่เกิน 1 MB", "the WAV file is larger than 1 MB"),
    "not_wav": (
        "ไฟล์นี้ไม่ใช่ไฟล์เสียง WAV แบบ PCM",
        "the file is not a PCM WAV file",
    ),
    "channels": (
        "ไฟล์เสียงต้องเป็นโมโนหรือสเตอริโอ",
        "the WAV must be mono or stereo",
    ),
    "rate": (
        "อัตราสุ่มตัวอย่างของไฟล์เสียงไม่ถูกต้อง (8,000–96,000 Hz)",
        "the WAV sample rate must be 8000–96000 Hz",
    ),
    "too_long": (
        "ไฟล์เสียงยาวเกิน 5 วินาที",
        "the clip is longer than 5 seconds",
    ),
    "empty": ("ไฟล์เสียงไม่มีเสียง", "the WAV file has no audio"),
    "sample": (
        "หมายเลขคิวหรือช่องบริการสำหรับตัวอย่างไม่ถูกต้อง",
        "the sample ticket number or counter is not valid",
    ),
    "office_code": (
        "รหัสสำนักงานใช้เป็นชื่อโฟลเดอร์เสียงไม่ได้",
        "the office code cannot name a clip folder",
    ),
}

# Names of the service groups of the bundled catalogue, for the hall's "waiting" panel, which
# shows one line per ticket prefix (the numbering line): the shared words of counter/texts.py.
GROUP_NAMES: dict[str, tuple[str, str]] = GROUPS


def page_catalogue() -> dict[str, Any]:
    """The part of the catalogue the page scripts need, as JSON-ready data."""
    return {
        "text": {key: {"th": th, "en": en} for key, (th, en) in TEXT.items()},
        "weekdays_th": WEEKDAYS_TH,
        "weekdays_en": WEEKDAYS_EN,
        "months_th": MONTHS_LONG,
        "months_th_short": MONTHS_SHORT,
        "months_en": MONTHS_EN,
    }
