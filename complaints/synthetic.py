"""Synthetic complaints for a history of office traffic (demo, screenshots, benchmarks).

About two complaints per 1,000 served, mostly delays and documents, through every channel; most
are acknowledged the next business day and resolved within the deadline, a few late, a few
referred, and the last weeks' still open (some of them past a deadline). Root causes come from a
short list so the same causes recur, as they do in a real office. Deadlines are computed exactly
as intake computes them (`workflow.deadlines`, business days from the holiday list).
"""

from __future__ import annotations

import random
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from complaints.models import Complaint, ComplaintStep
from complaints.workflow import Category, Channel, Status, deadlines, new_code
from counter.queue.hours import OfficeHours, add_business_days

# Complaints per 1,000 served [D]: district offices publish 1–3.
PER_1000 = 2.0

CHANNELS: list[tuple[Channel, float]] = [
    (Channel.WEB, 0.32),
    (Channel.COUNTER, 0.25),
    (Channel.PHONE, 0.16),
    (Channel.LINE, 0.15),
    (Channel.LETTER, 0.07),
    (Channel.OTHER, 0.05),
]

# (category, weight, [(what the citizen wrote, root cause, preventive action)])
CASES: list[tuple[Category, float, list[tuple[str, str, str]]]] = [
    (
        Category.DELAY,
        0.36,
        [
            (
                "รอคิวทำบัตรประจำตัวประชาชนนานกว่า 1 ชั่วโมง",
                "เจ้าหน้าที่ไม่เพียงพอช่วงเช้าวันจันทร์",
                "จัดเจ้าหน้าที่เสริมช่องบริการบัตรประจำตัวประชาชนทุกเช้าวันจันทร์",
            ),
            (
                "ระบบขัดข้อง ต้องรอนานโดยไม่มีใครแจ้ง",
                "ระบบทะเบียนราษฎรขัดข้อง ไม่ได้แจ้งผู้รอรับบริการ",
                "ประกาศที่จอแสดงผลทันทีเมื่อระบบขัดข้อง พร้อมเวลาที่คาดว่าจะกลับมา",
            ),
            (
                "ช่องบริการเปิดไม่ครบช่วงพักกลางวัน",
                "เจ้าหน้าที่ไม่เพียงพอช่วงพักกลางวัน",
                "จัดเวรพักกลางวันให้เปิดช่องบริการอย่างน้อย 2 ช่อง",
            ),
        ],
    ),
    (
        Category.PROCESS,
        0.24,
        [
            (
                "ต้องกลับบ้านไปเอาเอกสารเพิ่ม ไม่มีใครบอกล่วงหน้า",
                "ไม่ได้ประกาศเอกสารที่ต้องใช้ล่วงหน้า",
                "ติดป้ายมาตรฐานการให้บริการและเผยแพร่เอกสารที่ต้องใช้ทาง LINE",
            ),
            (
                "ถูกส่งต่อหลายช่องบริการ ไม่รู้ต้องไปที่ไหน",
                "ไม่มีจุดประชาสัมพันธ์แนะนำขั้นตอน",
                "จัดเจ้าหน้าที่ประชาสัมพันธ์ที่ประตูทางเข้าช่วง 08.30–11.00 น.",
            ),
        ],
    ),
    (
        Category.STAFF_CONDUCT,
        0.14,
        [
            (
                "เจ้าหน้าที่พูดจาไม่สุภาพ",
                "เจ้าหน้าที่ใหม่ยังไม่ผ่านการอบรมการให้บริการ",
                "อบรมการให้บริการแก่เจ้าหน้าที่ใหม่ภายในเดือนแรก",
            ),
        ],
    ),
    (
        Category.FACILITIES,
        0.16,
        [
            (
                "ที่นั่งรอไม่พอ ผู้สูงอายุต้องยืนรอ",
                "ที่นั่งรอไม่เพียงพอช่วงเช้า",
                "เพิ่มเก้าอี้ 20 ที่ และกันที่นั่งสำหรับผู้สูงอายุ",
            ),
            (
                "ห้องน้ำไม่สะอาด",
                "ไม่มีตารางทำความสะอาดห้องน้ำระหว่างวัน",
                "ทำตารางทำความสะอาดทุก 2 ชั่วโมงและติดไว้หน้าห้องน้ำ",
            ),
            (
                "เครื่องปรับอากาศในห้องรอไม่เย็น",
                "เครื่องปรับอากาศไม่ได้บำรุงรักษาตามรอบ",
                "ทำสัญญาบำรุงรักษาเครื่องปรับอากาศทุก 6 เดือน",
            ),
        ],
    ),
    (
        Category.MISCONDUCT,
        0.02,
        [
            (
                "มีผู้อ้างว่าช่วยให้ได้คิวเร็วขึ้นโดยเรียกเก็บเงิน",
                "บุคคลภายนอกแอบอ้างหน้าสำนักงาน",
                "ติดประกาศว่าการรับบัตรคิวไม่มีค่าใช้จ่าย และแจ้งเจ้าหน้าที่ตำรวจ",
            ),
        ],
    ),
    (
        Category.OTHER,
        0.08,
        [
            (
                "ที่จอดรถไม่พอ",
                "ที่จอดรถไม่เพียงพอวันที่มีประชาชนมาก",
                "ประสานโรงเรียนข้างเคียงขอใช้ที่จอดรถในวันเปิดภาคเรียน",
            ),
        ],
    ),
]

# One complaint in this many is forgotten in progress (overdue once its deadline passes).
STUCK_EVERY = 15
REFERRED_TO = "สำนักงานที่ดินอำเภอ"


@dataclass(frozen=True)
class OfficeRules:
    """What intake reads of the office to fix a complaint's deadlines."""

    timezone: str
    hours: OfficeHours
    holidays: Container[date]
    acknowledge_days: int = 1
    resolve_days: int = 15


def _local(day: date, minutes: float, zone: ZoneInfo) -> datetime:
    return (datetime.combine(day, time(0), zone) + timedelta(minutes=minutes)).astimezone(UTC)


def generate(
    office_id: int,
    served_by_day: Mapping[date, int],
    rules: OfficeRules,
    now: datetime,
    *,
    seed: int = 1,
    staff_ids: tuple[int, ...] = (),
) -> list[tuple[Complaint, list[ComplaintStep]]]:
    """The complaints of the days given (with how many were served each day), as they stand
    at `now`: each with its workflow steps, in order of arrival."""
    rng = random.Random(seed)
    zone = ZoneInfo(rules.timezone)
    out: list[tuple[Complaint, list[ComplaintStep]]] = []
    channels, channel_weights = zip(*CHANNELS, strict=True)
    categories = [c for c in CASES]
    category_weights = [w for _, w, _ in CASES]
    for day in sorted(served_by_day):
        expected = served_by_day[day] * PER_1000 / 1000
        count = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(count):
            received = _local(day, 8 * 60 + 30 + rng.random() * 8 * 60, zone)
            if received >= now:
                continue
            category, _, cases = rng.choices(categories, category_weights)[0]
            text, cause, action = rng.choice(cases)
            channel = rng.choices(channels, channel_weights)[0]
            staff = rng.choice(staff_ids) if staff_ids and channel != Channel.WEB else None
            due = deadlines(
                received,
                rules.timezone,
                rules.hours,
                rules.holidays,
                rules.acknowledge_days,
                rules.resolve_days,
            )
            row = Complaint(
                office_id=office_id,
                code=new_code(),
                channel=channel,
                category=category,
                text=text,
                status=Status.RECEIVED,
                received_at=received,
                received_by=staff if channel in (Channel.COUNTER, Channel.PHONE) else None,
                acknowledge_due_at=due.acknowledge_by,
                resolve_due_at=due.resolve_by,
            )
            steps = [ComplaintStep(complaint_id=0, action="received", at=received, staff_id=None)]

            def business(n: int, minutes: float, day: date = day) -> datetime:
                when = add_business_days(rules.hours, day, n, rules.holidays)
                return _local(when, minutes, zone)

            # Acknowledged the same or next business day; one in twelve a day or two late.
            ack_after = rng.choices((0, 1, 2, 3), (0.35, 0.55, 0.06, 0.04))[0]
            acknowledged = business(ack_after, 9 * 60 + rng.random() * 7 * 60)
            if ack_after == 0 and acknowledged <= received:
                acknowledged = received + timedelta(minutes=20 + rng.random() * 90)
            if acknowledged >= now:
                out.append((row, steps))
                continue
            row.status, row.acknowledged_at = Status.ACKNOWLEDGED, acknowledged
            steps.append(ComplaintStep(complaint_id=0, action="acknowledge", at=acknowledged))
            # Resolved mostly within 3–12 business days; some late; a few referred.
            kind = rng.choices(("resolve", "late", "refer"), (0.86, 0.09, 0.05))[0]
            if len(out) % STUCK_EVERY == STUCK_EVERY // 2:
                kind = "stuck"
            after = {
                "resolve": rng.randint(max(1, ack_after), max(2, rules.resolve_days - 3)),
                "late": rules.resolve_days + rng.randint(1, 6),
                "refer": rng.randint(max(1, ack_after), 3),
                "stuck": 10_000,
            }[kind]
            if kind == "stuck":
                # Forgotten: still in progress (overdue once its deadline passes).
                started = acknowledged + timedelta(hours=1)
                if started < now:
                    row.status, row.started_at = Status.IN_PROGRESS, started
                    steps.append(ComplaintStep(complaint_id=0, action="start", at=started))
                out.append((row, steps))
                continue
            finished = business(after, 10 * 60 + rng.random() * 6 * 60)
            if finished >= now:
                out.append((row, steps))
                continue
            if kind == "refer":
                row.status, row.referred_at, row.referred_to = (
                    Status.REFERRED,
                    finished,
                    REFERRED_TO,
                )
                steps.append(ComplaintStep(complaint_id=0, action="refer", at=finished))
                out.append((row, steps))
                continue
            row.status, row.resolved_at = Status.RESOLVED, finished
            row.response = "สำนักงานได้ตรวจสอบและแก้ไขแล้ว ขอบคุณที่แจ้งให้ทราบ"
            row.root_cause, row.preventive_action = cause, action
            steps.append(ComplaintStep(complaint_id=0, action="resolve", at=finished))
            closed = finished + timedelta(days=rng.randint(1, 5))
            if closed < now:
                row.status, row.closed_at = Status.CLOSED, closed
                steps.append(ComplaintStep(complaint_id=0, action="close", at=closed))
            out.append((row, steps))
    return out


def insert(session: Session, rows: list[tuple[Complaint, list[ComplaintStep]]]) -> int:
    """Write the complaints and their steps (codes made unique against each other)."""
    codes: set[str] = set()
    for complaint, steps in rows:
        while complaint.code in codes:
            complaint.code = new_code()
        codes.add(complaint.code)
        session.add(complaint)
        session.flush()
        assert complaint.id is not None
        for step in steps:
            step.complaint_id = complaint.id
            session.add(step)
    session.flush()
    return len(rows)
