"""Staff passwords (argon2), staff login tokens and device tokens (stored as SHA-256 hashes)."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from counter import repository as repo
from counter.models import AuthToken, Device, Staff

_hasher = PasswordHasher()

# Token prefixes tell a staff login from a paired device without a second lookup.
STAFF_TOKEN_PREFIX = "st_"  # noqa: S105 - a prefix, not a secret
DEVICE_TOKEN_PREFIX = "dv_"  # noqa: S105


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    # Checked against when the username is unknown, so a wrong name costs as long as a wrong
    # password and response times do not reveal which accounts exist. Made on first use: argon2
    # is slow on purpose and every process start would pay for it.
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(12)


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


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    staff = repo.staff_by_username(session, username)
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.active:
        return None
    return staff


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
