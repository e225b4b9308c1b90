"""Issuing tickets: POST /api/v1/tickets, for a paired kiosk or a staff member."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from counter.auth import DevicePrincipal, StaffPrincipal
from counter.schemas import IssueIn, TicketOut
from counter.web import CurrentIssuer, QueueDep

router = APIRouter()


@router.post("/api/v1/tickets", tags=["tickets"], status_code=201, response_model=TicketOut)
async def issue_ticket(body: IssueIn, who: CurrentIssuer, queue: QueueDep) -> JSONResponse:
    view = await queue.issue_ticket(
        who.office_id,
        body.service,
        body.priority,
        device_id=who.device_id if isinstance(who, DevicePrincipal) else None,
        staff_id=who.staff_id if isinstance(who, StaffPrincipal) else None,
    )
    return JSONResponse(TicketOut.of(view).model_dump(mode="json"), status_code=201)
