"""Sealing: a business day is final once the office's day rollover has run past it
(Office.last_business_day is later) and none of its tickets is still open. Such days are
replayed from the event log once and stored as rollups (reports/rollup.py: transactions,
day × service and breakdown aggregates, calls; reports/sessions.py: counter sessions), and
whole finished months merged once. Sealing happens lazily, at the start of any report request,
one day per short write transaction; rollups of an older FACTS_VERSION are rebuilt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from counter import repository as counter_repo
from counter.db import Database
from counter.queue.errors import NotFound
from counter.standards import histories
from counter.unit_of_work import office_transaction
from reports import repository as repo
from reports.context import next_month, office_clock, thresholds_at, ticket_records
from reports.models import ReportDay
from reports.rollup import (
    FACTS_VERSION,
    DayServiceAgg,
    OfficeClock,
    TicketRecord,
    build,
    local_day_bounds,
    merge_aggs,
)
from reports.sessions import LOOKBACK, SessionRow, counter_intervals, day_rows
from reports.text import ERR

log = logging.getLogger(__name__)

# Days whose events are read in one go while sealing.
SEAL_READ_DAYS = 7


def seal(db: Database, now: Callable[[], datetime], office_id: int) -> int:
    """Build and store the rollups of every final, unsealed day; returns how many."""
    with db.read() as session:
        office = repo.office(session, office_id)
        if office is None:
            raise NotFound(*ERR["no_office"])
        before = office.last_business_day
        if before is None:
            return 0
        # A ticket in service at the day end keeps its day open until staff finish it.
        before = min(before, repo.first_open_day(session, office_id, before) or before)
        after = repo.last_sealed_day(session, office_id)
        restandardised = repo.restandardised_from(session, office_id)
        if _outdated(session, office_id):
            # Built by older rules: drop them all and build again from the start.
            with office_transaction(db, office_id) as (wsession, _):
                repo.delete_report_days(wsession, office_id)
            after = None
        elif restandardised is not None and after is not None:
            # A standard changed with an earlier effective date: its days are rated again.
            with office_transaction(db, office_id) as (wsession, _):
                repo.unseal_from(wsession, office_id, restandardised)
            after = min(after, restandardised - timedelta(days=1))
        days = repo.ticket_days(session, office_id, after, before)
        clock = office_clock(session, office)
        thresholds = thresholds_at(
            histories(session, list(counter_repo.services(session, office_id)))
        )
        # The first day whose counter sessions are not stored yet.
        pending = after + timedelta(days=1) if after is not None else None
        if pending is None and days:
            first_event = repo.first_counter_event(session, office_id)
            pending = days[0]
            if first_event is not None:
                pending = min(pending, first_event.astimezone(clock.tz).date())
    sealed = 0
    # Read a few days' events at once (fewer round trips), write each day in its own short
    # transaction (queue writes on SQLite wait behind it).
    for start in range(0, len(days), SEAL_READ_DAYS):
        chunk = days[start : start + SEAL_READ_DAYS]
        assert pending is not None
        with db.read() as session:
            records = ticket_records(session, office_id, chunk[0], chunk[-1])
            session_rows = _session_rows(session, office_id, clock, pending, chunk[-1], now)
        by_day: dict[date, list[TicketRecord]] = {}
        for record in records:
            by_day.setdefault(record.business_day, []).append(record)
        for day in chunk:
            facts, aggs, calls = build(office_id, by_day.get(day, []), clock, thresholds)
            # This day's counter sessions and those of the days without tickets before it.
            since, pending = pending, day + timedelta(days=1)
            sessions = [r.as_row(office_id) for r in session_rows if since <= r.business_day <= day]
            try:
                with office_transaction(db, office_id) as (session, _):
                    if repo.is_sealed(session, office_id, day):
                        continue
                    repo.save_day(
                        session,
                        office_id,
                        day,
                        facts,
                        [a.as_row() for a in aggs if not a.kind],
                        now(),
                        FACTS_VERSION,
                        [a.as_row() for a in aggs if a.kind],
                        [c.as_row() for c in calls],
                        sessions,
                    )
                sealed += 1
            except sa.exc.IntegrityError:
                # Another process sealed the same day first; its rows are the same.
                log.info("day %s of office %s was sealed concurrently", day, office_id)
    _build_months(db, now, office_id, before)
    return sealed


def _session_rows(
    session: Session,
    office_id: int,
    clock: OfficeClock,
    first: date,
    last: date,
    now: Callable[[], datetime],
) -> list[SessionRow]:
    """The session day rows of the local days first..last, from the counter log."""
    start, end = local_day_bounds(first - LOOKBACK, last, clock.tz)
    # A session closed by the next morning's rollover began before the end; read a day
    # further so it is seen, then clip.
    events = repo.counter_events(session, office_id, start, end + timedelta(days=1))
    intervals = counter_intervals(events, clock, start, end, now())
    return day_rows(intervals, clock.tz, first, last)


def _build_months(db: Database, now: Callable[[], datetime], office_id: int, before: date) -> None:
    """Merge the days of each finished, sealed month into the month rollup, once."""
    with db.read() as session:
        built = repo.built_months(session, office_id)
        start = next_month(max(built)) if built else date(1900, 1, 1)
        months = sorted(
            {d.replace(day=1) for d in repo.sealed_days_from(session, office_id, start)}
        )
    for month in months:
        last = next_month(month) - timedelta(days=1)
        if month in built or last >= before:
            continue
        with db.read() as session:
            aggs = [
                DayServiceAgg.from_row(r)
                for r in repo.day_services(session, [office_id], month, last)
            ] + [
                DayServiceAgg.from_group_row(r)
                for r in repo.day_groups(session, office_id, month, last)
            ]
        rows = [a.as_row("month") for a in merge_aggs(office_id, month, aggs)]
        try:
            with office_transaction(db, office_id) as (session, _):
                if month in repo.built_months(session, office_id):
                    continue
                repo.save_month(session, office_id, month, rows, now(), FACTS_VERSION)
        except sa.exc.IntegrityError:
            log.info("month %s of office %s was built concurrently", month, office_id)


def _outdated(session: Session, office_id: int) -> bool:
    oldest = session.exec(
        select(sa.func.min(ReportDay.version)).where(col(ReportDay.office_id) == office_id)
    ).one()
    return oldest is not None and oldest < FACTS_VERSION
