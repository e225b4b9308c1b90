"""One metrics engine: a month of an office's history gives the same figures on every surface
that shows them — the province comparison, the dashboard data, the summary API, the evidence
pack and the summary exports (CSV and XLSX) — and the counts agree with the event log itself."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from counter.db import Database
from counter.models import Ticket, TicketEvent
from reports.exports import SUMMARY_HEADER
from reports.service import ReportService
from reports.synthetic import OfficeShape
from tests.conftest import DEMO_PASSWORDS, Demo, FakeClock, login
from tests.reports.conftest import insert_history

pytestmark = pytest.mark.usefixtures("demo")

FIRST, LAST = date(2025, 11, 1), date(2025, 11, 30)  # in FY 2569
SPAN = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


@pytest.fixture
def month_of_history(database: Database, demo: Demo) -> None:
    insert_history(database, FIRST, LAST, OfficeShape(tickets_per_year=12_000, survey=0.3), seed=3)


def _figures(m: dict[str, Any]) -> dict[str, Any]:
    """The figures every surface shows, from one group's metrics."""
    sat = m["satisfaction"] or {}
    return {
        "issued": m["issued"],
        "served": m["served"],
        "wait_mean": m["wait"]["mean"],
        "wait_median": m["wait"]["median"],
        "wait_p90": m["wait"]["p90"],
        "service_mean": m["service"]["mean"],
        "service_p90": m["service"]["p90"],
        "within_standard_pct": m["within_standard_pct"],
        "within_target_pct": m["within_target_pct"],
        "satisfaction_pct": sat.get("percent"),
        "respondents": sat.get("respondents"),
    }


def _rounded(f: dict[str, Any]) -> dict[str, Any]:
    """As the exports write them: means and shares to one decimal."""
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in f.items()}


def _export_row(header: list[str], row: list[Any]) -> dict[str, Any]:
    by = dict(zip(header, row, strict=False))

    def num(key: str) -> Any:
        v = by[key]
        if v in ("", None):
            return None
        return float(v) if "." in str(v) else int(v)

    return {
        "issued": num(SUMMARY_HEADER[1]),
        "served": num("ให้บริการเสร็จ / Served"),
        "wait_mean": num("รอเฉลี่ย (วินาที) / Wait mean (s)"),
        "wait_median": num("รอมัธยฐาน / Wait median (s)"),
        "wait_p90": num("รอ P90 / Wait p90 (s)"),
        "service_mean": num("ให้บริการเฉลี่ย / Service mean (s)"),
        "service_p90": num("ให้บริการ P90 / Service p90 (s)"),
        "within_standard_pct": num("% ภายในมาตรฐาน / % within standard"),
        "within_target_pct": num("% รอไม่เกินเป้าหมาย / % wait within target"),
        "satisfaction_pct": num("ความพึงพอใจ % / Satisfaction %"),
        "respondents": num("ผู้ตอบแบบประเมิน (คน) / Satisfaction respondents"),
    }


@pytest.mark.usefixtures("month_of_history")
async def test_every_surface_shows_the_same_figures(
    app_client: httpx.AsyncClient, database: Database, clock: FakeClock
) -> None:
    manager = await login(app_client, "manager", DEMO_PASSWORDS["manager"])
    summary = (await app_client.get("/api/v1/reports/summary", params=SPAN, headers=manager)).json()
    truth = _figures(summary["overall"])

    # The event log itself: tickets issued, and finishes (a ticket finishes at most once).
    with database.read() as session:
        in_month = sa.and_(Ticket.business_day >= FIRST, Ticket.business_day <= LAST)
        tickets = session.exec(sa.select(sa.func.count()).select_from(Ticket).where(in_month))
        finishes = session.exec(
            sa.select(sa.func.count())
            .select_from(TicketEvent)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(in_month, TicketEvent.kind == "finished")
        )
        assert truth["issued"] == tickets.scalar_one() > 500
        assert truth["served"] == finishes.scalar_one()
    assert truth["respondents"] > 50 and truth["satisfaction_pct"] is not None

    province = await app_client.get("/api/v1/province/compare", params=SPAN, headers=manager)
    [office] = province.json()["offices"]
    assert _figures(office) == truth

    dashboard = await app_client.get(
        "/api/v1/reports/dashboard", params={"period": "month", "on": "2025-11-15"}, headers=manager
    )
    dash = dashboard.json()
    assert _figures({**dash["overall"], "satisfaction": dash["satisfaction"]["overall"]}) == truth
    # The trend's bars and the per-service rows add up to the same month.
    assert sum(d["issued"] for d in dash["by_day"]) == truth["issued"]
    assert sum(s["served"] for s in dash["services"]) == truth["served"]

    evidence = await ReportService(database, clock).evidence(1, 2569)
    [november] = [m for m in evidence["months"] if m["month"] == "2025-11-01"]
    assert _figures({**november, "satisfaction": summary["overall"]["satisfaction"]}) == truth
    # The fiscal year holds only this month: its overall figures are the month's too.
    assert _figures(evidence["overall"]) == truth

    for fmt in ("csv", "xlsx"):
        r = await app_client.get(
            "/api/v1/reports/export",
            params={"what": "summary", "format": fmt, "period": "month", "on": "2025-11-01"},
            headers=manager,
        )
        assert r.status_code == 200, r.text
        if fmt == "csv":
            rows: list[list[Any]] = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            # The summary sheet says which office and period it covers.
            assert "ที่ทำการปกครองอำเภอสะดวก (demo)" in rows[0][0]
            assert "พฤศจิกายน" in rows[1][0] and "2025-11-01 – 2025-11-30" in rows[1][1]
        header_at = next(i for i, row in enumerate(rows) if row and row[0] == SUMMARY_HEADER[0])
        header = [str(h) for h in rows[header_at]]
        overall = next(row for row in rows if row and str(row[0]).startswith("รวมทุกงาน"))
        assert _export_row(header, overall) == _rounded(truth), fmt
