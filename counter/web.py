"""Web plumbing shared by every package: error mapping (one JSON shape), body limit, secrets kept
out of logs, who is asking (auth)."""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from counter.auth import (
    DEVICE_TOKEN_PREFIX,
    DeviceKind,
    DevicePrincipal,
    Role,
    StaffPrincipal,
    device_for_token,
    staff_for_token,
)
from counter.db import Database, StorageUnavailable, storage_failure
from counter.queue.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
)
from counter.ratelimit import RateLimiter
from counter.schemas import refuse_control_characters
from counter.service import QueueService
from counter.settings import Settings
from counter.texts import MESSAGES, say
from counter.ui import CSRF_FIELD, csrf_ok

log = logging.getLogger(__name__)

SESSION_COOKIE = "saduak_session"

_STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (InvalidInput, 422),
    (TooManyRequests, 429),
]


def error_body(code: str, th: str, en: str) -> dict[str, str]:
    return {"error": code, "detail": f"{th} / {en}", "detail_th": th, "detail_en": en}


def install_error_handlers(app: FastAPI) -> None:
    """Every answer that is not a success is JSON {error, detail, detail_th, detail_en}."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 400)
        return JSONResponse(error_body(exc.code, exc.th, exc.en), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{_field(err)}: {err.get('msg')}" for err in exc.errors())
        return JSONResponse(
            error_body("invalid_body", say("invalid_body")[0], problems or "invalid request"),
            status_code=422,
        )

    @app.exception_handler(StorageUnavailable)
    async def _storage(_: Request, exc: StorageUnavailable) -> JSONResponse:
        return storage_response(exc)

    @app.exception_handler(sa.exc.DBAPIError)
    @app.exception_handler(sa.exc.TimeoutError)
    async def _driver(_: Request, exc: sa.exc.SQLAlchemyError) -> JSONResponse:
        # Raised outside Database.write/read (which translate it): the same classification.
        failure = storage_failure(exc)
        if failure is None:
            raise exc  # a bug: UncaughtErrors logs it with an incident id
        return storage_response(failure)

    # Starlette's own (unknown path, wrong method, unreadable form) and FastAPI's, which
    # subclasses it.
    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if isinstance(detail, dict):
            body = detail
        else:
            code = _HTTP_CODES.get(exc.status_code, "error")
            th = MESSAGES.get(f"http_{exc.status_code}", MESSAGES["http"])[0]
            body = error_body(code, th, str(detail))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    app.add_middleware(PlainTextURL)
    # Added last, so outermost: it sees whatever every other layer let through.
    app.add_middleware(UncaughtErrors)


def storage_response(exc: StorageUnavailable) -> JSONResponse:
    return JSONResponse(
        error_body(exc.error, exc.th, exc.en),
        status_code=503,
        headers={"Retry-After": str(exc.retry_after)},
    )


def _field(err: Any) -> str:
    return ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
}


async def _send_json(
    send: Send, status: int, body: dict[str, str], headers: Mapping[str, str] | None = None
) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class PlainTextURL:
    """Path and query parameters pass the same control-character check as request bodies
    (counter.schemas.Strict), before any route or query sees them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            refuse_control_characters(scope.get("path", ""))
            query = scope.get("query_string", b"").decode("latin-1")
            refuse_control_characters(parse_qsl(query, keep_blank_values=True))
        except ValueError as exc:
            if scope["type"] == "websocket":
                # Refused before the handshake completes: the browser sees a failed connection.
                await receive()
                await send({"type": "websocket.close", "code": 1008})
                return
            body = error_body("invalid_body", say("invalid_body")[0], f"url: {exc}")
            await _send_json(send, 422, body)
            return
        await self.app(scope, receive, send)


class UncaughtErrors:
    """An error no handler mapped becomes a JSON 500 with an incident id; the traceback goes to
    the log under the same id, never to the client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            incident = secrets.token_hex(6)
            log.error(
                "incident %s: %s %s failed",
                incident,
                scope.get("method"),
                redact_url(scope.get("path", "")),
                exc_info=exc,
            )
            if started:
                # Too late for an error answer: the server closes the connection.
                raise
            body = error_body("internal_error", *say("internal_error", incident=incident))
            await _send_json(send, 500, {**body, "incident": incident})


# ------------------------------------------------------------------ secrets out of the logs

# Query parameters that carry a secret: a device token (set-up URLs, screens' WebSockets), a
# pairing poll secret.
SECRET_PARAMETERS = frozenset({"token", "secret", "poll_secret", "password", "access_token"})
# Paths whose next segment is a citizen's status token (status page, its QR code and stream, the
# survey); /survey/counter/{n} names a counter, not a ticket.
_SECRET_PATH = re.compile(r"^(/t/|/api/v1/status/|(?:/api/v1)?/survey/(?!counter/))[^/?#]+")
REDACTED = "[redacted]"


def redact_url(target: str) -> str:
    """A request target (path and query) as it may be logged: secrets replaced by REDACTED."""
    path, mark, query = target.partition("?")
    path = _SECRET_PATH.sub(lambda m: m.group(1) + REDACTED, path)
    if not mark:
        return path
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.lower() in SECRET_PARAMETERS for name, _ in pairs):
        return f"{path}?{query}"
    clean = [(n, REDACTED if n.lower() in SECRET_PARAMETERS else v) for n, v in pairs]
    return f"{path}?{urlencode(clean, safe='[]/:')}"


class RedactSecrets(logging.Filter):
    """Rewrites request targets in the server's log lines (the access log, the WebSocket lines)
    so tokens and secrets from URLs never reach a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                redact_url(a) if isinstance(a, str) and a.startswith("/") else a
                for a in record.args
            )
        return True


def install_log_redaction() -> None:
    """Idempotent: every app the process creates shares the uvicorn loggers."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


class BodyLimit:
    """Refuse request bodies over a size with 413, whether or not Content-Length is declared."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Path prefix -> limit, for the few uploads (voice clips) that are bigger than JSON.
        self.larger = dict(larger or {})

    def _limit(self, path: str) -> int:
        for prefix, limit in self.larger.items():
            if path.startswith(prefix):
                return max(limit, self.max_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > max_bytes:
                await _send_413(send, max_bytes)
                return
        # No declared length (chunked): read the body up to the limit before the app sees it.
        # Bodies here are small JSON, so buffering costs nothing and keeps the app's own body
        # parsing from turning an oversized stream into a vague 400.
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message), send)
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > max_bytes:
                await _send_413(send, max_bytes)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, None, receive), send)


def _replay(chunks: list[bytes], first: Message | None, rest: Receive | None = None) -> Receive:
    pending: list[Message] = (
        [first] if first is not None else [{"type": "http.request", "body": b"".join(chunks)}]
    )

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if rest is not None:
            return await rest()
        return {"type": "http.disconnect"}

    return receive


async def _send_413(send: Send, max_bytes: int) -> None:
    body = error_body("payload_too_large", *say("too_large", max_bytes=max_bytes))
    await _send_json(send, 413, body)


# ------------------------------------------------------------------ who is asking


Principal = StaffPrincipal | DevicePrincipal


@dataclass
class _Cached:
    principal: Principal | None
    until: datetime


class Authenticator:
    """Resolves bearer tokens and session cookies, with a short cache so each request stays cheap.

    The cache lives a few seconds only: a revoked device or logged-out session stops working
    within that time on every process.
    """

    TTL = timedelta(seconds=5)

    def __init__(self, db: Database, queue: QueueService) -> None:
        self.db = db
        self.queue = queue
        self._cache: dict[str, _Cached] = {}

    def forget(self, token: str) -> None:
        self._cache.pop(token, None)

    def forget_where(self, match: Callable[[Principal], bool]) -> None:
        """Drop cached logins that match, e.g. every token of a deactivated account."""
        for token, hit in list(self._cache.items()):
            if hit.principal is not None and match(hit.principal):
                self._cache.pop(token, None)

    async def resolve(self, token: str) -> Principal | None:
        hit = self._cache.get(token)
        # The app's clock, as for session expiry: tests move it rather than clear the cache.
        now = self.queue.clock()
        if hit is not None and now < hit.until:
            return hit.principal
        principal = await anyio.to_thread.run_sync(self._lookup, token)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token] = _Cached(principal, now + self.TTL)
        return principal

    def _lookup(self, token: str) -> Principal | None:
        with self.db.read() as session:
            if token.startswith(DEVICE_TOKEN_PREFIX):
                return device_for_token(session, token)
            return staff_for_token(session, token, self.queue.clock())


def token_from_request(request: Request) -> str | None:
    return _token_and_source(request)[0]


def _token_and_source(request: Request) -> tuple[str | None, str]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), "bearer"
    return request.cookies.get(SESSION_COOKIE), "cookie"


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _check_csrf(request: Request, token: str) -> None:
    """A cookie is sent by the browser on its own, so a state change riding on it must also
    carry the CSRF token; bearer tokens are never sent implicitly and need none."""
    form_value = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        form_value = value if isinstance(value, str) else None
    if not csrf_ok(request, token, form_value):
        raise forbidden(*say("csrf"))


def source_address(request: Request) -> str:
    """The address a request came from: what public routes count their limits against."""
    return request.client.host if request.client else "unknown"


def limit_public(
    request: Request, name: str, limit: int, window: float, refusal: tuple[str, str]
) -> None:
    """A public route's guard: at most `limit` requests per `window` seconds from one address,
    counted by the limiter `app.state.<name>` (made on first use); beyond that TooManyRequests
    in the route's own words."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, name, None)
    if limiter is None:
        limiter = RateLimiter(limit, window)
        setattr(state, name, limiter)
    if not limiter.allow(source_address(request)):
        raise TooManyRequests(*refusal)


def unauthorized() -> HTTPException:
    return HTTPException(
        401,
        detail=error_body("unauthorized", *say("unauthorized")),
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden(th: str | None = None, en: str | None = None) -> HTTPException:
    default_th, default_en = say("forbidden")
    return HTTPException(403, detail=error_body("forbidden", th or default_th, en or default_en))


# Plain `def` dependencies would each be sent to a worker thread on every request.
async def get_queue(request: Request) -> QueueService:
    queue: QueueService = request.app.state.queue
    return queue


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_principal(request: Request) -> Principal:
    token, source = _token_and_source(request)
    if not token:
        raise unauthorized()
    auth: Authenticator = request.app.state.auth
    principal = await auth.resolve(token)
    if principal is None:
        raise unauthorized()
    if source == "cookie" and request.method not in SAFE_METHODS:
        await _check_csrf(request, token)
    return principal


async def optional_principal(request: Request) -> Principal | None:
    """Who is asking on a route anyone may use; None when nobody is signed in, the login has
    expired, or a cookie login changes state without the CSRF token (the browser sent the
    cookie on its own: the request gets only what anyone gets)."""
    token, source = _token_and_source(request)
    if not token:
        return None
    auth: Authenticator = request.app.state.auth
    principal = await auth.resolve(token)
    if principal is not None and source == "cookie" and request.method not in SAFE_METHODS:
        try:
            await _check_csrf(request, token)
        except HTTPException:
            return None
    return principal


async def get_staff(principal: Annotated[Principal, Depends(get_principal)]) -> StaffPrincipal:
    if not isinstance(principal, StaffPrincipal):
        raise forbidden(*say("staff_only"))
    return principal


def require_roles(*roles: Role) -> Any:
    async def dep(staff: Annotated[StaffPrincipal, Depends(get_staff)]) -> StaffPrincipal:
        if staff.role not in roles:
            raise forbidden()
        return staff

    return Depends(dep)


async def get_issuer(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """Staff or a kiosk may issue tickets; a display screen may not."""
    if isinstance(principal, DevicePrincipal) and principal.kind is not DeviceKind.KIOSK:
        raise forbidden(*say("display_cannot_issue"))
    return principal


async def get_reader(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """Staff or a kiosk may read the queue; a display screen reads its own feed only."""
    if isinstance(principal, DevicePrincipal) and principal.kind is not DeviceKind.KIOSK:
        raise forbidden(*say("display_reads_own_feed"))
    return principal


QueueDep = Annotated[QueueService, Depends(get_queue)]
DatabaseDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CurrentStaff = Annotated[StaffPrincipal, Depends(get_staff)]
CurrentIssuer = Annotated[Principal, Depends(get_issuer)]
CurrentReader = Annotated[Principal, Depends(get_reader)]
MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentAdmin = Annotated[StaffPrincipal, require_roles(Role.ADMIN)]
CurrentManager = Annotated[StaffPrincipal, require_roles(Role.ADMIN, Role.MANAGER)]
