"""Advance booking: the public booking page and API, check-in, the staff desk and the admin."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bookings.rules import OfficeRules, ServiceRules, normalise_code
from bookings.schemas import (
    BookableServiceOut,
    BookingIn,
    BookingOut,
    DayOut,
    ImportIn,
    ImportOut,
    MoveIn,
    OfficeRulesIn,
    ServiceRulesIn,
    SettingsOut,
    SlotsOut,
    day_out,
)
from bookings.service import Bookings, error
from bookings.text import ERR, IMPORT_FIELDS, PAGE, REPORT, STAFF
from counter.auth import DevicePrincipal, Role, StaffPrincipal
from counter.manual import read_manuals
from counter.pages import PageViewer, render_page
from counter.queue.errors import DomainError, Forbidden, NotFound
from counter.service import local_day
from counter.ui import mount_static as mount_static_folder
from counter.ui import templates_for
from counter.web import (
    CurrentAdmin,
    CurrentIssuer,
    CurrentManager,
    CurrentStaff,
    MaybePrincipal,
    limit_public,
)

HERE = Path(__file__).resolve().parent
STATIC_URL = "/static/bookings"
templates = templates_for(HERE)
router = APIRouter()

CodeParam = Annotated[str, PathParam(min_length=4, max_length=40)]
ServiceCode = Annotated[str, PathParam(min_length=1, max_length=64)]
HOUR = 3600.0


def mount_static(app: Any) -> None:
    mount_static_folder(app, STATIC_URL, HERE / "static", "bookings-static")


def get_bookings(request: Request) -> Bookings:
    return Bookings(request.app.state.work)


BookingsDep = Annotated[Bookings, Depends(get_bookings)]


def report_section(app_state: Any) -> Any:
    """The "channels" figures the reports add to a period (reports.sections): arrivals by
    channel, booking punctuality and no-shows. Other packages add their own arrival counts
    (e.g. LINE-linked tickets) through `app_state.channel_counts`: name -> async
    (office_id, first, last) -> int, each added under `arrivals`."""

    async def section(
        office_id: int, first: date, last: date, served: int | None
    ) -> dict[str, Any]:
        figures = await Bookings(app_state.work).figures(office_id, first, last)
        for name, count in getattr(app_state, "channel_counts", {}).items():
            figures["arrivals"][name] = await count(office_id, first, last)
        figures["labels"] = REPORT
        return figures

    return section


def limit_writes(request: Request, who: Any) -> None:
    """Anyone may book, move and cancel: at most so many a source address per hour."""
    if isinstance(who, StaffPrincipal):
        return
    rate = request.app.state.settings.booking_rate_per_hour
    limit_public(request, "booking_limiter", rate, HOUR, ERR["rate_limited"])


def limit_reads(request: Request, who: Any) -> None:
    if isinstance(who, StaffPrincipal | DevicePrincipal):
        return
    rate = request.app.state.settings.booking_reads_per_minute
    limit_public(request, "booking_read_limiter", rate, 60.0, ERR["rate_limited"])


def _no_devices(who: Any) -> StaffPrincipal | None:
    if isinstance(who, DevicePrincipal):
        raise error(Forbidden, "device_kind")
    return who if isinstance(who, StaffPrincipal) else None


# ------------------------------------------------------------------ public API


@router.get("/api/v1/bookings/slots", tags=["bookings"])
async def slots(
    request: Request,
    who: MaybePrincipal,
    bookings: BookingsDep,
    service: Annotated[str, Query(min_length=1, max_length=64)],
    date: Annotated[date, Query()],
    office: Annotated[str | None, Query(max_length=32)] = None,
) -> SlotsOut:
    """Public: a day's time slots of a service, each with its capacity and what remains; an
    empty list with the reason when the day cannot be booked (holiday, past the cut-off…).
    Staff see their own office, today's remaining slots included."""
    limit_reads(request, who)
    staff = who if isinstance(who, StaffPrincipal) else None
    day = await bookings.slots(
        service,
        date,
        office_id=who.office_id if who is not None else None,
        office_code=office,
        staff=staff is not None,
    )
    return SlotsOut.of(day)


@router.get("/api/v1/bookings/days", tags=["bookings"])
async def days(
    request: Request,
    who: MaybePrincipal,
    bookings: BookingsDep,
    service: Annotated[str, Query(min_length=1, max_length=64)],
    office: Annotated[str | None, Query(max_length=32)] = None,
) -> list[DayOut]:
    """Public: the days of a service's booking window with the places left on each (0 and
    the reason on a day that cannot be booked)."""
    limit_reads(request, who)
    found = await bookings.days(
        service,
        office_id=who.office_id if who is not None else None,
        office_code=office,
        staff=isinstance(who, StaffPrincipal),
    )
    return [day_out(d) for d in found]


@router.get("/api/v1/bookings/services", tags=["bookings"])
async def bookable_services(
    request: Request,
    who: MaybePrincipal,
    bookings: BookingsDep,
    office: Annotated[str | None, Query(max_length=32)] = None,
) -> list[BookableServiceOut]:
    """Public: the office's services with how they are booked (slot length, capacity, window)."""
    limit_reads(request, who)
    _, services = await bookings.bookable_services(
        office_id=who.office_id if who is not None else None, office_code=office
    )
    return [BookableServiceOut.of(s) for s in services]


@router.post("/api/v1/bookings", tags=["bookings"], status_code=201)
async def book(
    body: BookingIn, request: Request, who: MaybePrincipal, bookings: BookingsDep
) -> BookingOut:
    """Book a slot. Public (with `consent`, limited per source address and per phone per day);
    staff signed in book for a caller of their own office."""
    staff = _no_devices(who)
    limit_writes(request, who)
    view = await bookings.book(
        body.service,
        body.date,
        body.time,
        body.name,
        body.phone,
        consent=body.consent,
        office_code=body.office,
        staff=staff,
    )
    return BookingOut.of(view, private=True)


@router.get("/api/v1/bookings", tags=["bookings"])
async def day_list(
    staff: CurrentStaff,
    bookings: BookingsDep,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> list[BookingOut]:
    """Staff: the office's bookings of a day (default today), by slot."""
    if day is None:
        office = await get_office(bookings, staff.office_id)
        day = local_day(bookings.clock(), office.timezone)
    views = await bookings.bookings_on(staff.office_id, day)
    return [BookingOut.of(v, private=True) for v in views]


async def get_office(bookings: Bookings, office_id: int) -> Any:
    office, _ = await bookings.bookable_services(office_id=office_id)
    return office


@router.get("/api/v1/bookings/settings", tags=["bookings"])
async def get_settings(admin: CurrentAdmin, bookings: BookingsDep) -> SettingsOut:
    rules, columns = await bookings.settings(admin.office_id)
    return SettingsOut(**rules.__dict__, import_columns=columns)


@router.put("/api/v1/bookings/settings", tags=["bookings"])
async def put_settings(
    body: OfficeRulesIn, admin: CurrentAdmin, bookings: BookingsDep
) -> SettingsOut:
    """Admin: the check-in window (minutes before and after a slot's start) and the bookings
    one phone may hold per day."""
    rules, columns = await bookings.save_settings(
        admin.office_id,
        OfficeRules(body.check_in_before, body.check_in_after, body.per_phone_per_day),
    )
    return SettingsOut(**rules.__dict__, import_columns=columns)


@router.put("/api/v1/bookings/services/{service}", tags=["bookings"])
async def put_service_rules(
    service: ServiceCode, body: ServiceRulesIn, admin: CurrentAdmin, bookings: BookingsDep
) -> BookableServiceOut:
    """Admin: how a service is booked: on or off, slot length, capacity per slot (null: derived
    from its counters and standard time, at `share_pct` of their time), window and cut-off."""
    view = await bookings.save_service_rules(
        admin.office_id,
        service,
        ServiceRules(
            enabled=body.enabled,
            slot_minutes=body.slot_minutes,
            capacity=body.capacity,
            share_pct=body.share_pct,
            window_days=body.window_days,
            cutoff=body.cutoff,
        ),
    )
    return BookableServiceOut.of(view)


@router.post("/api/v1/bookings/import", tags=["bookings"])
async def import_csv(body: ImportIn, manager: CurrentManager, bookings: BookingsDep) -> ImportOut:
    """Manager: bookings made elsewhere (BORA, a provincial system) from a CSV file; its
    columns are named by `columns` or the office's saved mapping (fields: code, service, date,
    time, name, phone). They check in like any booking."""
    if body.columns is not None and body.save_columns:
        await bookings.save_settings(manager.office_id, import_columns=body.columns)
    result = await bookings.import_csv(manager.office_id, body.csv, body.columns)
    return ImportOut(added=result.added, updated=result.updated, skipped=result.skipped)


@router.get("/api/v1/bookings/{code}", tags=["bookings"])
async def find(
    code: CodeParam, request: Request, who: MaybePrincipal, bookings: BookingsDep
) -> BookingOut:
    """Public: a booking by its code (the phone masked unless staff of its office ask)."""
    limit_reads(request, who)
    view = await bookings.find(code)
    private = isinstance(who, StaffPrincipal) and who.office_id == view.office_id
    return BookingOut.of(view, private=private)


@router.delete("/api/v1/bookings/{code}", tags=["bookings"])
async def cancel(
    code: CodeParam, request: Request, who: MaybePrincipal, bookings: BookingsDep
) -> BookingOut:
    """Cancel a booking by its code (anyone holding it, or staff of its office)."""
    staff = _no_devices(who)
    limit_writes(request, who)
    view = await bookings.cancel(code, office_id=staff.office_id if staff else None)
    return BookingOut.of(view, private=staff is not None)


@router.patch("/api/v1/bookings/{code}", tags=["bookings"])
async def move(
    code: CodeParam, body: MoveIn, request: Request, who: MaybePrincipal, bookings: BookingsDep
) -> BookingOut:
    """Move a booking to another slot of its service; it keeps its code."""
    staff = _no_devices(who)
    limit_writes(request, who)
    view = await bookings.move(code, body.date, body.time, staff=staff)
    return BookingOut.of(view, private=staff is not None)


@router.post(
    "/api/v1/bookings/{code}/check-in",
    tags=["bookings"],
    status_code=201,
    responses={
        409: {"description": "already checked in"},
        422: {"description": "outside the check-in window, another day, or cancelled"},
    },
)
async def check_in(
    code: CodeParam, request: Request, who: CurrentIssuer, bookings: BookingsDep
) -> JSONResponse:
    """A kiosk or staff check a booking in: its ticket, in the shape of POST /api/v1/tickets
    (a kiosk prints it), called at the slot's time ahead of walk-ins."""
    queue = request.app.state.queue
    issued = request.app.state.ticket_issuer

    async def issue(service: str, slot_start: Any, with_ticket: Any) -> JSONResponse:
        ticket = partial(
            queue.issue_ticket,
            who.office_id,
            service,
            None,
            booked_for=slot_start,
            with_ticket=with_ticket,
        )
        answer: JSONResponse = await issued(request, who, ticket)
        return answer

    return await bookings.check_in(code, who.office_id, issue)


# ------------------------------------------------------------------ pages


def _qr_svg(text: str) -> str:
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    return str(image.to_string(encoding="unicode"))


@router.get("/book", response_class=HTMLResponse, include_in_schema=False)
async def book_page(
    request: Request,
    bookings: BookingsDep,
    office: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The public booking page, phone first (a poster QR, the office's website: `?office=CODE`)."""
    found, services = await bookings.bookable_services(office_code=office)
    assert found.id is not None
    rules, _ = await bookings.settings(found.id)
    day = local_day(bookings.clock(), found.timezone)
    manuals = await read_manuals(request.app.state.db, found.id, day)
    return render_page(
        templates,
        request,
        "bookings/book.html",
        {
            "T": PAGE,
            "static": STATIC_URL,
            "office": found,
            "services": [s for s in services if s.rules.enabled and s.capacity > 0],
            "manuals": manuals,
            "rules": rules,
            "move": None,
        },
    )


@router.get("/book/find", include_in_schema=False)
async def find_page(code: Annotated[str, Query(max_length=40)]) -> Response:
    clean = normalise_code(code)
    if clean is None:
        raise error(NotFound, "not_found")
    return RedirectResponse(f"/book/{clean}", status_code=303)


@router.get("/book/{code}", response_class=HTMLResponse, include_in_schema=False)
async def booking_page(
    code: CodeParam,
    request: Request,
    bookings: BookingsDep,
    cancelled: bool = False,
    moved: bool = False,
) -> Response:
    """One booking by its code: its slot, what to bring, cancel or move."""
    limit_reads(request, None)
    try:
        view = await bookings.find(code)
    except DomainError as exc:
        return render_page(
            templates,
            request,
            "bookings/missing.html",
            {"T": PAGE, "static": STATIC_URL, "error": exc},
            status_code=404,
        )
    manuals = await read_manuals(request.app.state.db, view.office_id, view.day)
    notice = PAGE["cancelled"] if cancelled else PAGE["moved"] if moved else None
    # Buttons other packages offer here (LINE notifications), handed over by the app factory.
    actions = []
    for offer in getattr(request.app.state, "booking_actions", []):
        action = await offer(view.code)
        if action is not None:
            actions.append(action)
    return render_page(
        templates,
        request,
        "bookings/booking.html",
        {
            "T": PAGE,
            "static": STATIC_URL,
            "b": BookingOut.of(view, private=False),
            "manual": manuals.get(view.service),
            "notice": notice,
            "actions": actions,
        },
    )


@router.get("/book/{code}/move", response_class=HTMLResponse, include_in_schema=False)
async def move_page(code: CodeParam, request: Request, bookings: BookingsDep) -> Response:
    view = await bookings.find(code)
    found, _ = await bookings.bookable_services(office_id=view.office_id)
    rules, _ = await bookings.settings(view.office_id)
    return render_page(
        templates,
        request,
        "bookings/book.html",
        {
            "T": PAGE,
            "static": STATIC_URL,
            "office": found,
            "services": [],
            "manuals": {},
            "rules": rules,
            "move": BookingOut.of(view, private=False),
        },
    )


@router.get("/book/{code}/qr.svg", include_in_schema=False)
async def booking_qr(code: CodeParam, bookings: BookingsDep) -> Response:
    """The booking code as a QR: a kiosk's scanner types it into the check-in keypad."""
    view = await bookings.find(code)
    return Response(
        _qr_svg(view.code), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


# Loaded by the counter console as a panel (app.state.console_panels, see saduak/app.py).
CONSOLE_PANEL = STATIC_URL + "/desk.js"


async def _desk_context(bookings: Bookings, office_id: int, *, on_desk: bool) -> dict[str, Any]:
    office, services = await bookings.bookable_services(office_id=office_id)
    today = local_day(bookings.clock(), office.timezone)
    rows = [BookingOut.of(v, private=True) for v in await bookings.bookings_on(office_id, today)]
    return {
        "S": STAFF,
        "static": STATIC_URL,
        "office": office,
        "today": today.isoformat(),
        "rows": rows,
        "services": [s for s in services if s.rules.enabled and s.capacity > 0],
        "all_services": services,
        "on_desk": on_desk,
    }


@router.get("/bookings/panel", response_class=HTMLResponse, include_in_schema=False)
async def desk_panel(
    request: Request, viewer: PageViewer, bookings: BookingsDep, desk: bool = False
) -> Response:
    """Today's bookings as a fragment for the console's panel (and the desk page's refresh)."""
    context = await _desk_context(bookings, viewer.staff.office_id, on_desk=desk)
    return render_page(templates, request, "bookings/_desk.html", context)


@router.get("/bookings", response_class=HTMLResponse, include_in_schema=False)
async def desk_page(request: Request, viewer: PageViewer, bookings: BookingsDep) -> Response:
    """The bookings desk: today's bookings and check-in, booking for a caller; for managers the
    CSV import of other systems' bookings, for the admin the booking rules."""
    staff = viewer.staff
    context = await _desk_context(bookings, staff.office_id, on_desk=True)
    rules, columns = await bookings.settings(staff.office_id)
    context |= {
        "csrf_token": viewer.csrf_token,
        "can_import": staff.role in (Role.ADMIN, Role.MANAGER),
        "is_admin": staff.role == Role.ADMIN,
        "fields": IMPORT_FIELDS,
        "columns": columns,
        "rules": rules,
    }
    return render_page(templates, request, "bookings/desk.html", context)
