"""Paper tickets: numbers handed out on paper while the system was down, entered afterwards so the
service log stays complete. They are counted, flagged as paper, and never enter an average."""

from __future__ import annotations

from collections import Counter as Tally
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from counter import repository as counter_repo
from counter.auth import StaffPrincipal
from counter.models import Office, PaperTicket, Service
from counter.queue.errors import Conflict, InvalidInput
from counter.service import local_day
from operations.schemas import PaperTicketsIn, as_utc


def enter_paper_tickets(
    session: Session, office: Office, staff: StaffPrincipal, data: PaperTicketsIn, now: datetime
) -> list[PaperTicket]:
    assert office.id is not None
    rows: list[PaperTicket] = []
    seen: set[tuple[date, str]] = set()
    for i, item in enumerate(data.tickets, start=1):
        where = f"แถวที่ {i} / row {i}"
        service = counter_repo.service_by_code(session, office.id, item.service)
        if service is None:
            raise InvalidInput(f"{where}: ไม่พบบริการ", f"row {i}: no service {item.service!r}")
        assert service.id is not None
        issued = as_utc(item.issued_at, office.timezone)
        served = as_utc(item.served_at, office.timezone) if item.served_at else None
        if issued > now or (served is not None and served > now):
            raise InvalidInput(f"{where}: เวลาอยู่ในอนาคต", f"row {i}: a time is in the future")
        if served is not None and served < issued:
            raise InvalidInput(
                f"{where}: เวลาให้บริการก่อนเวลารับบัตรคิว", f"row {i}: served before issued"
            )
        counter_id = None
        if item.counter is not None:
            counter = counter_repo.counter_by_number(session, office.id, item.counter)
            if counter is None:
                raise InvalidInput(f"{where}: ไม่พบช่องบริการ", f"row {i}: no counter {item.counter}")
            counter_id = counter.id
        number = item.number.strip().upper()
        day = local_day(issued, office.timezone)
        if (day, number) in seen:
            raise InvalidInput(f"{where}: หมายเลขคิวซ้ำ", f"row {i}: number {number} given twice")
        seen.add((day, number))
        rows.append(
            PaperTicket(
                office_id=office.id,
                business_day=day,
                number=number,
                service_id=service.id,
                issued_at=issued,
                served_at=served,
                counter_id=counter_id,
                entered_by=staff.staff_id,
                entered_at=now,
            )
        )
    session.add_all(rows)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "มีหมายเลขคิวกระดาษนี้ในวันเดียวกันแล้ว", "a paper ticket with that number was entered that day"
        ) from exc
    return rows


def paper_tickets(session: Session, office_id: int, first: date, last: date) -> list[PaperTicket]:
    return list(
        session.exec(
            select(PaperTicket)
            .where(
                PaperTicket.office_id == office_id,
                col(PaperTicket.business_day) >= first,
                col(PaperTicket.business_day) <= last,
            )
            .order_by(col(PaperTicket.business_day), col(PaperTicket.issued_at))
        )
    )


def paper_row(ticket: PaperTicket, services: dict[int, Service]) -> dict[str, Any]:
    service = services.get(ticket.service_id)
    return {
        "id": ticket.id,
        "paper": True,
        "business_day": ticket.business_day.isoformat(),
        "number": ticket.number,
        "service": service.code if service else None,
        "service_name_th": service.name_th if service else None,
        "issued_at": ticket.issued_at,
        "served_at": ticket.served_at,
    }


def paper_figures(session: Session, office: Office, first: date, last: date) -> dict[str, Any]:
    """What a report shows of the period's paper tickets: counts only, no duration."""
    assert office.id is not None
    tickets = paper_tickets(session, office.id, first, last)
    services = {s.id: s for s in counter_repo.services(session, office.id) if s.id is not None}
    per_service = Tally(t.service_id for t in tickets)
    return {
        "count": len(tickets),
        "served": sum(1 for t in tickets if t.served_at is not None),
        "by_service": [
            {
                "service": services[sid].code if sid in services else None,
                "name_th": services[sid].name_th if sid in services else None,
                "name_en": services[sid].name_en if sid in services else None,
                "count": n,
            }
            for sid, n in sorted(per_service.items(), key=lambda kv: -kv[1])
        ],
        "note_th": "บัตรคิวกระดาษระหว่างระบบขัดข้อง ไม่ทราบระยะเวลาที่แน่นอน จึงไม่นำไปคำนวณค่าเฉลี่ย",
        "note_en": "Paper tickets of outages: their times are approximate, so no average uses them",
    }
