"""Versioned service standards: the standard time and wait target in force on a business day.

Changing a service's standard minutes or wait target records a version effective from a date;
a past period is rated against the standard in force when each service happened (DOMAIN.md).
`Service.standard_minutes` / `wait_target_minutes` always hold the standard in force today.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from counter.models import Service, ServiceStandard
from counter.queue.errors import InvalidInput
from counter.texts import say

# The first version of a changed service: what applied before any recorded change.
FROM_THE_START = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class Standard:
    standard_minutes: int
    wait_target_minutes: int
    effective_from: date = FROM_THE_START


@dataclass(frozen=True)
class StandardHistory:
    """One service's versions, oldest first; `at(day)` is the one in force that day."""

    versions: tuple[Standard, ...]

    def at(self, day: date) -> Standard:
        starts = [v.effective_from for v in self.versions]
        return self.versions[max(0, bisect_right(starts, day) - 1)]

    def changes_within(self, first: date, last: date) -> bool:
        """Whether a version starts after `first` and on or before `last`."""
        return any(first < v.effective_from <= last for v in self.versions)


def history(service: Service, rows: Iterable[ServiceStandard]) -> StandardHistory:
    versions = sorted(
        (Standard(r.standard_minutes, r.wait_target_minutes, r.effective_from) for r in rows),
        key=lambda v: v.effective_from,
    )
    if not versions:
        versions = [Standard(service.standard_minutes, service.wait_target_minutes)]
    return StandardHistory(tuple(versions))


def histories(session: Session, services: Sequence[Service]) -> dict[int, StandardHistory]:
    """Every service's history, read in one query."""
    ids = [s.id for s in services if s.id is not None]
    rows: dict[int, list[ServiceStandard]] = {}
    if ids:
        for row in session.exec(
            select(ServiceStandard).where(col(ServiceStandard.service_id).in_(ids))
        ).all():
            rows.setdefault(row.service_id, []).append(row)
    return {s.id: history(s, rows.get(s.id, [])) for s in services if s.id is not None}


def standard_in_force(session: Session, service: Service, day: date) -> Standard:
    """The standard time and wait target of `service` on business day `day`."""
    return histories(session, [service])[service.id or 0].at(day)


def record(
    session: Session,
    service: Service,
    standard_minutes: int,
    wait_target_minutes: int,
    effective_from: date,
    today: date,
    *,
    at: datetime,
    staff_id: int | None = None,
) -> None:
    """Record a change of standard effective from a date (today or earlier, never later: the
    service's own columns must always hold today's standard), then refresh those columns."""
    assert service.id is not None
    if effective_from > today:
        raise InvalidInput(*say("standard_in_future"))
    if effective_from <= FROM_THE_START:
        raise InvalidInput(*say("standard_too_early"))
    rows = list(
        session.exec(select(ServiceStandard).where(ServiceStandard.service_id == service.id)).all()
    )
    if not rows:
        # Keep what applied until now as the first version.
        first = ServiceStandard(
            service_id=service.id,
            effective_from=FROM_THE_START,
            standard_minutes=service.standard_minutes,
            wait_target_minutes=service.wait_target_minutes,
            recorded_at=at,
            recorded_by=staff_id,
        )
        session.add(first)
        rows.append(first)
    same_day = next((r for r in rows if r.effective_from == effective_from), None)
    if same_day is None:
        same_day = ServiceStandard(
            service_id=service.id,
            effective_from=effective_from,
            standard_minutes=standard_minutes,
            wait_target_minutes=wait_target_minutes,
            recorded_at=at,
        )
        session.add(same_day)
        rows.append(same_day)
    same_day.standard_minutes = standard_minutes
    same_day.wait_target_minutes = wait_target_minutes
    same_day.recorded_at = at
    same_day.recorded_by = staff_id
    now_in_force = history(service, rows).at(today)
    service.standard_minutes = now_in_force.standard_minutes
    service.wait_target_minutes = now_in_force.wait_target_minutes
