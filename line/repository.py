"""Queries of the LINE package; they take a session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from counter.models import Counter, Office, Ticket, TicketEvent
from line.models import LineAccount, LineLink

PENDING, LINKED, STOPPED, CLOSED = "pending", "linked", "stopped", "closed"


def account(session: Session, office_id: int) -> LineAccount | None:
    return session.get(LineAccount, office_id)


def accounts(session: Session) -> Sequence[LineAccount]:
    return session.exec(select(LineAccount)).all()


def office_by_code(session: Session, code: str) -> Office | None:
    return session.exec(select(Office).where(Office.code == code)).first()


def ticket_by_token(session: Session, token: str) -> Ticket | None:
    return session.exec(select(Ticket).where(Ticket.token == token)).first()


def pending_link(
    session: Session, now: datetime, *, ticket_id: int | None, booking_id: int | None = None
) -> LineLink | None:
    """The newest unused code of a ticket, or of a booking not yet checked in (no ticket)."""
    subject = (
        LineLink.ticket_id == ticket_id
        if ticket_id is not None
        else sa.and_(col(LineLink.booking_id) == booking_id, col(LineLink.ticket_id).is_(None))
    )
    return session.exec(
        select(LineLink)
        .where(subject, LineLink.status == PENDING, col(LineLink.code_expires_at) > now)
        .order_by(col(LineLink.id).desc())
    ).first()


def booking_links(session: Session, booking_id: int) -> Sequence[LineLink]:
    return session.exec(select(LineLink).where(LineLink.booking_id == booking_id)).all()


def first_event_seq(session: Session, ticket_id: int) -> int | None:
    found = session.execute(
        sa.select(sa.func.min(TicketEvent.seq)).where(col(TicketEvent.ticket_id) == ticket_id)
    ).scalar_one_or_none()
    return int(found) if found is not None else None


def ticket_links(session: Session, ticket_id: int) -> Sequence[LineLink]:
    return session.exec(select(LineLink).where(LineLink.ticket_id == ticket_id)).all()


def link_by_code(
    session: Session, office_id: int, code: str, *, lock: bool = True
) -> LineLink | None:
    query = select(LineLink).where(LineLink.office_id == office_id, LineLink.code == code)
    return session.exec(query.with_for_update() if lock else query).first()


def linked(session: Session, office_id: int) -> Sequence[LineLink]:
    return session.exec(
        select(LineLink).where(LineLink.office_id == office_id, LineLink.status == LINKED)
    ).all()


def links_of_user(session: Session, office_id: int, user_id: str) -> Sequence[LineLink]:
    return session.exec(
        select(LineLink).where(
            LineLink.office_id == office_id,
            LineLink.line_user_id == user_id,
            LineLink.status == LINKED,
        )
    ).all()


def tickets(session: Session, ids: Sequence[int]) -> dict[int, Ticket]:
    if not ids:
        return {}
    rows = session.exec(select(Ticket).where(col(Ticket.id).in_(ids))).all()
    return {t.id: t for t in rows if t.id is not None}


def ticket_events_after(
    session: Session, office_id: int, ticket_ids: Sequence[int], after: int, upto: int
) -> Sequence[TicketEvent]:
    if not ticket_ids:
        return []
    return session.exec(
        select(TicketEvent)
        .where(
            TicketEvent.office_id == office_id,
            col(TicketEvent.ticket_id).in_(ticket_ids),
            col(TicketEvent.seq) > after,
            col(TicketEvent.seq) <= upto,
        )
        .order_by(col(TicketEvent.seq))
    ).all()


def counter_numbers(session: Session, office_id: int) -> dict[int, int]:
    rows = session.exec(select(Counter).where(Counter.office_id == office_id)).all()
    return {c.id: c.number for c in rows if c.id is not None}


def links_for_update(session: Session, ids: Sequence[int]) -> dict[int, LineLink]:
    if not ids:
        return {}
    rows = session.exec(select(LineLink).where(col(LineLink.id).in_(ids)).with_for_update()).all()
    return {row.id: row for row in rows if row.id is not None}


def link_counts(
    session: Session, office_id: int, since: datetime, until: datetime
) -> tuple[int, int, int]:
    """Links made (a LINE user sent the code) in [since, until), how many of them were stopped
    by the citizen, and how many distinct tickets they cover."""
    linked_in = sa.and_(
        col(LineLink.office_id) == office_id,
        col(LineLink.linked_at) >= since,
        col(LineLink.linked_at) < until,
    )
    made = session.execute(sa.select(sa.func.count()).where(linked_in)).scalar_one()
    stopped = session.execute(
        sa.select(sa.func.count()).where(linked_in, col(LineLink.stopped_at).is_not(None))
    ).scalar_one()
    tickets = session.execute(
        sa.select(sa.func.count(sa.distinct(col(LineLink.ticket_id)))).where(linked_in)
    ).scalar_one()
    return int(made), int(stopped), int(tickets)


def linked_ticket_count(session: Session, office_id: int, first: date, last: date) -> int:
    """Tickets of business days first..last that a LINE user was linked to (a ticket's own link
    or its booking's)."""
    found = session.execute(
        sa.select(sa.func.count(sa.distinct(col(LineLink.ticket_id))))
        .join(Ticket, col(Ticket.id) == col(LineLink.ticket_id))
        .where(
            col(LineLink.office_id) == office_id,
            col(LineLink.linked_at).is_not(None),
            col(Ticket.business_day) >= first,
            col(Ticket.business_day) <= last,
        )
    ).scalar_one()
    return int(found)
