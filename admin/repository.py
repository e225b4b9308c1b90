"""Queries of the admin package. Takes a session, never commits; every query names its office."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from admin.models import AuditEntry, OfficeSettings, ProvinceMember
from counter.models import (
    AuthToken,
    Counter,
    CounterService,
    Device,
    Holiday,
    Service,
    Staff,
)


def office_settings(session: Session, office_id: int) -> OfficeSettings:
    """The office's settings row, or the defaults (not added) when it has none yet."""
    return session.get(OfficeSettings, office_id) or OfficeSettings(office_id=office_id)


def office_settings_for_update(session: Session, office_id: int) -> OfficeSettings:
    row = session.get(OfficeSettings, office_id)
    if row is None:
        row = OfficeSettings(office_id=office_id)
        session.add(row)
    return row


# ------------------------------------------------------------------ rows of one office, by id


def service(session: Session, office_id: int, service_id: int) -> Service | None:
    row = session.get(Service, service_id)
    return row if row is not None and row.office_id == office_id else None


def counter(session: Session, office_id: int, counter_id: int) -> Counter | None:
    row = session.get(Counter, counter_id)
    return row if row is not None and row.office_id == office_id else None


def staff(session: Session, office_id: int, staff_id: int) -> Staff | None:
    row = session.get(Staff, staff_id)
    return row if row is not None and row.office_id == office_id else None


def device(session: Session, office_id: int, device_id: int) -> Device | None:
    row = session.get(Device, device_id)
    return row if row is not None and row.office_id == office_id else None


def holiday(session: Session, office_id: int, holiday_id: int) -> Holiday | None:
    row = session.get(Holiday, holiday_id)
    return row if row is not None and row.office_id == office_id else None


def holiday_on(session: Session, office_id: int, day: date) -> Holiday | None:
    return session.exec(
        select(Holiday).where(Holiday.office_id == office_id, Holiday.day == day)
    ).first()


def holiday_rows(session: Session, office_id: int) -> Sequence[Holiday]:
    return session.exec(
        select(Holiday).where(Holiday.office_id == office_id).order_by(col(Holiday.day))
    ).all()


def delete_counter_services(session: Session, counter_id: int) -> None:
    session.execute(sa.delete(CounterService).where(col(CounterService.counter_id) == counter_id))


def all_counter_services(session: Session, office_id: int) -> Sequence[CounterService]:
    return session.exec(
        select(CounterService)
        .join(Counter, col(Counter.id) == CounterService.counter_id)
        .where(Counter.office_id == office_id)
        .order_by(col(CounterService.counter_id), col(CounterService.position))
    ).all()


def active_admins(session: Session, office_id: int) -> Sequence[Staff]:
    return session.exec(
        select(Staff).where(
            Staff.office_id == office_id, Staff.role == "admin", col(Staff.active).is_(True)
        )
    ).all()


def revoke_tokens_of(session: Session, staff_id: int) -> None:
    """End every login of one account (password reset, deactivation)."""
    session.execute(
        sa.update(AuthToken)
        .where(col(AuthToken.staff_id) == staff_id, col(AuthToken.revoked).is_(False))
        .values(revoked=True)
    )


# ------------------------------------------------------------------ audit


def audit_entries(
    session: Session,
    office_id: int,
    *,
    limit: int = 100,
    before_id: int | None = None,
    action_prefix: str | None = None,
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.office_id == office_id)
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    if action_prefix:
        query = query.where(col(AuditEntry.action).startswith(action_prefix))
    return session.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit)).all()


# ------------------------------------------------------------------ province


def shares_of_office(
    session: Session, office_id: int
) -> Sequence[tuple[ProvinceMember, Staff | None]]:
    rows = session.exec(
        select(ProvinceMember, Staff)
        .join(Staff, col(Staff.id) == ProvinceMember.staff_id, isouter=True)
        .where(ProvinceMember.office_id == office_id)
        .order_by(col(ProvinceMember.username))
    ).all()
    return [(member, staff) for member, staff in rows]


def share(session: Session, office_id: int, username: str) -> ProvinceMember | None:
    return session.exec(
        select(ProvinceMember).where(
            ProvinceMember.office_id == office_id, ProvinceMember.username == username
        )
    ).first()


def share_by_id(session: Session, office_id: int, share_id: int) -> ProvinceMember | None:
    member = session.get(ProvinceMember, share_id)
    return member if member is not None and member.office_id == office_id else None
