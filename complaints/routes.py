"""The complaint register: public form and status lookup, the staff API, the register page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from complaints import metrics
from complaints.models import Complaint
from complaints.repository import Filters
from complaints.schemas import (
    ComplaintIn,
    ComplaintOut,
    Created,
    SettingsIn,
    SettingsOut,
    StepIn,
)
from complaints.service import ComplaintService, Intake, Resolution, error
from complaints.text import CATEGORY, CHANNEL, ERR, STATUS, STEP, T
from complaints.workflow import (
    PUBLIC_CHANNELS,
    Category,
    Channel,
    Status,
    Step,
    allowed_steps,
)
from counter.auth import DevicePrincipal, Role, StaffPrincipal
from counter.pages import PageViewer, render_page
from counter.queue.errors import DomainError, Forbidden, InvalidInput, TooManyRequests
from counter.queue.thai import format_thai_date
from counter.schemas import PlainText
from counter.service import day_start
from counter.texts import say
from counter.ui import mount_static as mount_static_folder
from counter.ui import templates_for
from counter.web import CurrentManager, CurrentStaff, MaybePrincipal, limit_public

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/complaints"
templates = templates_for(HERE)
router = APIRouter()

ComplaintId = Annotated[int, PathParam(ge=1, le=2**62)]
CodeParam = Annotated[str, PathParam(min_length=4, max_length=16)]
# The supervisor view loads this script to show overdue complaints (see saduak/app.py).
SUPERVISOR_PANEL = STATIC_URL + "/supervisor.js"
HOUR = 3600.0


def mount_static(app: Any) -> None:
    mount_static_folder(app, STATIC_URL, HERE / "static", "complaints-static")


def get_complaints(request: Request) -> ComplaintService:
    return ComplaintService(request.app.state.work)


ComplaintsDep = Annotated[ComplaintService, Depends(get_complaints)]


def report_section(app_state: Any) -> Any:
    """The complaint figures the reports add to a period (reports.sections)."""

    async def section(
        office_id: int, first: date, last: date, served: int | None
    ) -> dict[str, Any]:
        service = ComplaintService(app_state.work)
        return await service.figures(office_id, first, last, served)

    return section


def limit_submissions(request: Request) -> None:
    """Anyone may complain: at most so many a source address per hour."""
    rate = request.app.state.settings.complaint_rate_per_hour
    limit_public(request, "complaint_limiter", rate, HOUR, ERR["rate_limited"])


def is_office_head(staff: StaffPrincipal) -> bool:
    """Contacts are personal data: the office head (manager role) sees them, nobody else."""
    return staff.role == Role.MANAGER


def _out(c: Complaint, now: datetime, staff: StaffPrincipal) -> ComplaintOut:
    return ComplaintOut.of(
        c, overdue=metrics.overdue_of(c, now), show_contact=is_office_head(staff)
    )


# ------------------------------------------------------------------ JSON API


@router.post("/api/v1/complaints", tags=["complaints"], status_code=201)
async def submit(
    body: ComplaintIn, request: Request, who: MaybePrincipal, complaints: ComplaintsDep
) -> Created:
    """Register a complaint. Anyone may (channel web, line or other; no sign-in; limited per
    source address); staff signed in record complaints of their office from any channel."""
    if isinstance(who, DevicePrincipal):
        raise Forbidden(*say("staff_only"))
    staff = who if isinstance(who, StaffPrincipal) else None
    if staff is None:
        limit_submissions(request)
    row = await complaints.submit(
        Intake(
            channel=body.channel,
            category=body.category,
            text=body.text,
            contact=body.contact,
            consent=body.consent,
            office_code=body.office,
            ticket_token=body.ticket,
        ),
        staff,
    )
    assert row.id is not None
    return Created(
        id=row.id,
        code=row.code,
        status=row.status,
        status_url=f"/complaint/{row.code}",
        acknowledge_due_at=row.acknowledge_due_at,
        resolve_due_at=row.resolve_due_at,
    )


def _filters(
    status: str | None,
    channel: str | None,
    category: str | None,
    open_only: bool,
    first: str | None,
    last: str | None,
    tz_start: Any,
) -> Filters:
    for value, allowed in (
        (status, {s.value for s in Status}),
        (channel, {c.value for c in Channel}),
        (category, {c.value for c in Category}),
    ):
        if value and value not in allowed:
            raise error(InvalidInput, "bad_filter")
    try:
        start = date.fromisoformat(first) if first else None
        end = date.fromisoformat(last) if last else None
    except ValueError:
        raise error(InvalidInput, "bad_date") from None
    return Filters(
        status=status or None,
        channel=channel or None,
        category=category or None,
        open_only=open_only,
        received_from=tz_start(start) if start else None,
        received_before=tz_start(end + timedelta(days=1)) if end else None,
    )


Filter = Annotated[str | None, Query(max_length=24)]
DateQ = Annotated[str | None, Query(max_length=10)]


@router.get("/api/v1/complaints", tags=["complaints"])
async def listing(
    manager: CurrentManager,
    complaints: ComplaintsDep,
    status: Filter = None,
    channel: Filter = None,
    category: Filter = None,
    open: bool = False,
    overdue: bool = False,
    from_: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    to: DateQ = None,
) -> list[ComplaintOut]:
    """The office's complaints, newest first (at most 500), filtered by status, channel,
    category, open (not yet resolved), overdue (open past a deadline), received from/to."""
    rows = await _list(complaints, manager, status, channel, category, open, overdue, from_, to)
    now = complaints.clock()
    return [_out(c, now, manager) for c in rows]


async def _list(
    complaints: ComplaintService,
    staff: StaffPrincipal,
    status: str | None,
    channel: str | None,
    category: str | None,
    open_only: bool,
    overdue: bool,
    first: str | None,
    last: str | None,
) -> list[Complaint]:
    office = await complaints.office_by_id(staff.office_id)
    filters = _filters(
        status, channel, category, open_only, first, last, lambda d: day_start(d, office.timezone)
    )
    return await complaints.listing(staff.office_id, filters, overdue_only=overdue)


@router.get("/api/v1/complaints/overdue", tags=["complaints"])
async def overdue_list(manager: CurrentManager, complaints: ComplaintsDep) -> dict[str, Any]:
    """Open complaints past a deadline, oldest first, with the words the supervisor view shows."""
    rows = await complaints.overdue(manager.office_id)
    now = complaints.clock()
    tz = (await complaints.office_by_id(manager.office_id)).timezone
    return {
        "count": len(rows),
        "title_th": T["sup_title"][0],
        "title_en": T["sup_title"][1],
        "none_th": T["sup_none"][0],
        "none_en": T["sup_none"][1],
        "url": "/complaints?overdue=1",
        "items": [
            {
                "id": c.id,
                "code": c.code,
                "category_th": CATEGORY[c.category][0],
                "received_th": format_thai_date(c.received_at, tz=tz, with_time=True),
                "overdue": metrics.overdue_of(c, now),
                "overdue_th": T[f"overdue_{metrics.overdue_of(c, now)}"][0],
            }
            for c in rows
        ],
    }


@router.get("/api/v1/complaints/settings", tags=["complaints"])
async def get_settings(manager: CurrentManager, complaints: ComplaintsDep) -> SettingsOut:
    row = await complaints.settings(manager.office_id)
    return SettingsOut.model_validate(row, from_attributes=True)


@router.put("/api/v1/complaints/settings", tags=["complaints"])
async def put_settings(
    body: SettingsIn, manager: CurrentManager, complaints: ComplaintsDep
) -> SettingsOut:
    """The office's deadlines in business days; complaints already received keep theirs."""
    row = await complaints.set_settings(
        manager.office_id, body.acknowledge_business_days, body.resolve_business_days, body.source
    )
    return SettingsOut.model_validate(row, from_attributes=True)


@router.get("/api/v1/complaints/{complaint_id}", tags=["complaints"])
async def get_one(
    complaint_id: ComplaintId, staff: CurrentStaff, complaints: ComplaintsDep
) -> ComplaintOut:
    row = await complaints.get(staff.office_id, complaint_id)
    return _out(row, complaints.clock(), staff)


@router.post("/api/v1/complaints/{complaint_id}/{step}", tags=["complaints"])
async def move(
    complaint_id: ComplaintId,
    step: Step,
    staff: CurrentStaff,
    complaints: ComplaintsDep,
    body: StepIn | None = None,
) -> ComplaintOut:
    """One step of the workflow, by staff or the manager of the complaint's office:
    `acknowledge`, `start`, `resolve` (`response`, `root_cause`, `preventive_action` required),
    `close` (after resolve), `refer` (`referred_to` required). 409 when the step does not apply."""
    body = body or StepIn()
    row = await complaints.step(
        staff,
        complaint_id,
        step,
        Resolution(
            response=body.response,
            root_cause=body.root_cause,
            preventive_action=body.preventive_action,
            referred_to=body.referred_to,
            note=body.note,
        ),
    )
    return _out(row, complaints.clock(), staff)


# ------------------------------------------------------------------ pages


def _render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    return render_page(
        templates,
        request,
        name,
        {
            "T": T,
            "STATUS": STATUS,
            "CHANNEL": CHANNEL,
            "CATEGORY": CATEGORY,
            "STEP": STEP,
            "static": STATIC_URL,
            **context,
        },
        status_code=status_code,
    )


def _due_day(due: datetime, tz: str) -> str:
    """A deadline is the first instant after the last day allowed: show that last day."""
    return format_thai_date(due - timedelta(microseconds=1), tz=tz)


@router.get("/complaint", response_class=HTMLResponse, include_in_schema=False)
async def form_page(
    request: Request,
    complaints: ComplaintsDep,
    office: Annotated[str | None, Query(max_length=32)] = None,
    ticket: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """The public complaint form (Thai first, for phones): from the status page or a poster QR
    (`?office=CODE`)."""
    return await _form(request, complaints, office, ticket, {}, None)


async def _form(
    request: Request,
    complaints: ComplaintService,
    office_code: str | None,
    ticket: str | None,
    values: dict[str, Any],
    error: DomainError | None,
) -> HTMLResponse:
    found = await complaints.office_of_ticket(ticket) if ticket else None
    if found is None:
        found = await complaints.office(office_code)
    rules = await complaints.settings(found.id) if found and found.id else None
    offices = [] if found else await complaints.offices()
    return _render(
        request,
        "complaints/form.html",
        {
            "office": found,
            "offices": offices,
            "ticket": ticket if found else None,
            "ack_days": rules.acknowledge_business_days if rules else 1,
            "resolve_days": rules.resolve_business_days if rules else 15,
            "categories": list(Category),
            "values": values,
            "error": error,
        },
        status_code=422
        if error and not isinstance(error, TooManyRequests)
        else (429 if error else 200),
    )


@router.post("/complaint", response_class=HTMLResponse, include_in_schema=False)
async def form_submit(
    request: Request,
    complaints: ComplaintsDep,
    category: Annotated[PlainText, Form(max_length=24)] = "",
    text: Annotated[PlainText, Form(max_length=4000)] = "",
    contact: Annotated[PlainText, Form(max_length=200)] = "",
    consent: Annotated[PlainText, Form(max_length=8)] = "",
    office: Annotated[PlainText, Form(max_length=32)] = "",
    ticket: Annotated[PlainText, Form(max_length=64)] = "",
) -> Response:
    values = {"category": category, "text": text, "contact": contact, "consent": bool(consent)}
    try:
        limit_submissions(request)
        row = await complaints.submit(
            Intake(
                channel=Channel.WEB,
                category=category,
                text=text,
                contact=contact,
                consent=bool(consent),
                office_code=office or None,
                ticket_token=ticket or None,
            )
        )
    except DomainError as exc:
        return await _form(request, complaints, office or None, ticket or None, values, exc)
    return RedirectResponse(f"/complaint/{quote(row.code)}?new=1", status_code=303)


@router.get("/complaint/find", include_in_schema=False)
async def find(code: Annotated[str, Query(max_length=20)] = "") -> Response:
    cleaned = "".join(ch for ch in code if ch.isalnum() or ch == "-")[:16]
    return RedirectResponse(f"/complaint/{quote(cleaned or 'none')}", status_code=303)


@router.get("/complaint/{code}", response_class=HTMLResponse, include_in_schema=False)
async def status_page(
    request: Request,
    code: CodeParam,
    complaints: ComplaintsDep,
    new: Annotated[str | None, Query(max_length=2)] = None,
) -> HTMLResponse:
    """Where a complaint stands, by its tracking code: dates and status only, nothing personal."""
    try:
        row, office = await complaints.public_status(code)
    except DomainError as exc:
        return _render(
            request, "complaints/status.html", {"c": None, "error": exc, "code": code}, 404
        )
    tz = office.timezone

    def when(value: datetime | None) -> str | None:
        return format_thai_date(value, tz=tz, with_time=True) if value else None

    return _render(
        request,
        "complaints/status.html",
        {
            "c": row,
            "office": office,
            "new": bool(new),
            "received": when(row.received_at),
            "ack_by": _due_day(row.acknowledge_due_at, tz),
            "resolve_by": _due_day(row.resolve_due_at, tz),
            "acknowledged": when(row.acknowledged_at),
            "resolved": when(row.resolved_at),
            "closed": when(row.closed_at),
            "referred": when(row.referred_at),
        },
    )


@router.get("/complaints", response_class=HTMLResponse, include_in_schema=False)
async def register_page(
    request: Request,
    viewer: PageViewer,
    complaints: ComplaintsDep,
    status: Filter = None,
    channel: Filter = None,
    category: Filter = None,
    open: Annotated[str | None, Query(max_length=2)] = None,
    overdue: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    """The register for the office's staff: record, acknowledge, resolve, close; the office
    head also sees contacts and sets the deadlines."""
    staff = viewer.staff
    error: DomainError | None = None
    try:
        rows = await _list(
            complaints, staff, status, channel, category, bool(open), bool(overdue), None, None
        )
    except DomainError as exc:
        rows, error = [], exc
    now = complaints.clock()
    office = await complaints.office_by_id(staff.office_id)
    tz = office.timezone
    items = [
        {
            "c": c,
            "overdue": metrics.overdue_of(c, now),
            "received": format_thai_date(c.received_at, tz=tz, with_time=True),
            "ack_by": _due_day(c.acknowledge_due_at, tz),
            "resolve_by": _due_day(c.resolve_due_at, tz),
            "steps": allowed_steps(Status(c.status)),
        }
        for c in rows
    ]
    return _render(
        request,
        "complaints/register.html",
        {
            "csrf_token": viewer.csrf_token,
            "me": staff,
            "office_head": is_office_head(staff),
            "items": items,
            "rules": await complaints.settings(staff.office_id),
            "channels": list(Channel),
            "public_channels": PUBLIC_CHANNELS,
            "categories": list(Category),
            "statuses": list(Status),
            "q": {
                "status": status or "",
                "channel": channel or "",
                "category": category or "",
                "open": bool(open),
                "overdue": bool(overdue),
            },
            "error": error,
        },
    )
