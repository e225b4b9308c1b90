"""The staff side of the JSON API: login, calling and serving tickets, counters, health."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from counter import auth
from counter import repository as repo
from counter.models import Staff
from counter.nav import home_for
from counter.queue.errors import NotFound
from counter.queue.states import Action
from counter.schemas import (
    CallIn,
    DeviceOut,
    LoginIn,
    LoginOut,
    PauseIn,
    QueueOut,
    ServiceQueueOut,
    TicketOut,
    TransferIn,
)
from counter.service import ticket_not_found
from counter.texts import say
from counter.ui import csrf_token_for
from counter.web import (
    SESSION_COOKIE,
    CurrentAdmin,
    CurrentReader,
    CurrentStaff,
    DatabaseDep,
    QueueDep,
    SettingsDep,
    error_body,
    token_from_request,
)

router = APIRouter()

TicketId = Annotated[int, Path(ge=1, le=2**62)]
CounterNumber = Annotated[int, Path(ge=1, le=9999)]

# URL action name -> domain action. Call and transfer have their own bodies and routes.
PLAIN_ACTIONS: dict[str, Action] = {
    "recall": Action.RECALL,
    "start": Action.START,
    "finish": Action.FINISH,
    "no-show": Action.NO_SHOW,
    "reactivate": Action.REACTIVATE,
    "cancel": Action.CANCEL,
    "hold": Action.HOLD,
    "unhold": Action.UNHOLD,
    "release": Action.RELEASE,
}


@router.get("/healthz", tags=["health"])
async def healthz(db: DatabaseDep) -> JSONResponse:
    reachable = await anyio.to_thread.run_sync(db.ping)
    problem = await anyio.to_thread.run_sync(db.storage_problem) if reachable else None
    body: dict[str, str] = {
        "status": "ok" if reachable and problem is None else "degraded",
        "database": "ok" if reachable else "unreachable",
        "storage": "unknown" if not reachable else "ok" if problem is None else "not_writable",
    }
    if problem is not None:
        body["storage_detail"] = problem
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


def _login_throttle(request: Request) -> tuple[auth.LoginThrottle, anyio.CapacityLimiter]:
    state = request.app.state
    if not hasattr(state, "login_throttle"):
        state.login_throttle = auth.LoginThrottle()
        # One login at a time per process, from the throttle check to the recorded outcome:
        # concurrent attempts would otherwise all pass the check before any failure is counted.
        state.login_turn = anyio.CapacityLimiter(1)
    return state.login_throttle, state.login_turn


def _too_many_logins(seconds: int) -> JSONResponse:
    return JSONResponse(
        error_body(
            "too_many_logins",
            *say("too_many_logins", seconds=seconds),
        ),
        status_code=429,
        headers={"Retry-After": str(seconds)},
    )


@router.post(
    "/api/v1/auth/login",
    tags=["auth"],
    responses={429: {"description": "too many failed logins for this name or address"}},
)
async def login(
    body: LoginIn,
    response: Response,
    request: Request,
    db: DatabaseDep,
    queue: QueueDep,
    settings: SettingsDep,
) -> LoginOut:
    """Log in. The password is checked outside any transaction, in a worker thread; failed
    logins are limited per username and per client address (429 with `Retry-After`)."""
    throttle, login_turn = _login_throttle(request)
    client = request.client.host if request.client else ""

    def look_up() -> tuple[int, auth.LoginCandidate]:
        with db.read() as session:
            wait = throttle.wait(session, body.username, client, queue.clock())
            return wait, auth.login_candidate(session, body.username)

    def record(ok: bool, candidate: auth.LoginCandidate) -> LoginOut | None:
        with db.write() as session:
            if not ok:
                throttle.record_failure(session, body.username, client, queue.clock())
                return None
            staff = session.get(Staff, candidate.staff_id)
            if staff is None or not staff.active:
                return None
            throttle.record_success(session, body.username)
            token = auth.issue_staff_token(session, staff, queue.clock(), settings.session_hours)
            return LoginOut(
                token=token,
                csrf_token=csrf_token_for(token),
                role=staff.role,
                username=staff.username,
                office=staff.office_id,
                expires_in=settings.session_hours * 3600,
                home=home_for(staff.role),
            )

    async with login_turn:
        # What this process already knows costs no database work: a flood stops here.
        wait = throttle.cached_wait(body.username, client, queue.clock())
        if wait:
            return _too_many_logins(wait)  # type: ignore[return-value]
        wait, candidate = await anyio.to_thread.run_sync(look_up)
        if wait:
            return _too_many_logins(wait)  # type: ignore[return-value]
        ok = await auth.check_password(candidate, body.password)
        out = await anyio.to_thread.run_sync(record, ok, candidate)
    if out is None:
        return JSONResponse(  # type: ignore[return-value]
            error_body("invalid_credentials", *say("invalid_credentials")),
            status_code=401,
        )
    response.set_cookie(
        SESSION_COOKIE,
        out.token,
        max_age=out.expires_in,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
    return out


@router.post("/api/v1/auth/logout", tags=["auth"], status_code=204)
async def logout(request: Request, staff: CurrentStaff, db: DatabaseDep) -> Response:
    token = token_from_request(request)
    if token:

        def run() -> None:
            with db.write() as session:
                auth.revoke_staff_token(session, token)

        await anyio.to_thread.run_sync(run)
        request.app.state.auth.forget(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/tickets/{ticket_id}", tags=["tickets"])
async def get_ticket(ticket_id: TicketId, who: CurrentReader, queue: QueueDep) -> TicketOut:
    """Staff read any ticket of their office; a kiosk only the tickets it issued (to reprint):
    a ticket carries its status link, which also opens its survey."""
    view = await queue.ticket(who.office_id, ticket_id)
    if isinstance(who, auth.DevicePrincipal) and view.device_id != who.device_id:
        raise ticket_not_found(ticket_id)  # the same answer as for no ticket at all
    return TicketOut.of(view)


@router.get("/api/v1/queue", tags=["tickets"])
async def get_queue(who: CurrentReader, queue: QueueDep) -> QueueOut:
    services = await queue.queue(who.office_id)
    return QueueOut(
        office=who.office_id,
        waiting=sum(s.waiting for s in services),
        services=[ServiceQueueOut.of(s) for s in services],
    )


@router.post(
    "/api/v1/counters/{number}/call-next",
    tags=["counters"],
    responses={204: {"description": "nobody is waiting for this counter's services"}},
)
async def call_next(number: CounterNumber, staff: CurrentStaff, queue: QueueDep) -> Response:
    view = await queue.call_next(staff, number)
    if view is None:
        return Response(status_code=204)
    return JSONResponse(TicketOut.of(view).model_dump(mode="json"))


@router.post("/api/v1/counters/{number}/close", tags=["counters"], status_code=204)
async def close_counter(number: CounterNumber, staff: CurrentStaff, queue: QueueDep) -> Response:
    await queue.close_counter(staff, number)
    return Response(status_code=204)


@router.post("/api/v1/counters/{number}/pause", tags=["counters"], status_code=204)
async def pause_counter(
    number: CounterNumber, body: PauseIn, staff: CurrentStaff, queue: QueueDep
) -> Response:
    await queue.pause_counter(staff, number, body.reason)
    return Response(status_code=204)


@router.post("/api/v1/counters/{number}/resume", tags=["counters"], status_code=204)
async def resume_counter(number: CounterNumber, staff: CurrentStaff, queue: QueueDep) -> Response:
    await queue.resume_counter(staff, number)
    return Response(status_code=204)


@router.post("/api/v1/tickets/{ticket_id}/transfer", tags=["tickets"])
async def transfer(
    ticket_id: TicketId, body: TransferIn, staff: CurrentStaff, queue: QueueDep
) -> TicketOut:
    return TicketOut.of(await queue.transfer(staff, ticket_id, body.service))


@router.post("/api/v1/tickets/{ticket_id}/call", tags=["tickets"])
async def call_ticket(
    ticket_id: TicketId, body: CallIn, staff: CurrentStaff, queue: QueueDep
) -> TicketOut:
    return TicketOut.of(await queue.call_ticket(staff, ticket_id, body.counter, body.reason))


@router.post("/api/v1/tickets/{ticket_id}/{action}", tags=["tickets"])
async def ticket_action(
    ticket_id: TicketId, action: str, staff: CurrentStaff, queue: QueueDep
) -> TicketOut:
    domain_action = PLAIN_ACTIONS.get(action)
    if domain_action is None:
        raise NotFound(*say("unknown_action", action=action, allowed=", ".join(PLAIN_ACTIONS)))
    return TicketOut.of(await queue.act(staff, ticket_id, domain_action))


@router.get("/api/v1/devices", tags=["devices"])
async def list_devices(admin: CurrentAdmin, db: DatabaseDep) -> list[DeviceOut]:
    """Paired kiosks and screens with when each was last seen (which screens are alive)."""

    def run() -> list[DeviceOut]:
        with db.read() as session:
            return [
                DeviceOut.model_validate(d, from_attributes=True)
                for d in repo.devices(session, admin.office_id)
            ]

    return await anyio.to_thread.run_sync(run)
