"""Pairing a new kiosk or display screen with a short code confirmed by an admin.

The protocol, for the kiosk and display pages (no token needed to start):

1. The new screen calls `POST /api/v1/pairing` and gets `{code, pairing_id, poll_secret,
   expires_in, poll_seconds}`. It shows the code large (six characters without 0/O/1/I, easy to
   read aloud) and keeps the secret to itself.
2. An admin types the code in /admin (devices), choosing kiosk or display, a name and, for a
   kiosk, its printer. That creates the Device.
3. Meanwhile the screen polls `GET /api/v1/pairing/{pairing_id}` with the secret in the header
   `X-Pairing-Secret` (or `?secret=`). It answers `{"status": "pending"}` until the admin confirms,
   then once `{"status": "paired", "token": "dv_...", ...}`; later polls get 410. The screen
   stores the token (localStorage) and uses it as its device token from then on.

Codes expire after PAIRING_TTL unconfirmed, and a confirmed token must be collected within
COLLECT_TTL. The device token is generated when pairing starts and stored only sealed with a key
derived from the poll secret, which the server never keeps: neither a database dump nor a leaked
access log (which may hold the secret) alone yields a working token, and the secret stops being
useful once the token has been collected.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import anyio.to_thread
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Field, Session, SQLModel, col, func, select

from counter.auth import DeviceKind, hash_token, new_device_token
from counter.models import Device, Office, UTCDateTime
from counter.queue.errors import Conflict, InvalidInput, NotFound
from counter.texts import PAIRING
from counter.web import DatabaseDep, QueueDep, error_body

PAIRING_TTL = timedelta(minutes=10)
COLLECT_TTL = timedelta(minutes=10)
# Finished and expired requests are kept a day for support questions, then deleted.
KEEP_FOR = timedelta(days=1)
# Read aloud over a counter: no 0/O or 1/I to confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6
POLL_SECONDS = 2
# Starting a pairing needs no login, so it is limited per source (a client address; a whole
# IPv6 /64, which one machine can fill with addresses): starts per minute in each process, and
# pending requests in the database across processes. There is no total cap, which anyone could
# fill to stop every office from pairing; a real office pairs a handful of screens at a time.
STARTS_PER_MINUTE = 10
MAX_PENDING_PER_SOURCE = 10


class PairingRequest(SQLModel, table=True):
    """One screen asking to be paired; becomes a Device when an admin confirms its code."""

    __tablename__ = "pairing_request"

    id: int | None = Field(default=None, primary_key=True)
    # Public handle the screen polls with; unguessable, unlike the id.
    public_id: str = Field(max_length=32, unique=True)
    code: str = Field(max_length=8, index=True)
    secret_hash: str = Field(max_length=64)
    # The future device token: its hash (becomes Device.token_hash) and the token sealed with a
    # key only the poll secret gives; cleared once collected.
    token_hash: str = Field(max_length=64)
    sealed_token: str | None = Field(default=None, max_length=200)
    client: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False, index=True))
    office_id: int | None = Field(default=None, foreign_key="office.id")
    device_id: int | None = Field(default=None, foreign_key="device.id")
    confirmed_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    collected_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )


class TooMany(Conflict):
    code = "too_many_requests"


class Gone(Conflict):
    code = "gone"


def _error(key: str) -> tuple[str, str]:
    return PAIRING[key]


# ------------------------------------------------------------------ the secrets


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(b"saduak-pairing-secret\0" + secret.encode()).hexdigest()


def _pad(secret: str, length: int) -> bytes:
    # A one-time pad from a 256-bit random secret: each secret seals exactly one token.
    return hashlib.shake_256(b"saduak-pairing-seal\0" + secret.encode()).digest(length)


def seal(token: str, secret: str) -> str:
    data = token.encode()
    return bytes(a ^ b for a, b in zip(data, _pad(secret, len(data)), strict=True)).hex()


def unseal(sealed: str, secret: str) -> str:
    data = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(data, _pad(secret, len(data)), strict=True)).decode(
        errors="replace"
    )


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What an admin types, as the code: case, spaces and dashes do not matter."""
    code = "".join(ch for ch in text.upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise InvalidInput(*_error("code_format"))
    return code


# ------------------------------------------------------------------ use cases (one session each)


@dataclass(frozen=True)
class Started:
    code: str
    pairing_id: str
    poll_secret: str
    expires_at: datetime


def _live_pending(session: Session, code: str, now: datetime) -> PairingRequest | None:
    return session.exec(
        select(PairingRequest)
        .where(
            PairingRequest.code == code,
            col(PairingRequest.confirmed_at).is_(None),
            col(PairingRequest.expires_at) > now,
        )
        .with_for_update()
    ).first()


def source_of(client: str) -> str:
    """Whom a pairing start is counted against: the address, or its /64 for IPv6."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client[:64]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else address)


def start(session: Session, now: datetime, client: str = "") -> Started:
    """A new screen asks to be paired: a fresh code unique among the live ones."""
    session.execute(
        sa.delete(PairingRequest).where(col(PairingRequest.expires_at) < now - KEEP_FOR)
    )
    source = source_of(client)
    pending = session.exec(
        select(func.count())
        .select_from(PairingRequest)
        .where(
            PairingRequest.client == source,
            col(PairingRequest.confirmed_at).is_(None),
            col(PairingRequest.expires_at) > now,
        )
    ).one()
    if pending >= MAX_PENDING_PER_SOURCE:
        raise TooMany(*_error("too_many"))
    code = new_code()
    while _live_pending(session, code, now) is not None:
        code = new_code()
    secret = secrets.token_urlsafe(32)
    token = new_device_token()
    request = PairingRequest(
        public_id=secrets.token_urlsafe(18),
        code=code,
        secret_hash=_secret_hash(secret),
        token_hash=hash_token(token),
        sealed_token=seal(token, secret),
        client=source,
        created_at=now,
        expires_at=now + PAIRING_TTL,
    )
    session.add(request)
    session.flush()
    return Started(code, request.public_id, secret, request.expires_at)


def poll(session: Session, pairing_id: str, secret: str, now: datetime) -> dict[str, Any]:
    """The screen's question "am I paired yet?"; the token is handed out exactly once."""
    request = session.exec(
        select(PairingRequest).where(PairingRequest.public_id == pairing_id).with_for_update()
    ).first()
    if request is None or not hmac.compare_digest(request.secret_hash, _secret_hash(secret)):
        raise NotFound(*_error("not_found"))
    if request.collected_at is not None:
        raise Gone(*_error("used"))
    if request.confirmed_at is None:
        if request.expires_at <= now:
            raise Gone(*_error("expired"))
        return {
            "status": "pending",
            "code": request.code,
            "expires_in": int((request.expires_at - now).total_seconds()),
            "poll_seconds": POLL_SECONDS,
        }
    device = session.get(Device, request.device_id) if request.device_id else None
    if (
        request.confirmed_at + COLLECT_TTL <= now
        or request.sealed_token is None
        or device is None
        or device.revoked_at is not None
    ):
        raise Gone(*_error("expired"))
    token = unseal(request.sealed_token, secret)
    request.collected_at = now
    request.sealed_token = None
    # The device has just been in touch: Admin → Devices says so, not "never".
    device.last_seen_at = now
    office = session.get(Office, device.office_id)
    assert office is not None
    return {
        "status": "paired",
        "token": token,
        "device": {"id": device.id, "kind": device.kind, "name": device.name},
        "office": {
            "id": office.id,
            "code": office.code,
            "name_th": office.name_th,
            "name_en": office.name_en,
        },
    }


def confirm(
    session: Session,
    code: str,
    *,
    office_id: int,
    kind: DeviceKind,
    name: str,
    printer: str | None,
    now: datetime,
) -> Device:
    """An admin confirms the code shown on the new screen: the screen becomes a device of the
    admin's office. Validating the name and printer is the caller's job."""
    request = _live_pending(session, normalise_code(code), now)
    if request is None:
        raise NotFound(*_error("code_unknown"))
    device = Device(
        office_id=office_id,
        kind=kind.value,
        name=name,
        token_hash=request.token_hash,
        printer=printer,
        created_at=now,
    )
    session.add(device)
    session.flush()
    request.office_id = office_id
    request.device_id = device.id
    request.confirmed_at = now
    return device


# ------------------------------------------------------------------ rate limit


class StartLimiter:
    """Pairing starts per source in the last minute (per process; MAX_PENDING_PER_SOURCE is the
    limit that holds across processes)."""

    def __init__(self, per_minute: int = STARTS_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        if len(self._seen) > 10_000:
            self._seen.clear()
        window = self._seen.setdefault(client, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        return True


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pairing_limiter = StartLimiter()
    yield


router = APIRouter(lifespan=_lifespan)


def _too_many() -> JSONResponse:
    th, en = _error("too_many")
    return JSONResponse(
        error_body(TooMany.code, th, en), status_code=429, headers={"Retry-After": "60"}
    )


def _client(request: Request) -> str:
    # The peer address, or what a configured proxy forwarded (SADUAK_TRUSTED_PROXIES): the
    # server believes X-Forwarded-For from those proxies only.
    return request.client.host if request.client else ""


@router.post("/api/v1/pairing", tags=["devices"], status_code=201)
async def start_pairing(request: Request, db: DatabaseDep, queue: QueueDep) -> JSONResponse:
    """Start pairing a new screen (no login): show `code` on it, keep `poll_secret` private."""
    client = source_of(_client(request))
    limiter: StartLimiter = request.app.state.pairing_limiter
    if not limiter.allow(client):
        return _too_many()

    def run() -> Started:
        with db.write() as session:
            return start(session, queue.clock(), client)

    try:
        started = await anyio.to_thread.run_sync(run)
    except TooMany:
        return _too_many()
    return JSONResponse(
        {
            "code": started.code,
            "pairing_id": started.pairing_id,
            "poll_secret": started.poll_secret,
            "expires_at": started.expires_at.isoformat(),
            "expires_in": int(PAIRING_TTL.total_seconds()),
            "poll_seconds": POLL_SECONDS,
        },
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/api/v1/pairing/{pairing_id}", tags=["devices"])
async def poll_pairing(
    pairing_id: Annotated[str, Path(min_length=8, max_length=32)],
    db: DatabaseDep,
    queue: QueueDep,
    secret: Annotated[str | None, Query(max_length=100)] = None,
    x_pairing_secret: Annotated[str | None, Header(max_length=100)] = None,
) -> JSONResponse:
    """Poll until paired: `pending`, then `paired` with the device token once; 410 afterwards."""
    given = x_pairing_secret or secret or ""

    def run() -> dict[str, Any]:
        with db.write() as session:
            return poll(session, pairing_id, given, queue.clock())

    try:
        body = await anyio.to_thread.run_sync(run)
    except Gone as exc:
        return JSONResponse(error_body(exc.code, exc.th, exc.en), status_code=410)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
