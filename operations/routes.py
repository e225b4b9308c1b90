"""Operations pages and API for managers: the incident log and the BCP report."""

from __future__ import annotations

from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from counter.pages import PageManager, PageViewer, render_page
from counter.queue.errors import InvalidInput
from counter.queue.thai import format_thai_date
from counter.ui import mount_static as mount_static_folder
from counter.ui import templates_for
from counter.web import CurrentManager, CurrentStaff
from operations.bcp import continuity_section
from operations.incidents import STAFF_KINDS
from operations.schemas import IncidentIn, IncidentUpdate, PaperTicketsIn
from operations.service import OperationsService, PaperService
from operations.text import KIND, OUTAGE_KINDS, SOURCE, T, say

router = APIRouter()
HERE = FilePath(__file__).resolve().parent
templates = templates_for(HERE)


def mount_static(app: Any) -> None:
    mount_static_folder(app, "/static/operations", HERE / "static", "operations-static")


def get_operations(request: Request) -> OperationsService:
    return OperationsService(request.app.state.work)


def get_paper(request: Request) -> PaperService:
    return PaperService(request.app.state.work)


def report_section(app_state: Any) -> Any:
    """The continuity figures (incidents, drills, paper tickets) the reports add to a period
    (reports.sections)."""

    async def section(
        office_id: int, first: date, last: date, served: int | None
    ) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(
            continuity_section, app_state.db, office_id, first, last
        )

    return section


OperationsDep = Annotated[OperationsService, Depends(get_operations)]
PaperDep = Annotated[PaperService, Depends(get_paper)]
FiscalYear = Annotated[int | None, Query(ge=2500, le=2700)]


async def _fy(ops: OperationsService, office_id: int, fy: int | None) -> int:
    return fy if fy is not None else await ops.current_fiscal_year(office_id)


@router.get("/api/v1/incidents", tags=["operations"])
async def list_incidents(
    manager: CurrentManager, ops: OperationsDep, fy: FiscalYear = None
) -> dict[str, Any]:
    year = await _fy(ops, manager.office_id, fy)
    return {"fiscal_year": year, "incidents": await ops.incidents(manager.office_id, year)}


@router.post("/api/v1/incidents", tags=["operations"], status_code=201)
async def record_incident(
    manager: CurrentManager, ops: OperationsDep, body: IncidentIn
) -> dict[str, Any]:
    return await ops.record_incident(manager, body)


@router.patch("/api/v1/incidents/{incident_id}", tags=["operations"])
async def update_incident(
    manager: CurrentManager, ops: OperationsDep, incident_id: int, body: IncidentUpdate
) -> dict[str, Any]:
    return await ops.update_incident(manager, incident_id, body)


@router.get("/api/v1/bcp", tags=["operations"])
async def bcp_json(manager: CurrentManager, ops: OperationsDep, fy: FiscalYear = None) -> Any:
    year = await _fy(ops, manager.office_id, fy)
    _, report = await ops.bcp(manager.office_id, year)
    return report.as_dict()


@router.post("/api/v1/paper-tickets", tags=["operations"], status_code=201)
async def enter_paper_tickets(
    staff: CurrentStaff, paper: PaperDep, body: PaperTicketsIn
) -> dict[str, Any]:
    """Paper tickets handed out while the system was down (number, service, approximate times)."""
    return {"tickets": await paper.enter(staff, body)}


@router.get("/api/v1/paper-tickets", tags=["operations"])
async def list_paper_tickets(
    staff: CurrentStaff, paper: PaperDep, day: Annotated[date | None, Query()] = None
) -> dict[str, Any]:
    when, rows = await paper.of_day(staff.office_id, day)
    return {"business_day": when.isoformat(), "tickets": rows}


@router.get("/operations/paper", response_class=HTMLResponse, include_in_schema=False)
async def paper_page(request: Request, viewer: PageViewer, paper: PaperDep) -> Response:
    staff = viewer.staff
    raw = request.query_params.get("day", "")
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise InvalidInput(*say("bad_day")) from exc
    when, rows = await paper.of_day(staff.office_id, day)
    services = await request.app.state.queue.services(staff.office_id)
    return render_page(
        templates,
        request,
        "operations/paper.html",
        {
            "T": T,
            "day": when,
            "rows": rows,
            "services": services,
            "tz": ZoneInfo((await request.app.state.queue.office(staff.office_id)).timezone),
            "csrf_token": viewer.csrf_token,
        },
    )


@router.get("/operations", response_class=HTMLResponse, include_in_schema=False)
async def operations_page(request: Request, viewer: PageManager, ops: OperationsDep) -> Response:
    staff = viewer.staff
    raw = request.query_params.get("fy", "")
    if raw and not (raw.isdigit() and 2500 <= int(raw) <= 2700):
        raise InvalidInput(*say("bad_fy"))
    year = await _fy(ops, staff.office_id, int(raw) if raw else None)
    office, report = await ops.bcp(staff.office_id, year)
    return render_page(
        templates,
        request,
        "operations/incidents.html",
        {
            "T": T,
            "KIND": KIND,
            "SOURCE": SOURCE,
            "OUTAGE_KINDS": OUTAGE_KINDS,
            "STAFF_KINDS": STAFF_KINDS,
            "office": office,
            "report": report,
            "csrf_token": viewer.csrf_token,
            "when": lambda at: (
                format_thai_date(at, tz=office.timezone, with_time=True) if at else ""
            ),
        },
    )
