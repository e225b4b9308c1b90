"""A realistic history for an office without traffic yet: `saduak demo --history DAYS`.

The office's past working days (weekends and its holidays left out) up to yesterday get the
synthetic traffic of reports/synthetic.py — tickets, events, counter sessions, satisfaction and
needs-survey answers — the complaints of complaints/synthetic.py and the incidents and restore
drills of operations/synthetic.py, so a newcomer's reports, register and evidence pack show more
than one day.
"""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from complaints import repository as complaints_repo
from complaints import synthetic as complaints_synthetic
from counter import repository as repo
from counter.db import Database
from counter.models import Office
from counter.queue.thai import business_day
from counter.service import office_hours
from operations import synthetic as continuity_synthetic
from reports import synthetic

# A small district office: about 70 tickets a working day (some 17,000 a year).
TICKETS_PER_DAY = 70
MAX_DAYS = 800


@dataclass(frozen=True)
class History:
    days: int
    first: date | None
    last: date | None
    tickets: int
    complaints: int


class HistoryRefused(Exception):
    """The office already has traffic, or the request makes no sense; says why."""


def seed_history(
    db: Database, office_id: int, days: int, now: datetime, *, seed: int = 1
) -> History:
    """Traffic for the `days` calendar days before today (office-local)."""
    if not 1 <= days <= MAX_DAYS:
        raise HistoryRefused(f"--history takes 1 to {MAX_DAYS} days")
    with db.read() as session:
        office = session.get(Office, office_id)
        if office is None:
            raise HistoryRefused(f"no office with id {office_id}")
        if _has_events(session, office_id):
            raise HistoryRefused(f"office {office.code} already has tickets; history not added")
        zone = ZoneInfo(office.timezone)
        today = business_day(now, zone)
        holidays = repo.holidays(session, office_id)
        hours = office_hours(office)
        services = synthetic.office_shapes(repo.services(session, office_id), [])
        counters = [c.id for c in repo.counters(session, office_id) if c.id is not None]
        staff = [
            s.id
            for s in repo.staff_list(session, office_id)
            if s.id is not None and s.role == "staff"
        ] or [s.id for s in repo.staff_list(session, office_id) if s.id is not None]
        rules = complaints_repo.settings(session, office_id)
        complaint_rules = complaints_synthetic.OfficeRules(
            office.timezone,
            hours,
            holidays,
            rules.acknowledge_business_days,
            rules.resolve_business_days,
        )
        ids = synthetic.Ids(
            ticket=_next_id(session, "ticket"),
            event=_next_id(session, "ticket_event"),
            counter_event=_next_id(session, "counter_event"),
            response=_next_id(session, "survey_response"),
        )
    if not services or not counters or not staff:
        raise HistoryRefused("the office needs services, counters and staff first")
    working = [
        d
        for d in synthetic.working_days(today - timedelta(days=days), today - timedelta(days=1))
        if d not in holidays
    ]
    if not working:
        return History(days, None, None, 0, 0)
    desks = [(cid, staff[i % len(staff)]) for i, cid in enumerate(counters)]
    shape = synthetic.OfficeShape(tickets_per_year=TICKETS_PER_DAY * len(working))
    rows = synthetic.generate_office(office_id, services, desks, working, shape, ids, seed=seed)
    synthetic.insert(db.write_engine, office_id, rows)
    synthetic.fix_sequences(db.write_engine)
    served = Tally(t["business_day"] for t in rows.tickets if t["status"] == "done")
    made = complaints_synthetic.generate(
        office_id,
        {d: served.get(d, 0) for d in working},
        complaint_rules,
        now,
        seed=seed,
        staff_ids=tuple(staff),
    )
    incidents, drills = continuity_synthetic.generate(
        office_id, working, complaint_rules.timezone, now, seed=seed, staff_ids=tuple(staff)
    )
    with db.write() as session:
        complaints_synthetic.insert(session, made)
        continuity_synthetic.insert(session, incidents, drills)
    return History(days, working[0], working[-1], len(rows.tickets), len(made))


def _next_id(session: Any, table: str) -> int:
    found = session.execute(sa.text(f"SELECT MAX(id) FROM {table}")).scalar()  # noqa: S608 (constant)
    return int(found or 0) + 1


def _has_events(session: Any, office_id: int) -> bool:
    """Generated rows number the office's events from 1: only an office without any."""
    return any(
        session.execute(
            sa.text(f"SELECT 1 FROM {table} WHERE office_id = :office LIMIT 1"),  # noqa: S608
            {"office": office_id},
        ).first()
        for table in ("ticket_event", "counter_event")
    )
