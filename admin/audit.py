"""The audit log: one entry per configuration change, with the row before and after as JSON.

Snapshots list the fields an admin sets and leave out secrets (password and token hashes) and the
queue's running state (who sits at a counter, event sequence numbers), which are not
configuration.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session

from admin.models import AuditEntry, OfficeSettings
from counter.auth import Role, StaffPrincipal
from counter.models import Counter, CounterService, Device, Holiday, Office, Service, Staff
from counter.unit_of_work import OfficeWork, office_transaction

Snapshot = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def _pick(row: Any, fields: Sequence[str]) -> Snapshot:
    return {name: _plain(getattr(row, name)) for name in fields}


OFFICE_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "timezone",
    "opens",
    "closes",
    "saturday",
    "hours_enforced",
    "footer_th",
    "footer_en",
    "display_message",
    "lunch_service",
)
SETTINGS_FIELDS = (
    "thai_digits",
    "voice_repeat",
    "voice_english",
    "voice_polite",
    "satisfaction_target_pct",
    "within_standard_target_pct",
)
SERVICE_FIELDS = (
    "code",
    "prefix",
    "name_th",
    "name_en",
    "group",
    "standard_minutes",
    "wait_target_minutes",
    "daily_cap",
    "issue_cutoff",
    "position",
    "active",
)
COUNTER_FIELDS = (
    "number",
    "name",
    "mode",
    "priority_share",
    "normal_share",
    "ageing_cap_minutes",
    "booked_in_row",
    "active",
)
STAFF_FIELDS = ("username", "display_name", "role", "active")
DEVICE_FIELDS = ("kind", "name", "printer", "revoked_at")


def office_snapshot(office: Office, settings: OfficeSettings) -> Snapshot:
    return {**_pick(office, OFFICE_FIELDS), **_pick(settings, SETTINGS_FIELDS)}


def service_snapshot(service: Service) -> Snapshot:
    return _pick(service, SERVICE_FIELDS)


def counter_snapshot(
    counter: Counter, slots: Sequence[CounterService], codes: dict[int, str]
) -> Snapshot:
    return {
        **_pick(counter, COUNTER_FIELDS),
        "services": [
            {
                "service": codes.get(slot.service_id, str(slot.service_id)),
                "position": slot.position,
                "weight": slot.weight,
            }
            for slot in sorted(slots, key=lambda s: (s.position, s.service_id))
        ],
    }


def staff_snapshot(staff: Staff) -> Snapshot:
    return _pick(staff, STAFF_FIELDS)


def device_snapshot(device: Device) -> Snapshot:
    return _pick(device, DEVICE_FIELDS)


def holiday_snapshot(holiday: Holiday) -> Snapshot:
    return {"day": holiday.day.isoformat(), "name": holiday.name}


def changed_fields(before: Snapshot | None, after: Snapshot | None) -> list[str]:
    """The keys whose value differs, for showing an entry briefly."""
    before, after = before or {}, after or {}
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def command_line(office_id: int) -> StaffPrincipal:
    """Who acts when the server's operator runs a `saduak` command: an admin with no staff
    account, written in the audit log under the operating-system user's name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return StaffPrincipal(
        staff_id=0,
        office_id=office_id,
        username=f"cli:{user}"[:64],
        display_name=f"saduak command line ({user})",
        role=Role.ADMIN,
    )


def record(
    session: Session,
    actor: StaffPrincipal,
    at: datetime,
    action: str,
    target: str,
    before: Snapshot | None,
    after: Snapshot | None,
) -> AuditEntry:
    entry = AuditEntry(
        office_id=actor.office_id,
        # The command line acts for no staff account (see command_line).
        staff_id=actor.staff_id or None,
        username=actor.username,
        at=at,
        action=action,
        target=target,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


@dataclass
class AuditSink:
    """The audit log as a port for packages that cannot import admin (the voice clips in
    displays): the admin router puts one on `app.state.audit` for the app's lifetime."""

    work: OfficeWork

    def record(
        self,
        actor: StaffPrincipal,
        action: str,
        target: str,
        before: Snapshot | None,
        after: Snapshot | None,
    ) -> None:
        """Blocking: one write transaction of its own. Call from a worker thread."""
        with office_transaction(self.work.db, actor.office_id) as (session, _):
            record(session, actor, self.work.clock(), action, target, before, after)
