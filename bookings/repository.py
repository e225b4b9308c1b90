"""Queries of advance booking; they take the session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from bookings.models import BookableService, Booking, BookingSettings
from counter.models import Counter, CounterService, Ticket


def by_code(session: Session, code: str, office_id: int | None = None) -> list[Booking]:
    """Bookings with this code: one per office at most (another system's codes may repeat
    across offices on a shared server)."""
    query = select(Booking).where(Booking.code == code)
    if office_id is not None:
        query = query.where(Booking.office_id == office_id)
    return list(session.exec(query).all())


def for_update(session: Session, booking_id: int) -> Booking | None:
    return session.exec(select(Booking).where(Booking.id == booking_id).with_for_update()).first()


def code_taken(session: Session, code: str) -> bool:
    return session.exec(select(Booking.id).where(Booking.code == code)).first() is not None


def on_day(
    session: Session, office_id: int, day: date, service_id: int | None = None
) -> list[Booking]:
    """The bookings of one office and day (cancelled ones too), by slot."""
    query = select(Booking).where(Booking.office_id == office_id, Booking.day == day)
    if service_id is not None:
        query = query.where(Booking.service_id == service_id)
    return list(session.exec(query.order_by(col(Booking.slot_start), col(Booking.id))).all())


def booked_per_slot(
    session: Session, service_id: int, day: date, leave_out: int | None = None
) -> dict[datetime, int]:
    """Slot start -> bookings held (not cancelled) of a service on a day."""
    query = (
        sa.select(col(Booking.slot_start), func.count())
        .where(
            col(Booking.service_id) == service_id,
            col(Booking.day) == day,
            col(Booking.cancelled_at).is_(None),
        )
        .group_by(col(Booking.slot_start))
    )
    if leave_out is not None:
        query = query.where(col(Booking.id) != leave_out)
    return {start: int(n) for start, n in session.execute(query).all()}


def held_by_phone(
    session: Session, office_id: int, phone: str, day: date, leave_out: int | None = None
) -> int:
    query = select(func.count()).where(
        Booking.office_id == office_id,
        Booking.phone == phone,
        Booking.day == day,
        col(Booking.cancelled_at).is_(None),
    )
    if leave_out is not None:
        query = query.where(col(Booking.id) != leave_out)
    return int(session.exec(query).one())


def counters_serving(session: Session, service_id: int) -> int:
    """Active counters whose standing services include this one."""
    query = (
        select(func.count(func.distinct(Counter.id)))
        .join(CounterService, col(CounterService.counter_id) == col(Counter.id))
        .where(CounterService.service_id == service_id, col(Counter.active).is_(True))
    )
    return int(session.exec(query).one())


def service_rules(session: Session, service_id: int) -> BookableService | None:
    return session.get(BookableService, service_id)


def office_rules(session: Session, office_id: int) -> BookingSettings | None:
    return session.get(BookingSettings, office_id)


def tickets(session: Session, ids: Sequence[int]) -> dict[int, Ticket]:
    if not ids:
        return {}
    rows = session.exec(select(Ticket).where(col(Ticket.id).in_(ids))).all()
    return {t.id: t for t in rows if t.id is not None}


def in_period(session: Session, office_id: int, first: date, last: date) -> list[Booking]:
    return list(
        session.exec(
            select(Booking).where(
                Booking.office_id == office_id, Booking.day >= first, Booking.day <= last
            )
        ).all()
    )


def visits_issued(session: Session, office_id: int, first: date, last: date) -> int:
    """Tickets issued over the period (each a visit, booked or not)."""
    query = select(func.count()).where(
        Ticket.office_id == office_id, Ticket.business_day >= first, Ticket.business_day <= last
    )
    return int(session.exec(query).one())
