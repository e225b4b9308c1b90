"""`saduak demo --history DAYS`: the demo office gets weeks of traffic, survey and needs answers
and complaints, and the reports read them (checked against counts taken straight from the
tables)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa

from complaints.models import Complaint
from complaints.workflow import deadlines
from counter import repository as repo
from counter.db import Database
from counter.models import Office, Ticket
from counter.service import office_hours
from reports.models import NeedsResponse, SurveyResponse
from saduak.history import HistoryRefused, seed_history
from tests.conftest import Demo, FakeClock, login

pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.slow]


def test_sixty_days_of_history_fill_every_register(
    database: Database, clock: FakeClock, demo: Demo
) -> None:
    made = seed_history(database, demo.office_id, 60, clock(), seed=3)
    assert made.first is not None and made.last is not None
    # Weekdays only, ending yesterday (office-local).
    assert made.first.weekday() < 5 and made.last < date(2026, 11, 27)
    with database.read() as session:
        days = session.execute(sa.select(sa.func.count(sa.distinct(Ticket.business_day)))).scalar()
        assert days is not None and days >= 35
        tickets = session.execute(sa.select(sa.func.count(Ticket.id))).scalar()
        assert tickets == made.tickets and 50 * days < made.tickets < 90 * days
        assert session.execute(sa.select(sa.func.count(SurveyResponse.id))).scalar()
        needs = session.exec(sa.select(NeedsResponse)).scalars().all()  # type: ignore[call-overload]
        assert {n.channel for n in needs} == {"survey", "link"}
        complaints = session.exec(sa.select(Complaint)).scalars().all()  # type: ignore[call-overload]
        assert len(complaints) == made.complaints > 0
        office = session.get(Office, demo.office_id)
        assert office is not None
        holidays = repo.holidays(session, demo.office_id)
    # Deadlines as intake fixes them: business days from the office's holidays.
    for c in complaints:
        due = deadlines(c.received_at, office.timezone, office_hours(office), holidays, 1, 15)
        assert (c.acknowledge_due_at, c.resolve_due_at) == (due.acknowledge_by, due.resolve_by)
    assert len({c.category for c in complaints}) >= 3


async def test_the_reports_of_a_year_show_complaints_overdue_and_recurring_causes(
    database: Database, clock: FakeClock, demo: Demo, app_client: httpx.AsyncClient
) -> None:
    seed_history(database, demo.office_id, 365, clock(), seed=5)
    with database.read() as session:
        rows = session.exec(sa.select(Complaint)).scalars().all()  # type: ignore[call-overload]
        served = session.execute(
            sa.select(sa.func.count(Ticket.id)).where(Ticket.status == "done")
        ).scalar()
    first = (clock() - timedelta(days=365)).date()
    headers = await login(app_client, "manager", demo.passwords["manager"])
    r = await app_client.get(f"/api/v1/reports/summary?from={first}&to=2026-11-26", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    c = body["complaints"]
    assert c["received"] == len(rows)
    assert c["overdue"] >= 1
    assert c["recurring_root_causes"] and c["recurring_root_causes"][0]["count"] >= 2
    # Per 1,000 served against the tickets served, counted here from the table.
    assert served and c["per_1000_served"] == pytest.approx(len(rows) / served * 1000, abs=0.3)
    # The continuity section: incidents staff recorded and a restore drill each quarter.
    continuity = body["continuity"]
    assert len(continuity["incidents"]) >= 8 and continuity["downtime_minutes"] > 0
    assert continuity["drills_passed"] >= 3
    survey = await app_client.get(
        f"/api/v1/reports/survey?from={first}&to=2026-11-26", headers=headers
    )
    assert survey.json()["needs"]["respondents"] > 50


def test_an_office_with_traffic_is_left_alone(
    database: Database, clock: FakeClock, demo: Demo
) -> None:
    seed_history(database, demo.office_id, 10, clock())
    with pytest.raises(HistoryRefused, match="already has tickets"):
        seed_history(database, demo.office_id, 10, clock())
    with pytest.raises(HistoryRefused):
        seed_history(database, demo.office_id, 0, clock())
