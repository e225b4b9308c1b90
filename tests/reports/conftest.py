"""Fixtures of the report tests: the shared chromium for the browser tests, and synthetic
history for the demo office."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from counter.db import Database
from counter.models import Counter, Service, Staff
from reports.synthetic import Ids, OfficeShape, generate_office, insert, office_shapes, working_days


def insert_history(
    database: Database, first: date, last: date, shape: OfficeShape, *, seed: int
) -> None:
    """Synthetic traffic of the demo office (office 1) on the working days first..last, at
    its counters, each staffed by one of its staff, through the bulk insert."""
    with database.read() as session:
        services = office_shapes(session.exec(sa.select(Service)).scalars().all(), [])
        counters = session.exec(sa.select(Counter.id).order_by(Counter.number)).scalars().all()
        staff = session.exec(sa.select(Staff.id).where(Staff.role == "staff")).scalars().all()
    desks = [(cid, staff[i % len(staff)]) for i, cid in enumerate(counters)]
    rows = generate_office(1, services, desks, working_days(first, last), shape, Ids(), seed=seed)
    insert(database.write_engine, 1, rows)
