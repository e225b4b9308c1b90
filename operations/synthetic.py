"""Synthetic continuity records for a history of office traffic (demo, screenshots): a few
incidents a quarter as staff record them (printer jams, network and power cuts, each with its
impact and the action taken) and a restore drill each quarter, so the continuity section of a
demo's evidence pack is not empty."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from operations.models import BcpDrill, Incident

# (kind, share, minutes low–high, summary, impact, action)
CASES: list[tuple[str, float, tuple[int, int], str, str, str]] = [
    (
        "printer",
        0.45,
        (5, 25),
        "เครื่องพิมพ์บัตรคิวกระดาษติด",
        "ตู้กดบัตรคิวออกบัตรคิวไม่ได้ชั่วคราว",
        "เปลี่ยนม้วนกระดาษ ใช้บัตรคิวกระดาษระหว่างรอ",
    ),
    (
        "network",
        0.3,
        (15, 90),
        "อินเทอร์เน็ตของสำนักงานขัดข้อง",
        "ระบบทะเบียนราษฎรใช้งานไม่ได้ ผู้รับบริการรอนานขึ้น",
        "แจ้งผู้ให้บริการเครือข่าย ประกาศที่จอแสดงผล ใช้บัตรคิวกระดาษ",
    ),
    (
        "power",
        0.15,
        (10, 60),
        "ไฟฟ้าดับ",
        "หยุดให้บริการทุกช่องบริการ",
        "เปิดเครื่องสำรองไฟ ใช้บัตรคิวกระดาษ ตรวจระบบเมื่อไฟกลับมา",
    ),
    (
        "equipment",
        0.1,
        (30, 240),
        "จอแสดงผลห้องรอดับ",
        "ผู้รับบริการไม่เห็นหมายเลขคิวที่เรียก",
        "ประกาศเรียกด้วยเสียงตามสาย เปลี่ยนสายสัญญาณ",
    ),
]
PER_QUARTER = 3


def generate(
    office_id: int,
    days: Sequence[date],
    timezone: str,
    now: datetime,
    *,
    seed: int = 1,
    staff_ids: tuple[int, ...] = (),
) -> tuple[list[Incident], list[BcpDrill]]:
    """The incidents of the working days given and a drill at the start of each quarter."""
    if not days:
        return [], []
    rng = random.Random(seed)
    zone = ZoneInfo(timezone)
    quarters = max(1, round(len(days) / 62))
    kinds = [c for c in CASES]
    weights = [c[1] for c in CASES]
    incidents = []
    for day in sorted(rng.sample(list(days), min(len(days), quarters * PER_QUARTER))):
        kind, _, (low, high), summary, impact, action = rng.choices(kinds, weights)[0]
        local = datetime.combine(day, time(8, 45), zone) + timedelta(minutes=rng.random() * 420)
        started = local.astimezone(UTC)
        ended = started + timedelta(minutes=rng.randint(low, high))
        if ended >= now:
            continue
        incidents.append(
            Incident(
                office_id=office_id,
                kind=kind,
                source="staff",
                started_at=started,
                ended_at=ended,
                summary=summary,
                impact=impact,
                action=action,
                recorded_by=rng.choice(staff_ids) if staff_ids else None,
                created_at=ended + timedelta(minutes=10),
            )
        )
    drills = []
    first, last = days[0], days[-1]
    quarter_start = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    while quarter_start <= last:
        day = quarter_start + timedelta(days=14)
        at = datetime.combine(day, time(17, 30), zone).astimezone(UTC)
        if first <= day <= last and at < now:
            drills.append(
                BcpDrill(
                    at=at,
                    backup_file=f"saduak-{day:%Y%m%d}-0200.db",
                    backup_taken_at=at - timedelta(hours=15, minutes=30),
                    ok=True,
                    seconds=round(8 + rng.random() * 20, 1),
                    detail={"problems": []},
                )
            )
        month = quarter_start.month + 3
        quarter_start = date(quarter_start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return incidents, drills


def insert(session: Session, incidents: Sequence[Incident], drills: Sequence[BcpDrill]) -> None:
    session.add_all([*incidents, *drills])
    session.flush()
