"""Use cases of the operations pages: staff-recorded incidents, paper tickets and the BCP report.

Every write is one write of the office unit of work (counter.unit_of_work)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import anyio.to_thread

from counter import repository as counter_repo
from counter.auth import StaffPrincipal
from counter.models import Office
from counter.queue.errors import InvalidInput, NotFound
from counter.queue.thai import fiscal_year
from counter.service import local_day
from counter.texts import say as counter_say
from counter.unit_of_work import OfficeTx, OfficeWork
from operations import repository as repo
from operations.bcp import BcpReport, bcp_report, fiscal_year_bounds, incident_row
from operations.incidents import STAFF, STAFF_KINDS
from operations.models import Incident
from operations.paper import enter_paper_tickets, paper_row, paper_tickets
from operations.schemas import IncidentIn, IncidentUpdate, PaperTicketsIn, as_utc
from operations.text import say


class OperationsService:
    def __init__(self, work: OfficeWork) -> None:
        self.work = work
        self.db = work.db
        self.clock = work.clock

    def _office(self, session: Any, office_id: int) -> Office:
        office = session.get(Office, office_id)
        if office is None:
            raise NotFound(*counter_say("no_office", office_id=office_id))
        return office

    async def current_fiscal_year(self, office_id: int) -> int:
        def read() -> int:
            with self.db.read() as session:
                return fiscal_year(self.clock(), tz=self._office(session, office_id).timezone)

        return await anyio.to_thread.run_sync(read)

    async def record_incident(self, staff: StaffPrincipal, data: IncidentIn) -> dict[str, Any]:
        if data.kind not in STAFF_KINDS:
            raise InvalidInput(*say("bad_kind", kinds=", ".join(STAFF_KINDS)))

        def write(tx: OfficeTx) -> dict[str, Any]:
            office = tx.office
            started = as_utc(data.started_at, office.timezone)
            ended = as_utc(data.ended_at, office.timezone) if data.ended_at else None
            _check_times(started, ended, tx.now)
            incident = Incident(
                office_id=staff.office_id,
                kind=data.kind,
                source=STAFF,
                started_at=started,
                ended_at=ended,
                summary=data.summary,
                impact=data.impact,
                action=data.action,
                recorded_by=staff.staff_id,
                created_at=tx.now,
            )
            tx.session.add(incident)
            tx.session.flush()
            return incident_row(incident, office.timezone)

        return await self.work.run(staff.office_id, write)

    async def update_incident(
        self, staff: StaffPrincipal, incident_id: int, data: IncidentUpdate
    ) -> dict[str, Any]:
        """End an incident, or say what it did and what was done (system ones too)."""

        def write(tx: OfficeTx) -> dict[str, Any]:
            office = tx.office
            incident = repo.incident_of_office(tx.session, staff.office_id, incident_id)
            if incident is None:
                raise NotFound(*say("no_incident", incident_id=incident_id))
            if data.ended_at is not None:
                ended = as_utc(data.ended_at, office.timezone)
                _check_times(incident.started_at, ended, tx.now)
                incident.ended_at = ended
            if data.impact is not None:
                incident.impact = data.impact
            if data.action is not None:
                incident.action = data.action
            return incident_row(incident, office.timezone)

        return await self.work.run(staff.office_id, write)

    async def incidents(self, office_id: int, fy: int) -> list[dict[str, Any]]:
        def read() -> list[dict[str, Any]]:
            with self.db.read() as session:
                office = self._office(session, office_id)
                start, end = fiscal_year_bounds(fy, office.timezone)
                return [
                    incident_row(i, office.timezone)
                    for i in repo.incidents(session, office_id, start, end)
                ]

        return await anyio.to_thread.run_sync(read)

    async def bcp(self, office_id: int, fy: int) -> tuple[Office, BcpReport]:
        def read() -> tuple[Office, BcpReport]:
            with self.db.read() as session:
                office = self._office(session, office_id)
                return office, bcp_report(session, office, fy)

        return await anyio.to_thread.run_sync(read)


class PaperService:
    """Paper tickets entered after an outage."""

    def __init__(self, work: OfficeWork) -> None:
        self.work = work
        self.db = work.db
        self.clock = work.clock

    async def enter(self, staff: StaffPrincipal, data: PaperTicketsIn) -> list[dict[str, Any]]:
        def write(tx: OfficeTx) -> list[dict[str, Any]]:
            rows = enter_paper_tickets(tx.session, tx.office, staff, data, tx.now)
            services = {s.id: s for s in counter_repo.services(tx.session, staff.office_id)}
            return [paper_row(t, services) for t in rows]  # type: ignore[arg-type]

        return await self.work.run(staff.office_id, write)

    async def of_day(self, office_id: int, day: date | None) -> tuple[date, list[dict[str, Any]]]:
        def read() -> tuple[date, list[dict[str, Any]]]:
            with self.db.read() as session:
                office = session.get(Office, office_id)
                if office is None:
                    raise NotFound(*counter_say("no_office", office_id=office_id))
                when = day or local_day(self.clock(), office.timezone)
                services = {s.id: s for s in counter_repo.services(session, office_id)}
                return when, [
                    paper_row(t, services)  # type: ignore[arg-type]
                    for t in paper_tickets(session, office_id, when, when)
                ]

        return await anyio.to_thread.run_sync(read)


def _check_times(started: datetime, ended: datetime | None, now: datetime) -> None:
    if started > now:
        raise InvalidInput(*say("start_future"))
    if ended is not None and ended < started:
        raise InvalidInput(*say("end_before_start"))
    if ended is not None and ended > now:
        raise InvalidInput(*say("end_future"))
