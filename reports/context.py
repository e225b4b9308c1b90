"""What every report of an office reads once per request (the office, its services, counters,
staff, versioned standards, clock, what is sealed) and the names and labels the reports give
them. The per-request memo lives here too: one request reads each figure once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from counter import repository as counter_repo
from counter.models import Counter, Office, Service, Staff
from counter.queue.errors import NotFound
from counter.queue.thai import BE_OFFSET, MONTHS_SHORT, format_thai_date
from counter.standards import FROM_THE_START, StandardHistory, histories
from reports import repository as repo
from reports.metrics import TransactionRow
from reports.periods import Period
from reports.rollup import (
    DEFAULT_THRESHOLDS,
    Built,
    OfficeClock,
    Thresholds,
    ThresholdsAt,
    TicketRecord,
)
from reports.text import COUNTER_NAME, ERR


@dataclass
class OfficeContext:
    """An office and the names and thresholds every report needs, read once per request."""

    office: Office
    clock: OfficeClock
    services: dict[int, Service]
    counters: dict[int, Counter]
    staff: dict[int, Staff]
    standards: dict[int, StandardHistory]
    thresholds: ThresholdsAt
    last_sealed: date | None
    built_months: set[date] = field(default_factory=set)
    live_cache: dict[tuple[date, date], Built] = field(default_factory=dict)
    # What one request has read or computed already (the evidence pack reuses the summary's).
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @property
    def office_id(self) -> int:
        assert self.office.id is not None
        return self.office.id


def thresholds_at(standards: dict[int, StandardHistory]) -> ThresholdsAt:
    """The thresholds of a service on a day, from its versioned standards (fast for the many
    services whose standard never changed)."""
    fixed_th = {
        sid: Thresholds(h.versions[0].standard_minutes * 60, h.versions[0].wait_target_minutes * 60)
        for sid, h in standards.items()
        if len(h.versions) == 1
    }
    cache: dict[tuple[int, date], Thresholds] = {}

    def at(service_id: int, day: date) -> Thresholds:
        th = fixed_th.get(service_id)
        if th is not None:
            return th
        th = cache.get((service_id, day))
        if th is None:
            history = standards.get(service_id)
            if history is None:
                return DEFAULT_THRESHOLDS
            v = history.at(day)
            th = cache[(service_id, day)] = Thresholds(
                v.standard_minutes * 60, v.wait_target_minutes * 60
            )
        return th

    return at


def office_clock(session: Session, office: Office) -> OfficeClock:
    assert office.id is not None
    return OfficeClock(
        tz=ZoneInfo(office.timezone),
        opens=office.opens,
        closes=office.closes,
        holidays=frozenset(counter_repo.holidays(session, office.id)),
    )


def office_dict(office: Office) -> dict[str, Any]:
    return {
        "id": office.id,
        "code": office.code,
        "name_th": office.name_th,
        "name_en": office.name_en,
        "timezone": office.timezone,
    }


def ticket_records(session: Session, office_id: int, first: date, last: date) -> list[TicketRecord]:
    return [
        TicketRecord(tid, bday, number, priority, events, booked_for)
        for tid, bday, number, priority, booked_for, events in repo.ticket_events(
            session, office_id, first, last
        )
    ]


def row_of(fact: dict[str, Any]) -> TransactionRow:
    return TransactionRow(
        fact["ticket_id"],
        fact["transaction_no"],
        fact["business_day"],
        fact["service_id"],
        fact["priority"],
        fact["arrival"],
        fact["outcome"],
        fact["counter_id"],
        fact["staff_id"],
        fact["wait_s"],
        fact["walk_s"],
        fact["service_s"],
        fact["hold_s"],
        fact["total_s"],
        fact["arrival_hour"],
        fact["weekday"],
        fact["end_hour"],
        fact["outside"],
    )


def next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def trend_label(d: date, by_month: bool) -> str:
    if by_month:
        return f"{MONTHS_SHORT[d.month - 1]} {d.year + BE_OFFSET}"
    return format_thai_date(d)


def service_name(ctx: OfficeContext, sid: int) -> str:
    s = ctx.services.get(sid)
    return s.name_th if s else str(sid)


def standard_dict(ctx: OfficeContext, sid: int, day: date) -> dict[str, int | None]:
    history = ctx.standards.get(sid)
    if history is None:
        return {"standard_minutes": None, "wait_target_minutes": None}
    v = history.at(day)
    return {"standard_minutes": v.standard_minutes, "wait_target_minutes": v.wait_target_minutes}


def standards_in(ctx: OfficeContext, period: Period) -> list[dict[str, Any]]:
    """Every service's standard versions in force at some time in the period, with their dates
    (the evidence pack lists them; a period is rated against each day's own standard)."""
    out = []
    for sid in sorted(ctx.standards, key=lambda s: service_pos(ctx, s)):
        versions = ctx.standards[sid].versions
        for i, v in enumerate(versions):
            until = (
                versions[i + 1].effective_from - timedelta(days=1)
                if i + 1 < len(versions)
                else None
            )
            if (until is not None and until < period.first) or v.effective_from > period.last:
                continue
            out.append(
                {
                    "service_id": sid,
                    "name_th": service_name(ctx, sid),
                    "effective_from": (
                        None if v.effective_from <= FROM_THE_START else v.effective_from.isoformat()
                    ),
                    "until": until.isoformat() if until else None,
                    "standard_minutes": v.standard_minutes,
                    "wait_target_minutes": v.wait_target_minutes,
                }
            )
    return out


def service_pos(ctx: OfficeContext, sid: int) -> tuple[int, int]:
    s = ctx.services.get(sid)
    return (s.position if s else 10**6, sid)


def counter_name(ctx: OfficeContext, cid: int) -> str:
    c = ctx.counters.get(cid)
    if c is None:
        return str(cid)
    return COUNTER_NAME[0].format(n=c.number) + (f" {c.name}" if c.name else "")


def counter_no(ctx: OfficeContext, cid: int) -> int:
    c = ctx.counters.get(cid)
    return c.number if c else 10**6


def staff_name(ctx: OfficeContext, sid: int) -> str:
    s = ctx.staff.get(sid)
    return (s.display_name or s.username) if s else str(sid)


def read_context(session: Session, office_id: int) -> OfficeContext:
    """The office and what every report of it needs, read once per request."""
    office = repo.office(session, office_id)
    if office is None:
        raise NotFound(*ERR["no_office"])
    services = {s.id: s for s in counter_repo.services(session, office_id) if s.id}
    counters = repo.counters_by_id(session, office_id)
    staff = {s.id: s for s in counter_repo.staff_list(session, office_id) if s.id}
    standards = histories(session, list(services.values()))
    return OfficeContext(
        office=office,
        clock=office_clock(session, office),
        services=services,
        counters=counters,
        staff=staff,
        standards=standards,
        thresholds=thresholds_at(standards),
        last_sealed=repo.last_sealed_day(session, office_id),
        built_months=repo.built_months(session, office_id),
    )
