"""Who acts: the roles of staff accounts and the kinds of paired devices.

Apart from `counter.auth` so that what only names them (the `saduak` command's options) does not
load the database layer to do so."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
