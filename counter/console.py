"""The staff counter console and the supervisor view: pages, their JSON reads, the staff feed.

Pages (`/login`, `/counter`, `/supervisor`) authenticate with the HttpOnly session cookie set by
POST /api/v1/auth/login; every change they make goes through the JSON API with the CSRF header.
The live feed `/ws/staff` is described on `staff_feed`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request, WebSocket
from fastapi import Path as PathParam
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from counter.auth import Role, StaffPrincipal
from counter.console_service import ConsoleService, ConsoleState, SupervisorState, TicketLookup
from counter.feed import (
    Channel,
    FeedHub,
    OfficeFeed,
    Peer,
    Snapshot,
    WebSocketSink,
    dumps,
    receive_json,
    same_origin,
)
from counter.pages import PageManager, PageViewer, render_page
from counter.schemas import Strict
from counter.service import PAUSE_REASONS, QueueService
from counter.texts import CONSOLE as TEXT
from counter.ui import mount_static, templates_for
from counter.web import SESSION_COOKIE, Authenticator, CurrentManager, CurrentStaff, QueueDep

log = logging.getLogger(__name__)

router = APIRouter()

COUNTER_DIR = Path(__file__).resolve().parent
STATIC_DIR = COUNTER_DIR / "static" / "console"
STATIC_URL = "/static/console"
WS_PATH = "/ws/staff"
templates = templates_for(COUNTER_DIR)

CounterNumber = Annotated[int, PathParam(ge=1, le=9999)]

# Application close codes the pages act on: 4401 -> sign in again, 4403 -> not allowed.
CLOSE_SESSION = 4401
CLOSE_FORBIDDEN = 4403

MANAGER_ROLES = (Role.ADMIN, Role.MANAGER)

# The console's actions and their keys, in button order. Keys are matched by physical position
# (KeyboardEvent.code), so they work whether the keyboard is set to Thai or English.
ACTIONS: list[tuple[str, str]] = [
    ("call_next", "N"),
    ("recall", "R"),
    ("start", "S"),
    ("finish", "F"),
    ("no_show", "X"),
    ("transfer", "T"),
    ("hold", "H"),
    ("unhold", "B"),
    ("call_specific", "C"),
    ("pause", "P"),
    ("close_counter", "Q"),
]
# Undoes a no-show while it waits to be written (see console.js).
UNDO_KEY = "Z"
# Ready-made reasons for calling a ticket out of order (catalogue keys); the last asks for text.
CALL_REASONS = [
    "reason_priority",
    "reason_continuing",
    "reason_appointment",
    "reason_urgent",
    "reason_other_option",
]


def text_catalogue() -> dict[str, list[str]]:
    return {key: [th, en] for key, (th, en) in TEXT.items()}


# ------------------------------------------------------------------ request bodies


class ServicesIn(Strict):
    services: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(max_length=200)


class ServicesOut(BaseModel):
    counter: int
    services: list[str]


def get_console(request: Request) -> ConsoleService:
    queue: QueueService = request.app.state.queue
    return ConsoleService(queue)


ConsoleDep = Annotated[ConsoleService, Depends(get_console)]


# ------------------------------------------------------------------ pages


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    # Pages carry a CSRF token: never cached (render_page), never framed (SecurityHeaders).
    return render_page(
        templates,
        request,
        name,
        {"t": TEXT, "text_json": text_catalogue(), "static": STATIC_URL, **context},
        status_code=status_code,
    )


def safe_next(value: str | None, default: str = "/counter") -> str:
    """Only a path on this site: never `//host` or `https://host` (an open redirect)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(
    request: Request,
    next: Annotated[str | None, Query(max_length=500)] = None,
    expired: Annotated[str | None, Query(max_length=5)] = None,
    signed_out: Annotated[str | None, Query(alias="signed-out", max_length=5)] = None,
) -> HTMLResponse:
    return _page(
        request,
        "login.html",
        {
            # Empty: the person's own start page (counter/nav.py), told by the login answer.
            "next": safe_next(next, default=""),
            "expired": expired == "1",
            "signed_out": signed_out == "1",
        },
    )


@router.get("/counter", response_class=HTMLResponse, include_in_schema=False)
async def console_page(request: Request, viewer: PageViewer) -> Response:
    """The counter console: one key per action (see the legend on screen)."""
    staff = viewer.staff
    return _page(
        request,
        "console/console.html",
        {
            "csrf_token": viewer.csrf_token,
            "me": staff,
            "page": "console",
            "actions": ACTIONS,
            "pause_reasons": PAUSE_REASONS,
            "call_reasons": CALL_REASONS,
            "config": {
                "view": "console",
                "ws_path": WS_PATH,
                "keys": dict(ACTIONS),
                "undo_key": UNDO_KEY,
            },
            # Panels other packages add (today's bookings…), composed by the app factory.
            "panels": getattr(request.app.state, "console_panels", []),
        },
    )


@router.get("/supervisor", response_class=HTMLResponse, include_in_schema=False)
async def supervisor_page(request: Request, viewer: PageManager) -> Response:
    """Every counter and every service line at a glance, for the office head."""
    return _page(
        request,
        "console/supervisor.html",
        {
            "csrf_token": viewer.csrf_token,
            "me": viewer.staff,
            "page": "supervisor",
            "config": {"view": "supervisor", "ws_path": WS_PATH},
            # Cards other packages add (overdue complaints…), composed by the app factory.
            "panels": getattr(request.app.state, "supervisor_panels", []),
        },
    )


def mount_console_static(app: Any) -> None:
    mount_static(app, STATIC_URL, STATIC_DIR, "console-static")


# ------------------------------------------------------------------ JSON API of the pages


@router.get("/api/v1/console", tags=["console"])
async def console_state(staff: CurrentStaff, console: ConsoleDep) -> ConsoleState:
    """What the signed-in staff member's console shows: their counter, its current ticket,
    held tickets, the waiting line of its services, every counter and who holds it."""
    return await console.console(staff)


@router.get("/api/v1/console/ticket", tags=["console"])
async def find_ticket(
    number: Annotated[str, Query(min_length=1, max_length=8)],
    staff: CurrentStaff,
    console: ConsoleDep,
) -> TicketLookup:
    """Today's ticket by its number ("B015"), to call it out of order."""
    return await console.find_ticket(staff.office_id, number)


@router.get("/api/v1/supervisor", tags=["console"])
async def supervisor_state(manager: CurrentManager, console: ConsoleDep) -> SupervisorState:
    """Every counter's state, each service's line and longest wait, and the wait alerts."""
    return await console.supervisor(manager)


@router.post("/api/v1/counters/{number}/open", tags=["counters"], status_code=204)
async def open_counter(number: CounterNumber, staff: CurrentStaff, queue: QueueDep) -> Response:
    """Sit down at a counter; 409 naming the holder when someone else is there."""
    await queue.open_counter(staff, number)
    return Response(status_code=204)


@router.put("/api/v1/counters/{number}/services", tags=["counters"])
async def set_counter_services(
    number: CounterNumber, body: ServicesIn, manager: CurrentManager, queue: QueueDep
) -> ServicesOut:
    """Change which services a counter serves (by service code); each change is logged."""
    codes = await queue.set_counter_services(manager, number, body.services)
    return ServicesOut(counter=number, services=codes)


# ------------------------------------------------------------------ the staff feed

View = Literal["console", "supervisor"]


@dataclass(frozen=True)
class StaffPage:
    """Who a console or supervisor page is, on the staff channel."""

    staff: StaffPrincipal
    token: str
    view: View


class StaffChannel(Channel):
    """The console and supervisor pages of one office (counter/feed.py): a snapshot of the page's
    own state, then every office event as published, in seq order (`printer.*` alerts, which have
    no seq, as they come). Each heartbeat re-checks that the page's session still holds."""

    kind = "staff"

    def __init__(self, office: OfficeFeed, *, auth: Authenticator, queue: QueueService) -> None:
        super().__init__(office)
        self.auth = auth
        self.console = ConsoleService(queue)

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None]:
        # One read per person and view, however many tabs they have open.
        made: dict[tuple[View, int], Snapshot] = {}
        out: dict[Peer, Snapshot | None] = {}
        for peer in peers:
            page: StaffPage = peer.key
            key = (page.view, page.staff.staff_id)
            if key not in made:
                state: ConsoleState | SupervisorState
                if page.view == "supervisor":
                    state = await self.console.supervisor(page.staff)
                else:
                    state = await self.console.console(page.staff)
                made[key] = self._snapshot(page.view, state)
            out[peer] = made[key]
        return out

    @staticmethod
    def _snapshot(view: View, state: ConsoleState | SupervisorState) -> Snapshot:
        message = {"type": "snapshot", "view": view, "seq": state.seq, "state": state}
        return Snapshot(dumps(jsonable_encoder(message)), state.seq)

    async def still_allowed(self, peers: list[Peer]) -> Iterable[tuple[Peer, int, str]]:
        ended = []
        for peer in peers:
            if await self.auth.resolve(peer.key.token) is None:
                await self.send(peer, dumps({"type": "session.expired"}))
                ended.append((peer, CLOSE_SESSION, "session expired"))
        return ended


def configure_staff_feed(app: Any) -> None:
    app.state.feeds.configure(StaffChannel, auth=app.state.auth, queue=app.state.queue)


@router.websocket(WS_PATH)
async def staff_feed(websocket: WebSocket, view: str = "console") -> None:
    """Live feed of the console (`?view=console`) and supervisor (`?view=supervisor`) pages.

    Authenticated by the staff session cookie (the page's own origin only). Sends
    `{"type": "snapshot", "view", "seq", "state"}` on connect and whenever events were missed
    (state = GET /api/v1/console or /api/v1/supervisor), then every office event as published
    (`ticket.*`, `counter.*`, `queue.*` with a gap-free `seq`; `printer.*` without one), and
    `{"type": "heartbeat", "seq"}` every few seconds. A page may send `{"type": "resync"}`.
    Closes with 4401 when there is no valid session (or it ends: `session.expired` first) and
    4403 for a view the account may not see or a foreign origin.
    """
    await websocket.accept()
    if not same_origin(websocket):
        await websocket.close(CLOSE_FORBIDDEN, "foreign origin")
        return
    token = websocket.cookies.get(SESSION_COOKIE)
    auth: Authenticator = websocket.app.state.auth
    principal = await auth.resolve(token) if token else None
    if token is None or not isinstance(principal, StaffPrincipal):
        await websocket.close(CLOSE_SESSION, "sign in first")
        return
    if view not in ("console", "supervisor") or (
        view == "supervisor" and principal.role not in MANAGER_ROLES
    ):
        await websocket.close(CLOSE_FORBIDDEN, "not allowed")
        return
    page = StaffPage(principal, token, "supervisor" if view == "supervisor" else "console")
    feeds: FeedHub = websocket.app.state.feeds
    peer = Peer(WebSocketSink(websocket), principal.office_id, page)
    feeds.join(peer, StaffChannel)
    try:
        # Pages may ask for a snapshot; anything else they send is ignored.
        while (message := await receive_json(websocket, max_length=200)) is not None:
            if message.get("type") == "resync":
                feeds.resync(peer)
    finally:
        feeds.leave(peer)
