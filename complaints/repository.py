"""Queries of the complaint register. Takes a session, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from complaints.models import Complaint, ComplaintSettings
from complaints.workflow import OPEN


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    channel: str | None = None
    category: str | None = None
    open_only: bool = False
    received_from: datetime | None = None
    received_before: datetime | None = None


def settings(session: Session, office_id: int) -> ComplaintSettings:
    row = session.get(ComplaintSettings, office_id)
    return row if row is not None else ComplaintSettings(office_id=office_id)


def by_code(session: Session, code: str) -> Complaint | None:
    return session.exec(select(Complaint).where(Complaint.code == code)).first()


def get(session: Session, office_id: int, complaint_id: int) -> Complaint | None:
    row = session.get(Complaint, complaint_id)
    return row if row is not None and row.office_id == office_id else None


def for_update(session: Session, office_id: int, complaint_id: int) -> Complaint | None:
    return session.exec(
        select(Complaint)
        .where(Complaint.id == complaint_id, Complaint.office_id == office_id)
        .with_for_update()
    ).first()


def code_taken(session: Session, code: str) -> bool:
    return by_code(session, code) is not None


def listing(
    session: Session, office_id: int, filters: Filters, limit: int = 500
) -> Sequence[Complaint]:
    query = select(Complaint).where(Complaint.office_id == office_id)
    if filters.status:
        query = query.where(Complaint.status == filters.status)
    if filters.channel:
        query = query.where(Complaint.channel == filters.channel)
    if filters.category:
        query = query.where(Complaint.category == filters.category)
    if filters.open_only:
        query = query.where(col(Complaint.status).in_([s.value for s in OPEN]))
    if filters.received_from is not None:
        query = query.where(col(Complaint.received_at) >= filters.received_from)
    if filters.received_before is not None:
        query = query.where(col(Complaint.received_at) < filters.received_before)
    return session.exec(
        query.order_by(col(Complaint.received_at).desc(), col(Complaint.id).desc()).limit(limit)
    ).all()


def received_between(
    session: Session, office_id: int, first: datetime, before: datetime
) -> Sequence[Complaint]:
    return session.exec(
        select(Complaint).where(
            Complaint.office_id == office_id,
            col(Complaint.received_at) >= first,
            col(Complaint.received_at) < before,
        )
    ).all()


def open_complaints(session: Session, office_id: int) -> Sequence[Complaint]:
    return session.exec(
        select(Complaint).where(
            Complaint.office_id == office_id,
            col(Complaint.status).in_([s.value for s in OPEN]),
        )
    ).all()
