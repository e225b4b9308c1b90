"""A booked ticket is marked where people see it: the printed slip, the kiosk's answer, the
display's call message and snapshot."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from displays.messages import display_message
from displays.voice import VoiceOptions
from kiosk.texts import booked_label
from printer.render import render_slip
from printer.slip import Slip

SLIP = Slip(
    office_name_th="ที่ทำการปกครองอำเภอสะดวก",
    office_name_en="Saduak District Office",
    service_name_th="จดทะเบียนสมรส",
    service_name_en="Marriage registration",
    number="C001",
    wait_th="ไม่มีคิวรอก่อนหน้า (ประมาณ 3–9 นาที)",
    wait_en="Nobody ahead (about 3–9 min)",
    issued_text="30 พ.ย. 2569 09.50 น.",
    status_url="http://127.0.0.1/t/abc",
    priority_label=None,
    footer_th="กรุณารอเรียกหมายเลขที่หน้าจอ",
    footer_en="Please wait for your number on the screen",
)


def test_the_mark_says_the_slot_in_bangkok_time() -> None:
    slot = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert booked_label(slot, "Asia/Bangkok") == "ตามนัด 10.00 น. / Booked 10.00"
    assert booked_label(None, "Asia/Bangkok") is None


def test_the_slip_prints_the_mark() -> None:
    plain = render_slip(SLIP, 576)
    booked = render_slip(replace(SLIP, booked_label="ตามนัด 10.00 น. / Booked 10.00"), 576)
    # The mark is a badge of its own: the booked slip is longer by it, the same width.
    assert booked.width == plain.width and booked.height > plain.height + 20


def test_the_display_marks_a_booked_call() -> None:
    event = {
        "type": "ticket.called",
        "seq": 7,
        "office": 1,
        "at": "2026-11-30T03:00:00+00:00",
        "ticket_id": 5,
        "number": "C001",
        "counter": 3,
        "service_id": 10,
        "recall_count": 0,
        "booked": True,
    }
    message = display_message(event, VoiceOptions())
    assert message is not None and message["booked"] is True
    walk_in = display_message(event | {"booked": False}, VoiceOptions())
    assert walk_in is not None and walk_in["booked"] is False
