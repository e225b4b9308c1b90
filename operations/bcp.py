"""The BCP report of one office and fiscal year: incidents, downtime, time to recover, drills,
paper tickets. `continuity_section()` is what reports and the evidence pack include."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlmodel import Session

from counter.db import Database
from counter.models import Office
from counter.queue.thai import fiscal_year_range, format_thai_date
from counter.service import day_start
from operations import repository as repo
from operations.models import Incident
from operations.paper import paper_figures
from operations.text import KIND, OUTAGE_KINDS


def minutes_between(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 60, 1)


def merged_minutes(intervals: list[tuple[datetime, datetime]]) -> float:
    """Minutes covered by the union of the intervals: a power cut that also restarted the server
    counts once."""
    total = timedelta()
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return round(total.total_seconds() / 60, 1)


@dataclass
class BcpReport:
    fiscal_year: int | None
    first: str
    last: str
    incidents: list[dict[str, Any]] = field(default_factory=list)
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    downtime_minutes: float = 0.0
    recover_mean_minutes: float | None = None
    recover_max_minutes: float | None = None
    open_incidents: int = 0
    drills: list[dict[str, Any]] = field(default_factory=list)
    drills_passed: int = 0
    drills_failed: int = 0
    paper_tickets: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def period_bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local days first..last."""
    return day_start(first, tz), day_start(last + timedelta(days=1), tz)


def fiscal_year_bounds(fy: int, tz: str) -> tuple[datetime, datetime]:
    return period_bounds(*fiscal_year_range(fy), tz)


def incident_row(incident: Incident, tz: str) -> dict[str, Any]:
    kind_th, kind_en = KIND.get(incident.kind, (incident.kind, incident.kind))
    return {
        "id": incident.id,
        "office_id": incident.office_id,
        "kind": incident.kind,
        "kind_th": kind_th,
        "kind_en": kind_en,
        "started_th": format_thai_date(incident.started_at, tz=tz, with_time=True),
        "source": incident.source,
        "started_at": incident.started_at,
        "ended_at": incident.ended_at,
        "minutes": (
            minutes_between(incident.started_at, incident.ended_at)
            if incident.ended_at is not None
            else None
        ),
        "device_id": incident.device_id,
        "summary": incident.summary,
        "impact": incident.impact,
        "action": incident.action,
    }


def bcp_report(session: Session, office: Office, fy: int) -> BcpReport:
    return period_report(session, office, *fiscal_year_range(fy), fiscal_year=fy)


def period_report(
    session: Session, office: Office, first: date, last: date, *, fiscal_year: int | None = None
) -> BcpReport:
    """Incidents and drills of the local days first..last, with the paper tickets issued then."""
    assert office.id is not None
    start, end = period_bounds(first, last, office.timezone)
    report = BcpReport(fiscal_year=fiscal_year, first=first.isoformat(), last=last.isoformat())
    closed: list[float] = []
    outages: list[tuple[datetime, datetime]] = []
    for incident in repo.incidents(session, office.id, start, end):
        row = incident_row(incident, office.timezone)
        report.incidents.append(row)
        kind = report.by_kind.setdefault(incident.kind, {"count": 0, "minutes": 0.0})
        kind["count"] += 1
        if row["minutes"] is None:
            report.open_incidents += 1
            continue
        kind["minutes"] = round(kind["minutes"] + row["minutes"], 1)
        closed.append(row["minutes"])
        if incident.kind in OUTAGE_KINDS and incident.ended_at is not None:
            outages.append((incident.started_at, incident.ended_at))
    report.downtime_minutes = merged_minutes(outages)
    if closed:
        report.recover_mean_minutes = round(statistics.fmean(closed), 1)
        report.recover_max_minutes = max(closed)
    for drill in repo.drills(session, start, end):
        report.drills.append(
            {
                "at": drill.at,
                "ok": drill.ok,
                "seconds": drill.seconds,
                "backup_file": drill.backup_file,
                "backup_taken_at": drill.backup_taken_at,
                "tickets": (drill.detail or {}).get("counts", {}).get("ticket"),
                "problems": (drill.detail or {}).get("problems", []),
            }
        )
    report.drills_passed = sum(1 for d in report.drills if d["ok"])
    report.drills_failed = len(report.drills) - report.drills_passed
    report.paper_tickets = paper_figures(session, office, first, last)
    return report


def continuity_section(db: Database, office_id: int, first: date, last: date) -> dict[str, Any]:
    """The business-continuity section of a report or of the fiscal-year evidence pack,
    JSON-ready as a report section must be (times as ISO strings: the summary API sends it)."""
    with db.read() as session:
        office = session.get(Office, office_id)
        if office is None:
            raise LookupError(f"office {office_id} not found")
        section: dict[str, Any] = jsonable_encoder(
            period_report(session, office, first, last).as_dict()
        )
        return section
