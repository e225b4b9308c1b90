"""Staff passwords (argon2), staff login tokens and device tokens (stored as SHA-256 hashes)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import math
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from counter import repository as repo
from counter.models import AuthToken, Device, LoginFailure, Staff
from counter.roles import DeviceKind, Role
from counter.settings import get_settings

# argon2 with the library's parameters (RFC 9106's low-memory profile: 64 MiB, 3 passes), made on
# first use. SADUAK_ARGON2_COST=test (the test suite's setting, see Settings) makes it cost
# microseconds instead. A stored hash names its own parameters, so checking one costs what it cost
# to make, whatever this process's setting.
_hasher: PasswordHasher | None = None


def _password_hasher() -> PasswordHasher:
    global _hasher
    if _hasher is None:
        if get_settings().argon2_cost == "test":
            _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        else:
            _hasher = PasswordHasher()
    return _hasher


# Token prefixes tell a staff login from a paired device without a second lookup.
STAFF_TOKEN_PREFIX = "st_"  # noqa: S105 - a prefix, not a secret
DEVICE_TOKEN_PREFIX = "dv_"  # noqa: S105


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


@functools.cache
def _dummy_hash() -> str:
    # Checked against when the username is unknown, so a wrong name costs as long as a wrong
    # password and response times do not reveal which accounts exist. Made on first use: argon2
    # is slow on purpose and every process start would pay for it.
    return _password_hasher().hash(secrets.token_urlsafe(16))


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        hasher = _password_hasher()
        return hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# Letters and digits nobody misreads on a screen or a note: no l/1/I, no O/0/o.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
PASSWORD_GROUPS = 3
PASSWORD_GROUP_LENGTH = 4


def new_password() -> str:
    """A password to hand over once: three groups of four ("x7Kq-mP2z-Rh4e"), about 69 bits."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH))
        for _ in range(PASSWORD_GROUPS)
    )


def hash_token(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough and keeps every request cheap.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StaffPrincipal:
    staff_id: int
    office_id: int
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class DevicePrincipal:
    device_id: int
    office_id: int
    kind: DeviceKind
    name: str


@dataclass(frozen=True)
class LoginCandidate:
    """What a password is checked against, read in a short read transaction and then checked
    with no transaction or lock held: argon2 takes tens of milliseconds of CPU on purpose."""

    staff_id: int | None
    password_hash: str | None
    active: bool


def login_candidate(session: Session, username: str) -> LoginCandidate:
    staff = repo.staff_by_username(session, username)
    if staff is None:
        return LoginCandidate(None, None, False)
    return LoginCandidate(staff.id, staff.password_hash, staff.active)


def password_matches(candidate: LoginCandidate, password: str) -> bool:
    """Blocking (argon2). An unknown name costs as long as a known one."""
    ok = verify_password(candidate.password_hash, password)
    return ok and candidate.staff_id is not None and candidate.active


def _lowest_cpu_priority() -> None:
    # On Linux a nice value belongs to a thread and is inherited by the threads it starts
    # (argon2's parallel lanes), so this one thread yields the CPU to everything else.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


# One thread at the lowest CPU priority checks every password of this process: a flood of logins
# waits its turn there and cannot take the cores from issuing and calling tickets. The thread
# starts on first use.
_password_thread = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="password-check", initializer=_lowest_cpu_priority
)


async def check_password(candidate: LoginCandidate, password: str) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_thread, password_matches, candidate, password)


def issue_staff_token(session: Session, staff: Staff, now: datetime, hours: int) -> str:
    assert staff.id is not None
    token = STAFF_TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            token_hash=hash_token(token),
            staff_id=staff.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def revoke_staff_token(session: Session, token: str) -> None:
    row = session.exec(select(AuthToken).where(AuthToken.token_hash == hash_token(token))).first()
    if row is not None:
        row.revoked = True


def staff_for_token(session: Session, token: str, now: datetime) -> StaffPrincipal | None:
    row = session.exec(select(AuthToken).where(AuthToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked or row.expires_at <= now:
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active or staff.id is None:
        return None
    return StaffPrincipal(
        staff.id, staff.office_id, staff.username, staff.display_name, Role(staff.role)
    )


def new_device_token() -> str:
    return DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)


def device_for_token(session: Session, token: str) -> DevicePrincipal | None:
    device = repo.device_by_token_hash(session, hash_token(token))
    if device is None or device.revoked_at is not None or device.id is None:
        return None
    return DevicePrincipal(device.id, device.office_id, DeviceKind(device.kind), device.name)


def add_device(
    session: Session,
    office_id: int,
    kind: DeviceKind,
    name: str,
    now: datetime,
    printer: str | None = None,
) -> tuple[Device, str]:
    token = new_device_token()
    device = Device(
        office_id=office_id,
        kind=kind.value,
        name=name,
        token_hash=hash_token(token),
        printer=printer,
        created_at=now,
    )
    session.add(device)
    session.flush()
    return device, token


# ------------------------------------------------------------------ failed logins
#
# Failed logins are limited per username (guessing one account's password) and per client
# address (guessing across accounts), with a wait that doubles with each failure beyond the free
# ones. Failures are rows in the database, so several app processes sharing it count together;
# each process also remembers the waits it has worked out, so a flood of refused attempts costs
# no database work at all.

LOGIN_WINDOW = timedelta(minutes=15)
# A person mistyping gets 5 tries per name; an office behind one address (NAT) 20 in all.
FREE_FAILURES_PER_USERNAME = 5
FREE_FAILURES_PER_CLIENT = 20
FIRST_WAIT = timedelta(seconds=2)
MAX_WAIT = LOGIN_WINDOW


def backoff_wait(failures: int, free: int) -> timedelta:
    """How long after the latest failure the next attempt must wait."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free, 20), MAX_WAIT)


def username_key(username: str) -> str:
    return username.strip().casefold()[:64]


class LoginThrottle:
    """The cross-process limit on failed logins; the verdicts are cached in this process."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, str], datetime] = {}

    def cached_wait(self, username: str, client: str, now: datetime) -> int:
        """Seconds still to wait as far as this process knows, without asking the database."""
        until = max(
            self._until.get(("user", username_key(username)), now),
            self._until.get(("client", client), now),
        )
        return _seconds(until - now)

    def wait(self, session: Session, username: str, client: str, now: datetime) -> int:
        """Seconds the next attempt must wait, from every process's recorded failures."""
        user = username_key(username)
        since = now - LOGIN_WINDOW
        waits = []
        for kind, column, value, free in (
            ("user", LoginFailure.username, user, FREE_FAILURES_PER_USERNAME),
            ("client", LoginFailure.client, client, FREE_FAILURES_PER_CLIENT),
        ):
            count, latest = session.exec(
                select(sa.func.count(col(LoginFailure.id)), sa.func.max(LoginFailure.at)).where(
                    column == value, col(LoginFailure.at) > since
                )
            ).one()
            if latest is None:
                continue
            until = latest + backoff_wait(count, free)
            if until > now:
                self._remember((kind, value), until)
                waits.append(until - now)
        return _seconds(max(waits, default=timedelta(0)))

    def record_failure(self, session: Session, username: str, client: str, now: datetime) -> None:
        session.execute(sa.delete(LoginFailure).where(col(LoginFailure.at) <= now - LOGIN_WINDOW))
        session.add(LoginFailure(username=username_key(username), client=client[:64], at=now))

    def record_success(self, session: Session, username: str) -> None:
        """The account's owner got in: its failures are forgotten (the address's are not)."""
        user = username_key(username)
        session.execute(sa.delete(LoginFailure).where(col(LoginFailure.username) == user))
        self._until.pop(("user", user), None)

    def _remember(self, key: tuple[str, str], until: datetime) -> None:
        if len(self._until) > 10_000:
            self._until.clear()
        self._until[key] = until


def _seconds(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds()))
