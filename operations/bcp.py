"""The BCP report of one office and fiscal year: incidents, downtime, time to recover, drills.

`bcp_evidence()` is what the fiscal-year evidence pack includes."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from counter.db import Database
from counter.models import Office
from counter.queue.thai import fiscal_year_range
from operations import repository as repo
from operations.models import Incident
from operations.text import OUTAGE_KINDS


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
    fiscal_year: int
    incidents: list[dict[str, Any]] = field(default_factory=list)
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    downtime_minutes: float = 0.0
    recover_mean_minutes: float | None = None
    recover_max_minutes: float | None = None
    open_incidents: int = 0
    drills: list[dict[str, Any]] = field(default_factory=list)
    drills_passed: int = 0
    drills_failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fiscal_year_bounds(fy: int, tz: str) -> tuple[datetime, datetime]:
    first, last = fiscal_year_range(fy)
    zone = ZoneInfo(tz)
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    return start, end


def incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "office_id": incident.office_id,
        "kind": incident.kind,
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
    assert office.id is not None
    start, end = fiscal_year_bounds(fy, office.timezone)
    report = BcpReport(fiscal_year=fy)
    closed: list[float] = []
    outages: list[tuple[datetime, datetime]] = []
    for incident in repo.incidents(session, office.id, start, end):
        row = incident_row(incident)
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
    return report


def bcp_evidence(db: Database, office_id: int, fy: int) -> dict[str, Any]:
    """The BCP section of the fiscal-year evidence pack, as plain data."""
    with db.read() as session:
        office = session.get(Office, office_id)
        if office is None:
            raise LookupError(f"office {office_id} not found")
        return bcp_report(session, office, fy).as_dict()
