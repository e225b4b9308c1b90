"""Queries of the operations tables; each takes a session and never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from counter.models import Ticket, TicketEvent
from operations.models import BcpDrill, Incident, ServerRun


def serialise_incident_writes(session: Session) -> None:
    """One writer of incidents at a time across processes, so two processes that see the same
    outage extend one incident instead of writing two. SQLite's write transactions are already
    exclusive (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(7215001)"))


def open_runs(session: Session) -> Sequence[ServerRun]:
    return session.exec(select(ServerRun).where(col(ServerRun.stopped_at).is_(None))).all()


def overlapping_system_incident(
    session: Session, kind: str, started_at: datetime, ended_at: datetime | None
) -> Incident | None:
    """A server-wide incident of `kind` whose time overlaps [started_at, ended_at]."""
    query = select(Incident).where(
        Incident.kind == kind,
        Incident.source == "system",
        col(Incident.office_id).is_(None),
        or_(col(Incident.ended_at).is_(None), col(Incident.ended_at) >= started_at),
    )
    if ended_at is not None:
        query = query.where(col(Incident.started_at) <= ended_at)
    return session.exec(query.order_by(col(Incident.started_at))).first()


def open_printer_incident(session: Session, device_id: int) -> Incident | None:
    return session.exec(
        select(Incident).where(
            Incident.kind == "printer",
            Incident.device_id == device_id,
            col(Incident.ended_at).is_(None),
        )
    ).first()


def incidents(
    session: Session, office_id: int, first: datetime, last: datetime
) -> Sequence[Incident]:
    """The office's incidents and the server-wide ones that started in [first, last)."""
    return session.exec(
        select(Incident)
        .where(
            or_(Incident.office_id == office_id, col(Incident.office_id).is_(None)),
            col(Incident.started_at) >= first,
            col(Incident.started_at) < last,
        )
        .order_by(col(Incident.started_at).desc())
    ).all()


def incident_of_office(session: Session, office_id: int, incident_id: int) -> Incident | None:
    incident = session.get(Incident, incident_id)
    if incident is None or incident.office_id not in (office_id, None):
        return None
    return incident


def drills(session: Session, first: datetime, last: datetime) -> Sequence[BcpDrill]:
    return session.exec(
        select(BcpDrill)
        .where(col(BcpDrill.at) >= first, col(BcpDrill.at) < last)
        .order_by(col(BcpDrill.at))
    ).all()


def last_passed_drill(session: Session) -> BcpDrill | None:
    return session.exec(
        select(BcpDrill).where(col(BcpDrill.ok).is_(True)).order_by(col(BcpDrill.at).desc())
    ).first()


def events_since(session: Session, office_id: int, since: datetime) -> dict[tuple[int, str], int]:
    """(service id, kind) -> count of the office's issued and called events since `since`."""
    rows = session.exec(
        select(col(TicketEvent.service_id), col(TicketEvent.kind), sa.func.count())
        .where(
            TicketEvent.office_id == office_id,
            col(TicketEvent.at) >= since,
            col(TicketEvent.kind).in_(("issued", "called")),
        )
        .group_by(col(TicketEvent.service_id), col(TicketEvent.kind))
    )
    return {(sid, kind): int(n) for sid, kind, n in rows}


def waiting_by_service(
    session: Session, office_id: int, day: date
) -> dict[int, tuple[int, datetime]]:
    """Service id -> (tickets waiting today, when the longest-waiting one joined its line)."""
    rows = session.exec(
        select(col(Ticket.service_id), sa.func.count(), sa.func.min(col(Ticket.queued_at)))
        .where(
            Ticket.office_id == office_id,
            Ticket.business_day == day,
            Ticket.status == "waiting",
        )
        .group_by(col(Ticket.service_id))
    )
    # min() keeps the column's type: aware UTC times on both databases.
    return {sid: (int(n), first) for sid, n, first in rows}
