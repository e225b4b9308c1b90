"""Ticket taking: the kiosk page, issuing (and printing), reprints, and the citizen status page."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import anyio.to_thread
import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from counter import repository as counter_repo
from counter.auth import DeviceKind, DevicePrincipal, StaffPrincipal
from counter.feed import (
    Channel,
    FeedHub,
    OfficeFeed,
    Peer,
    Snapshot,
    StreamSink,
    dumps,
    event_seq,
)
from counter.manual import read_manuals
from counter.models import Office
from counter.pages import render_page
from counter.queue.errors import Conflict, Forbidden, NotFound
from counter.queue.states import OPEN_STATES, TicketStatus
from counter.queue.thai import BANGKOK, MONTHS_SHORT
from counter.ratelimit import RateLimiter
from counter.schemas import IssueIn, Strict, TicketOut
from counter.service import QueueService, TicketView, local_day
from counter.ui import mount_static, templates_for
from counter.web import CurrentIssuer, Principal, QueueDep
from kiosk import texts
from kiosk.printing import (
    JOB_DEADLINE,
    browser_width,
    printer_queue,
    render_ticket,
    wait_for_job,
)
from printer.config import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, paper_mm

HERE = Path(__file__).resolve().parent
templates = templates_for(HERE)
router = APIRouter()

TicketId = Annotated[int, PathParam(ge=1, le=2**62)]
StatusToken = Annotated[str, PathParam(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# How long the kiosk shows a ticket before going back to its start screen.
RETURN_SECONDS = 12
# How often an idle status page hears from the server, so proxies keep the stream open.
STATUS_HEARTBEAT_SECONDS = 15.0


def mount_kiosk_static(app: Any) -> None:
    mount_static(app, "/static/kiosk", HERE / "static", "kiosk-static")


async def _printed_within_bound(
    request: Request, queue: QueueService, job_id: int, where: str
) -> None:
    """Wake the printer's queue and wait for the job at most the print wait (L9): a tap answers
    within it, with "pending" if the printer has not finished; the job goes on in its printer's
    queue and the ticket becomes "printed" when it does."""
    state = request.app.state
    state.print_signals.job_added(where)
    await wait_for_job(queue, state.print_signals, job_id, state.settings.print_wait_seconds)


def _limiter(request: Request) -> RateLimiter:
    state = request.app.state
    if not hasattr(state, "kiosk_limiter"):
        state.kiosk_limiter = RateLimiter(state.settings.kiosk_rate_per_minute)
    limiter: RateLimiter = state.kiosk_limiter
    return limiter


class IssuedTicketOut(TicketOut):
    # The wait as the slip prints it: "รอ 3 คิว (ประมาณ 10–20 นาที)".
    wait_th: str = ""
    wait_en: str = ""
    # A booked ticket's mark as the slip prints it: "ตามนัด 10.00 น. / Booked 10.00".
    booked_label: str | None = None
    # Shown on the kiosk when the ticket did not print: "please note your number".
    print_message_th: str | None = None
    print_message_en: str | None = None


def _issued(view: TicketView, status_code: int = 201, tz: str = BANGKOK) -> JSONResponse:
    body = IssuedTicketOut.model_validate(view, from_attributes=True)
    if view.status == "waiting":
        body.wait_th, body.wait_en = texts.wait_text(view.waiting_ahead, view.estimated_wait_range)
    body.booked_label = texts.booked_label(view.booked_for, tz)
    if view.print_status == "pending":
        body.print_message_th, body.print_message_en = texts.PRINT_FAILED
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code)


# ------------------------------------------------------------------ issuing


@router.post(
    "/api/v1/tickets",
    tags=["tickets"],
    status_code=201,
    response_model=IssuedTicketOut,
    responses={429: {"description": "this kiosk issued too many tickets in the last minute"}},
)
async def issue_ticket(
    body: IssueIn,
    who: CurrentIssuer,
    queue: QueueDep,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> JSONResponse:
    """Issue a ticket; from a kiosk it also prints on that kiosk's printer.

    A kiosk sends an `Idempotency-Key` per tap: the same key returns the same ticket, so a double
    tap or a retried request never makes two tickets or two printouts.
    """
    issue = partial(queue.issue_ticket, who.office_id, body.service, body.priority)
    return await issued_response(request, who, issue, request_key=idempotency_key)


async def issued_response(
    request: Request,
    who: Principal,
    issue: Callable[..., Awaitable[TicketView]],
    *,
    request_key: str | None = None,
) -> JSONResponse:
    """Issue a ticket through `issue` (QueueService.issue_ticket with the office, service and
    whatever else the caller binds) as POST /api/v1/tickets does: staff get it on screen, a
    kiosk also prints it on its printer, within the kiosk's rate limit; the answer is the
    ticket in the shape of POST /api/v1/tickets. Feature packages that issue tickets (booking
    check-in) get this function from the app factory (`app.state.ticket_issuer`)."""
    queue: QueueService = request.app.state.queue
    if isinstance(who, StaffPrincipal):
        view = await issue(staff_id=who.staff_id)
        return _issued(view, tz=await _zone(queue, view))

    device = await queue.device(who.office_id, who.device_id)
    where = printer_queue(device)
    # Printed by the kiosk page through the browser: nothing can confirm it reached paper.
    unprinted = "unconfirmed" if browser_width(device) else "none"
    limiter = _limiter(request)
    counted = False

    def rate_check() -> bool:
        nonlocal counted
        counted = limiter.allow(who.device_id)
        return counted

    try:
        view = await issue(
            device_id=who.device_id,
            print_status="pending" if where else unprinted,
            request_key=request_key,
            rate_check=rate_check,
            print_queue=where,
            print_deadline=JOB_DEADLINE,
        )
    except Exception:
        # Only tickets actually issued count against the kiosk's limit.
        if counted:
            limiter.refund(who.device_id)
        raise
    if view.replayed:
        return _issued(view, status_code=200, tz=await _zone(queue, view))
    if view.print_job_id is not None and where is not None:
        await _printed_within_bound(request, queue, view.print_job_id, where)
        view = await queue.ticket(who.office_id, view.id)
    return _issued(view, tz=await _zone(queue, view))


async def _zone(queue: QueueService, view: TicketView) -> str:
    """The office's time zone, read only for a booked ticket (its mark shows the slot's time)."""
    if view.booked_for is None:
        return BANGKOK
    return (await queue.office(view.office_id)).timezone


class ReprintIn(Strict):
    # Reprinting a ticket that already printed is almost always a mistake; say so explicitly.
    force: bool = False
    # Staff may send it to another kiosk's printer (e.g. the first one is out of paper).
    device_id: int | None = Field(default=None, ge=1)


@router.post(
    "/api/v1/tickets/{ticket_id}/reprint", tags=["tickets"], response_model=IssuedTicketOut
)
async def reprint(
    ticket_id: TicketId,
    who: CurrentIssuer,
    queue: QueueDep,
    request: Request,
    body: ReprintIn | None = None,
) -> JSONResponse:
    """Print a ticket again, e.g. once the paper is refilled: staff, or the kiosk that issued it."""
    body = body or ReprintIn()
    view = await queue.ticket(who.office_id, ticket_id)
    if isinstance(who, DevicePrincipal) and (
        view.device_id != who.device_id or body.device_id not in (None, who.device_id)
    ):
        raise Forbidden(*texts.say("reprint_own"))
    if view.print_status == "printed" and not body.force:
        raise Conflict(*texts.say("printed", number=view.number))
    device_id = body.device_id or view.device_id
    if device_id is None:
        raise Conflict(*texts.say("not_from_kiosk", number=view.number))
    device = await queue.device(who.office_id, device_id)
    where = printer_queue(device)
    if device.kind != DeviceKind.KIOSK or where is None:
        raise Conflict(*texts.say("no_printer", device=device.name))
    job = await queue.enqueue_print(
        who.office_id, device_id, where, deadline=JOB_DEADLINE, ticket_id=ticket_id
    )
    await _printed_within_bound(request, queue, job.id, where)
    return _issued(await queue.ticket(who.office_id, ticket_id), status_code=200)


# ------------------------------------------------------------------ kiosk page and its data


@router.get("/kiosk", response_class=HTMLResponse, include_in_schema=False)
async def kiosk_page(request: Request) -> Response:
    # The page itself holds nothing secret: it reads its device token from the URL or
    # localStorage and fetches everything with it.
    return render_page(
        templates,
        request,
        "kiosk.html",
        {
            "return_seconds": RETURN_SECONDS,
            "t": texts.TEXT,
            # What the page script needs before the first answer from the server.
            "config": {
                "text": texts.TEXT,
                "returnSeconds": RETURN_SECONDS,
                "monthsShort": MONTHS_SHORT,
                "timeZone": BANGKOK,
            },
        },
        cache="no-cache",
    )


class KioskServiceOut(BaseModel):
    code: str
    name_th: str
    name_en: str
    prefix: str
    waiting: int
    # What a ticket of this service taken now would be told.
    waiting_ahead: int
    estimated_wait_minutes: int
    estimated_wait_range: tuple[int, int]
    wait_th: str
    wait_en: str
    active: bool
    # False: a ticket cannot be taken now (the office is closed, the service is past its issuing
    # cut-off or its daily cap); the kiosk greys the service and says why.
    available: bool = True
    refusal_th: str | None = None
    refusal_en: str | None = None
    # The citizen manual behind the ⓘ: steps, documents, fee, processing time, legal basis.
    manual: dict[str, Any] | None = None


class KioskGroupOut(BaseModel):
    group: str
    name_th: str
    name_en: str
    services: list[KioskServiceOut]


class KioskConfigOut(BaseModel):
    office_th: str
    office_en: str
    device: str | None
    groups: list[KioskGroupOut]
    priorities: dict[str, tuple[str, str]]
    # "browser": the page prints each slip itself (window.print) on `paper_mm` paper; "none":
    # the kiosk has no printer, the ticket is on screen only.
    print_mode: str = "server"
    paper_mm: int | None = None
    # Whether the office issues tickets now; if not, why, when it opens again, and its hours.
    open: bool = True
    closed_th: str | None = None
    closed_en: str | None = None
    next_opening: datetime | None = None
    next_opening_th: str | None = None
    next_opening_en: str | None = None
    hours_th: str
    hours_en: str
    # The kiosk's clock shows the office's time, from the server's clock, not the device's.
    timezone: str
    server_time: datetime


@router.get("/api/v1/kiosk/services", tags=["kiosk"])
async def kiosk_services(who: CurrentIssuer, queue: QueueDep, request: Request) -> KioskConfigOut:
    """What the kiosk start screen shows: services by group with the line and wait of each,
    and each service's citizen manual."""
    office = await queue.office(who.office_id)
    now = queue.clock()
    issuing = await queue.issuing(who.office_id)
    manuals = await read_manuals(
        request.app.state.db, who.office_id, local_day(now, office.timezone)
    )
    groups: dict[str, KioskGroupOut] = {}
    services = {s.service: s for s in await queue.queue(who.office_id)}
    for item in await queue.services(who.office_id):
        q = services[item.code]
        if not item.active:
            continue
        th, en = texts.group_label(item.group)
        group = groups.setdefault(
            item.group, KioskGroupOut(group=item.group, name_th=th, name_en=en, services=[])
        )
        wait_th, wait_en = texts.service_wait_text(q.waiting_ahead, q.estimated_wait_range)
        group.services.append(
            KioskServiceOut(
                code=item.code,
                name_th=item.name_th,
                name_en=item.name_en,
                prefix=item.prefix,
                waiting=q.waiting,
                waiting_ahead=q.waiting_ahead,
                estimated_wait_minutes=q.estimated_wait_minutes,
                estimated_wait_range=q.estimated_wait_range,
                wait_th=wait_th,
                wait_en=wait_en,
                active=item.active,
                available=q.refusal is None,
                refusal_th=q.refusal[0] if q.refusal else None,
                refusal_en=q.refusal[1] if q.refusal else None,
                manual=manuals[item.code].as_dict() if item.code in manuals else None,
            )
        )
    width = None
    print_mode = "server"
    if isinstance(who, DevicePrincipal):
        device = await queue.device(who.office_id, who.device_id)
        width = browser_width(device)
        if width:
            print_mode = "browser"
        elif printer_queue(device) is None:
            print_mode = "none"
    local_now = now.astimezone(ZoneInfo(issuing.timezone))
    hours_th, hours_en = texts.hours_text(issuing.hours)
    opening = (
        texts.next_opening_text(issuing.next_opening, local_now)
        if issuing.next_opening
        else (None, None)
    )
    return KioskConfigOut(
        office_th=office.name_th,
        office_en=office.name_en,
        device=who.name if isinstance(who, DevicePrincipal) else None,
        groups=list(groups.values()),
        priorities=texts.PRIORITY_LABELS,
        print_mode=print_mode,
        paper_mm=paper_mm(width) if width else None,
        open=issuing.open,
        closed_th=issuing.reason[0] if issuing.reason else None,
        closed_en=issuing.reason[1] if issuing.reason else None,
        next_opening=issuing.next_opening,
        next_opening_th=opening[0],
        next_opening_en=opening[1],
        hours_th=hours_th,
        hours_en=hours_en,
        timezone=issuing.timezone,
        server_time=now,
    )


@router.get("/api/v1/tickets/{ticket_id}/slip.png", tags=["tickets"])
async def slip_png(
    ticket_id: TicketId,
    who: CurrentIssuer,
    queue: QueueDep,
    width: Annotated[int | None, Query(ge=MIN_WIDTH, le=MAX_WIDTH)] = None,
) -> Response:
    """The ticket's slip exactly as a thermal printer prints it (1-bit PNG): what a kiosk that
    prints through its browser puts on paper. A kiosk gets only the tickets it issued."""
    view = await queue.ticket(who.office_id, ticket_id)
    if isinstance(who, DevicePrincipal) and view.device_id != who.device_id:
        raise Forbidden(*texts.say("print_own"))
    if width is None and view.device_id is not None:
        width = browser_width(await queue.device(who.office_id, view.device_id))
    office = await queue.office(who.office_id)
    image = await anyio.to_thread.run_sync(render_ticket, view, office, width or DEFAULT_WIDTH)
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG")
    return Response(
        buffer.getvalue(), media_type="image/png", headers={"Cache-Control": "no-store"}
    )


# ------------------------------------------------------------------ citizen status page


class StatusOut(BaseModel):
    number: str
    service_th: str
    service_en: str
    office_th: str
    office_en: str
    status: str
    status_th: str
    status_en: str
    priority: str | None
    waiting_ahead: int
    estimated_wait_minutes: int
    estimated_wait_range: tuple[int, int]
    counter: int | None
    recall_count: int


def _status_shown(view: TicketView, office: Office) -> dict[str, Any]:
    """What the citizen's status page shows of a ticket: everything in `StatusOut` but the point
    estimate (the page shows the range; the point moves by a minute far more often than the
    range does). Its live stream sends exactly this, and only when it changes."""
    th, en = texts.STATUS_LABELS.get(view.status, (view.status, view.status))
    return {
        "number": view.number,
        "service_th": view.service_name_th,
        "service_en": view.service_name_en,
        "office_th": office.name_th,
        "office_en": office.name_en,
        "status": view.status,
        "status_th": th,
        "status_en": en,
        "priority": view.priority,
        "waiting_ahead": view.waiting_ahead,
        "estimated_wait_range": view.estimated_wait_range,
        "counter": view.counter,
        "recall_count": view.recall_count,
    }


def _status_out(view: TicketView, office: Office) -> StatusOut:
    return StatusOut(
        **_status_shown(view, office), estimated_wait_minutes=view.estimated_wait_minutes
    )


async def _status(queue: QueueService, token: str) -> StatusOut:
    view = await queue.ticket_by_token(token)
    return _status_out(view, await queue.office(view.office_id))


@router.get("/api/v1/status/{token}", tags=["status page"])
async def ticket_status(token: StatusToken, queue: QueueDep) -> StatusOut:
    """Public: what the citizen's phone shows. Keyed by the ticket's unguessable token."""
    return await _status(queue, token)


@router.get("/t/{token}", response_class=HTMLResponse, include_in_schema=False)
async def status_page(token: StatusToken, request: Request, queue: QueueDep) -> Response:
    try:
        status = await _status(queue, token)
    except NotFound:
        return render_page(
            templates, request, "status_missing.html", {"t": texts.TEXT}, status_code=404
        )
    view = await queue.ticket_by_token(token)
    # The standard in force on the ticket's day.
    manual = (await read_manuals(request.app.state.db, view.office_id, view.business_day)).get(
        view.service
    )
    # Buttons other packages offer here (LINE notifications): kiosk may not import them, so the
    # app factory hands them over (app.state.status_actions).
    actions = []
    for offer in getattr(request.app.state, "status_actions", []):
        action = await offer(view.office_id, token)
        if action is not None:
            actions.append(action)
    return render_page(
        templates,
        request,
        "status.html",
        {
            "token": token,
            "status": status.model_dump(),
            "manual": manual,
            "actions": actions,
            "t": texts.TEXT,
            # No call is coming for these: the sound-alert button goes.
            "ended": sorted(s.value for s in TicketStatus if s not in OPEN_STATES),
        },
    )


@router.get("/t/{token}/qr.svg", include_in_schema=False)
async def status_qr(token: StatusToken, queue: QueueDep) -> Response:
    view = await queue.ticket_by_token(token)
    image = qrcode.make(
        view.status_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    return Response(image.to_string(), media_type="image/svg+xml")


class StatusChannel(Channel):
    """The citizens' status pages following one office (counter/feed.py).

    On every office event the status of every followed ticket is read again in one database
    read, however many phones follow (`QueueService.tickets_by_token`), and a page hears only
    when what it shows changed (`_status_shown`). A frame is rendered once per distinct status
    and reused while that status stays the same, so a call costs a rendering for each page that
    moved, not for every page. A heartbeat keeps each stream alive whatever the traffic, so a
    proxy's idle timeout never cuts a page whose status has settled."""

    kind = "status"
    ordered = False
    skip_unchanged = True

    def __init__(
        self,
        office: OfficeFeed,
        *,
        queue: QueueService,
        heartbeat_seconds: float = STATUS_HEARTBEAT_SECONDS,
    ) -> None:
        super().__init__(office)
        self.queue = queue
        self.heartbeat_seconds = heartbeat_seconds
        # What the pages were last shown -> its frame: the frames of the last snapshot.
        self._frames: dict[tuple[Any, ...], str] = {}

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None] | None:
        try:
            office, views = await self.queue.tickets_by_token(
                self.office_id, [peer.key for peer in peers]
            )
        except NotFound:
            return None
        previous = self._frames
        frames: dict[tuple[Any, ...], str] = {}
        by_token: dict[str, Snapshot] = {}
        for view in views:
            shown = _status_shown(view, office)
            key = tuple(shown.values())
            text = frames.get(key) or previous.get(key) or _sse(shown)
            frames[key] = text
            by_token[view.token] = Snapshot(text)
        if len(peers) == len(self.peers()):
            # Every page was read: the frames of statuses no page shows any more are dropped.
            self._frames = frames
        else:
            self._frames = previous | frames
        return {peer: by_token.get(peer.key) for peer in peers}

    async def on_event(self, event: dict[str, Any]) -> None:
        # Any queue event may move a followed ticket (a call ahead of it, a counter opening);
        # printer alerts (no seq) never do. Events that come together share one read.
        if event_seq(event) is not None:
            self.resync()

    def heartbeat_text(self, peer: Peer, at: datetime) -> str:
        interval = self.heartbeat_seconds
        data = dumps({"type": "heartbeat", "at": at.isoformat(), "interval": interval})
        return f"event: heartbeat\ndata: {data}\n\n"


def configure_status_feed(app: Any, **options: Any) -> None:
    """Status pages read their tickets through the app's queue service (`options`: e.g. the
    heartbeat interval)."""
    app.state.feeds.configure(StatusChannel, queue=app.state.queue, **options)


@router.get("/t/{token}/events", include_in_schema=False)
async def status_events(token: StatusToken, request: Request, queue: QueueDep) -> Response:
    """Server-sent events: the status (a `message` event) whenever it changes, and a
    `heartbeat` event every few seconds. Pages reconnect with the shared live module."""
    view = await queue.ticket_by_token(token)
    first = _sse(_status_shown(view, await queue.office(view.office_id)))
    feeds: FeedHub = request.app.state.feeds
    sink = StreamSink()
    peer = Peer(sink, view.office_id, token)
    peer.last_snapshot = first

    async def stream() -> AsyncIterator[str]:
        feeds.join(peer, StatusChannel)
        try:
            yield first
            async for text in sink:
                yield text
        finally:
            feeds.leave(peer)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _sse(shown: Mapping[str, Any]) -> str:
    return f"data: {dumps(shown)}\n\n"


# ------------------------------------------------------------------ service standards board


@router.get("/standards", response_class=HTMLResponse, include_in_schema=False)
async def standards_board(
    request: Request,
    queue: QueueDep,
    office: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The A4 service standards board of an office (`?office=CODE`; the only office if one):
    every service's processing time, fee, documents and legal basis, from the citizen manuals."""
    db = request.app.state.db

    def read() -> Office | None:
        with db.read() as session:
            return counter_repo.public_office(session, office)

    found = await anyio.to_thread.run_sync(read)
    if found is None or found.id is None:
        raise NotFound(*texts.say("no_office"))
    today = local_day(queue.clock(), found.timezone)
    manuals = list((await read_manuals(request.app.state.db, found.id, today)).values())
    public_url = request.app.state.settings.public_url
    return render_page(
        templates,
        request,
        "standards.html",
        {
            "t": texts.TEXT,
            "office": found,
            "manuals": manuals,
            "complaint_url": f"{public_url}/complaint?office={found.code}",
        },
    )
