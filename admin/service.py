"""Admin use cases: one write transaction each, audit-logged in that same transaction.

Every change locks the office row first (as the queue does), so configuration and calls never
interleave half-way; a change the screens show (office, services, counters) also publishes an
`office.updated` event with the office's next sequence number after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import anyio.to_thread
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from admin import config_io, rules
from admin import repository as arepo
from admin.audit import (
    Snapshot,
    changed_fields,
    counter_snapshot,
    device_snapshot,
    holiday_snapshot,
    office_snapshot,
    record,
    service_snapshot,
    staff_snapshot,
)
from admin.models import OfficeSettings, ProvinceMember
from admin.schemas import (
    CounterIn,
    CounterPatch,
    DeviceUpdate,
    HolidayIn,
    ImportIn,
    ManualIn,
    OfficeIn,
    PairIn,
    ServiceFields,
    ServiceIn,
    ServicePatch,
    StaffIn,
    StaffUpdate,
    TargetsIn,
)
from admin.text import ACTIONS, message
from counter import pairing, print_jobs, standards
from counter import repository as repo
from counter.auth import DeviceKind, Role, StaffPrincipal, hash_password, new_password
from counter.manual import manual_of, save_manual
from counter.manual import manuals as all_manuals
from counter.models import Counter, CounterService, Device, Holiday, Office, Service, Staff
from counter.queue.errors import Conflict, Forbidden, InvalidInput, NotFound
from counter.queue.events import OfficeUpdated
from counter.queue.thai import business_day
from counter.seed import import_catalogue
from counter.service import local_day
from counter.unit_of_work import OfficeTx, OfficeWork
from printer.config import (
    AgentTarget,
    BrowserTarget,
    PrinterConfig,
    PrinterTargetRefused,
    TargetPolicy,
    confine,
)
from printer.escpos_io import print_image
from printer.render import RenderingUnavailable, render_test_page
from printer.status import PrintResult

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

AGENT_SILENT = "ตัวพิมพ์ของตู้ไม่ตอบ / the kiosk's print agent did not answer"


def _not_found(key: str) -> NotFound:
    return NotFound(*message(key))


def _conflict(key: str, **values: object) -> Conflict:
    return Conflict(*message(key, **values))


@dataclass
class AdminTx:
    """One admin write: its session, the locked office, who acts, when, and what screens must
    hear about afterwards."""

    session: Session
    office: Office
    actor: StaffPrincipal
    now: datetime
    changed: set[str] = field(default_factory=set)

    @property
    def office_id(self) -> int:
        assert self.office.id is not None
        return self.office.id

    def audit(
        self, action: str, target: str, before: Snapshot | None, after: Snapshot | None
    ) -> None:
        record(self.session, self.actor, self.now, action, target, before, after)


class _DryRun(Exception):
    """Raised inside a transaction to roll it back while keeping its result."""

    def __init__(self, result: Any) -> None:
        super().__init__("dry run")
        self.result = result


class AdminService:
    def __init__(self, work: OfficeWork, printer_policy: TargetPolicy | None = None) -> None:
        # The process's office unit of work, shared with the queue: admin changes and calls
        # reach the bus in `seq` order.
        self.work = work
        self.db = work.db
        self.bus = work.bus
        self.clock = work.clock
        self.printer_policy = printer_policy or TargetPolicy.parse("private")

    # ------------------------------------------------------------------ plumbing

    async def _write(self, actor: StaffPrincipal, work: Callable[[AdminTx], T]) -> T:
        def run(tx: OfficeTx) -> T:
            admin_tx = AdminTx(tx.session, tx.office, actor, tx.now)
            result = work(admin_tx)
            if admin_tx.changed:
                tx.publish(
                    OfficeUpdated(
                        office=tx.office_id,
                        seq=tx.next_seq(),
                        at=tx.now.isoformat(),
                        what=sorted(admin_tx.changed),
                    )
                )
            return result

        return await self.work.run(actor.office_id, run)

    async def _read(self, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.db.read() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(run)

    # ------------------------------------------------------------------ office

    async def office(self, office_id: int) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            office = repo.get_office(session, office_id)
            if office is None:
                raise NotFound("ไม่พบสำนักงาน", f"office {office_id} not found")
            return {
                "id": office.id,
                **office_snapshot(office, arepo.office_settings(session, office_id)),
                "holidays": [
                    {"id": h.id, **holiday_snapshot(h)}
                    for h in arepo.holiday_rows(session, office_id)
                ],
            }

        return await self._read(read)

    async def update_office(self, actor: StaffPrincipal, body: OfficeIn) -> Snapshot:
        def work(tx: AdminTx) -> Snapshot:
            settings = arepo.office_settings_for_update(tx.session, tx.office_id)
            before = office_snapshot(tx.office, settings)
            apply_office(tx.office, settings, body)
            after = office_snapshot(tx.office, settings)
            if before != after:
                tx.audit("office.update", f"office:{tx.office.code}", before, after)
                tx.changed.add("office")
            return after

        return await self._write(actor, work)

    async def add_holiday(self, actor: StaffPrincipal, body: HolidayIn) -> Snapshot:
        def work(tx: AdminTx) -> Snapshot:
            day = rules.day(body.day)
            name = rules.text(body.name, "holiday_name", 200)
            if arepo.holiday_on(tx.session, tx.office_id, day) is not None:
                raise _conflict("holiday_exists", day=day.isoformat())
            row = Holiday(office_id=tx.office_id, day=day, name=name)
            tx.session.add(row)
            tx.session.flush()
            after = holiday_snapshot(row)
            tx.audit("holiday.add", f"holiday:{day.isoformat()}", None, after)
            tx.changed.add("office")
            return {"id": row.id, **after}

        return await self._write(actor, work)

    async def remove_holiday(self, actor: StaffPrincipal, holiday_id: int) -> None:
        def work(tx: AdminTx) -> None:
            row = arepo.holiday(tx.session, tx.office_id, holiday_id)
            if row is None:
                raise _not_found("holiday_not_found")
            target = f"holiday:{row.day.isoformat()}"
            tx.audit("holiday.remove", target, holiday_snapshot(row), None)
            tx.session.delete(row)
            tx.changed.add("office")

        await self._write(actor, work)

    async def replace_holidays(
        self, actor: StaffPrincipal, year: int, items: Sequence[HolidayIn]
    ) -> list[Snapshot]:
        """The yearly edit: the list for one (CE) year becomes exactly `items`."""
        rules.whole(year, "year", 2000, 2200)

        def work(tx: AdminTx) -> list[Snapshot]:
            wanted: dict[date, str] = {}
            for item in items:
                day = rules.day(item.day)
                if day.year != year:
                    raise rules.invalid(
                        "holiday_year", day=day.isoformat(), year=year, year_be=year + 543
                    )
                if day in wanted:
                    raise rules.invalid("holiday_duplicate", day=day.isoformat())
                wanted[day] = rules.text(item.name, "holiday_name", 200)
            rows = arepo.holiday_rows(tx.session, tx.office_id)
            existing = [h for h in rows if h.day.year == year]
            before = [holiday_snapshot(h) for h in existing]
            for row in existing:
                if row.day in wanted:
                    row.name = wanted.pop(row.day)
                else:
                    tx.session.delete(row)
            for day, name in wanted.items():
                tx.session.add(Holiday(office_id=tx.office_id, day=day, name=name))
            tx.session.flush()
            after = [
                holiday_snapshot(h)
                for h in arepo.holiday_rows(tx.session, tx.office_id)
                if h.day.year == year
            ]
            if before != after:
                tx.audit(
                    "holiday.replace_year",
                    f"holidays:{year}",
                    {"holidays": before},
                    {"holidays": after},
                )
                tx.changed.add("office")
            return after

        return await self._write(actor, work)

    # ------------------------------------------------------------------ services

    async def services(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            return [{"id": s.id, **service_snapshot(s)} for s in repo.services(session, office_id)]

        return await self._read(read)

    async def create_service(self, actor: StaffPrincipal, body: ServiceIn) -> Snapshot:
        def work(tx: AdminTx) -> Snapshot:
            service = create_service(tx, body)
            return {"id": service.id, **service_snapshot(service)}

        return await self._write(actor, work)

    async def update_service(
        self, actor: StaffPrincipal, service_id: int, patch: ServicePatch
    ) -> Snapshot:
        """Change some fields of a service (deactivating is `{"active": false}`)."""

        def work(tx: AdminTx) -> Snapshot:
            service = arepo.service(tx.session, tx.office_id, service_id)
            if service is None:
                raise _not_found("service_not_found")
            current = {k: v for k, v in service_snapshot(service).items() if k != "code"}
            body = _merged(ServiceFields, current, patch)
            update_service(tx, service, body)
            return {"id": service.id, **service_snapshot(service)}

        return await self._write(actor, work)

    async def manual(self, office_id: int, service_id: int) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            service = arepo.service(session, office_id, service_id)
            if service is None:
                raise _not_found("service_not_found")
            office = repo.get_office(session, office_id)
            tz = office.timezone if office else "Asia/Bangkok"
            return manual_of(session, service, local_day(self.clock(), tz)).as_dict()

        return await self._read(read)

    async def manuals(self, office_id: int) -> list[dict[str, Any]]:
        """Every service's manual as citizens read it today (inactive services too)."""

        def read(session: Session) -> list[dict[str, Any]]:
            office = repo.get_office(session, office_id)
            tz = office.timezone if office else "Asia/Bangkok"
            day = local_day(self.clock(), tz)
            return [m.as_dict() for m in all_manuals(session, office_id, day, active_only=False)]

        return await self._read(read)

    async def targets(self, office_id: int) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            return _targets(arepo.office_settings(session, office_id))

        return await self._read(read)

    async def set_targets(self, actor: StaffPrincipal, body: TargetsIn) -> dict[str, Any]:
        satisfaction = rules.percent(body.satisfaction_target_pct, "satisfaction_target_pct")
        within = rules.percent(body.within_standard_target_pct, "within_standard_target_pct")

        def work(tx: AdminTx) -> dict[str, Any]:
            settings = arepo.office_settings_for_update(tx.session, tx.office_id)
            before = _targets(settings)
            settings.satisfaction_target_pct = satisfaction
            settings.within_standard_target_pct = within
            after = _targets(settings)
            if before != after:
                tx.audit("office.targets", f"office:{tx.office.code}", before, after)
            return after

        return await self._write(actor, work)

    async def set_manual(
        self, actor: StaffPrincipal, service_id: int, body: ManualIn
    ) -> dict[str, Any]:
        """Replace a service's citizen manual (kiosk ⓘ, status page, standards board)."""

        def work(tx: AdminTx) -> dict[str, Any]:
            service = arepo.service(tx.session, tx.office_id, service_id)
            if service is None:
                raise _not_found("service_not_found")
            today = local_day(tx.now, tx.office.timezone)
            before = manual_of(tx.session, service, today).as_dict()
            after = save_manual(
                tx.session,
                service,
                steps=body.steps,
                documents=body.documents,
                fee_baht=body.fee_baht,
                fee_note=(body.fee_note_th, body.fee_note_en),
                legal_basis=(body.legal_basis_th, body.legal_basis_en),
                source_url=body.source_url,
                now=tx.now,
                day=today,
            ).as_dict()
            tx.audit("service.manual", f"service:{service.code}", before, after)
            return after

        return await self._write(actor, work)

    async def import_catalogue(self, actor: StaffPrincipal) -> list[str]:
        def work(tx: AdminTx) -> list[str]:
            added = import_catalogue(tx.session, tx.office)
            codes = [s.code for s in added]
            if codes:
                tx.audit(
                    "service.import_catalogue",
                    "services",
                    None,
                    {"services": [service_snapshot(s) for s in added]},
                )
                tx.changed.add("services")
            return codes

        return await self._write(actor, work)

    # ------------------------------------------------------------------ counters

    async def counters(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            codes = {s.id: s.code for s in repo.services(session, office_id) if s.id is not None}
            out = []
            for c in repo.counters(session, office_id):
                assert c.id is not None
                holder = repo.staff_by_id(session, c.staff_id) if c.staff_id else None
                out.append(
                    {
                        "id": c.id,
                        **counter_snapshot(c, repo.counter_services(session, c.id), codes),
                        "in_use_by": (holder.display_name or holder.username) if holder else None,
                    }
                )
            return out

        return await self._read(read)

    async def create_counter(self, actor: StaffPrincipal, body: CounterIn) -> Snapshot:
        def work(tx: AdminTx) -> Snapshot:
            counter = save_counter(tx, None, body)
            return {"id": counter.id, **_counter_state(tx.session, counter)}

        return await self._write(actor, work)

    async def update_counter(
        self, actor: StaffPrincipal, counter_id: int, patch: CounterPatch
    ) -> Snapshot:
        """Change some fields of a counter; `services`, when given, replaces the whole list."""

        def work(tx: AdminTx) -> Snapshot:
            counter = arepo.counter(tx.session, tx.office_id, counter_id)
            if counter is None:
                raise _not_found("counter_not_found")
            body = _merged(CounterIn, _counter_state(tx.session, counter), patch)
            save_counter(tx, counter, body)
            return {"id": counter.id, **_counter_state(tx.session, counter)}

        return await self._write(actor, work)

    # ------------------------------------------------------------------ staff

    async def staff(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            return [
                {"id": s.id, **staff_snapshot(s), "created_at": s.created_at.isoformat()}
                for s in repo.staff_list(session, office_id)
            ]

        return await self._read(read)

    async def create_staff(
        self, actor: StaffPrincipal, body: StaffIn, password: str | None = None
    ) -> dict[str, Any]:
        """A new account; its password is `password` (the command line may set one) or a
        random one, returned once."""
        username = rules.username(body.username)
        display_name = rules.text(body.display_name, "display_name", 200)
        role = rules.role(body.role)
        password = password or new_password()
        # argon2 is slow on purpose: hash before taking the office lock.
        password_hash = await anyio.to_thread.run_sync(hash_password, password)

        def work(tx: AdminTx) -> dict[str, Any]:
            if repo.staff_by_username(tx.session, username) is not None:
                raise _conflict("username_exists", username=username)
            staff = Staff(
                office_id=tx.office_id,
                username=username,
                display_name=display_name,
                role=role.value,
                password_hash=password_hash,
                created_at=tx.now,
            )
            tx.session.add(staff)
            tx.session.flush()
            after = staff_snapshot(staff)
            tx.audit("staff.create", f"staff:{username}", None, after)
            return {"staff": {"id": staff.id, **after}, "password": password}

        return await self._write(actor, work)

    async def update_staff(
        self, actor: StaffPrincipal, staff_id: int, body: StaffUpdate
    ) -> Snapshot:
        role = rules.role(body.role) if body.role is not None else None
        display_name = (
            rules.text(body.display_name, "display_name", 200)
            if body.display_name is not None
            else None
        )

        def work(tx: AdminTx) -> Snapshot:
            staff = arepo.staff(tx.session, tx.office_id, staff_id)
            if staff is None:
                raise _not_found("staff_not_found")
            before = staff_snapshot(staff)
            losing_admin = (
                staff.role == Role.ADMIN
                and staff.active
                and ((role is not None and role is not Role.ADMIN) or body.active is False)
            )
            if losing_admin:
                if staff.id == actor.staff_id:
                    raise Forbidden(*message("not_yourself"))
                if len(arepo.active_admins(tx.session, tx.office_id)) <= 1:
                    raise _conflict("last_admin")
            if role is not None:
                staff.role = role.value
            if display_name is not None:
                staff.display_name = display_name
            if body.active is not None:
                if body.active is False and staff.id == actor.staff_id:
                    raise Forbidden(*message("not_yourself"))
                staff.active = body.active
                if not staff.active:
                    # Checked on every request anyway; revoking says so in the token table too.
                    arepo.revoke_tokens_of(tx.session, staff_id)
            after = staff_snapshot(staff)
            if before != after:
                tx.audit("staff.update", f"staff:{staff.username}", before, after)
            return {"id": staff.id, **after}

        return await self._write(actor, work)

    async def reset_password(
        self, actor: StaffPrincipal, staff_id: int, password: str | None = None
    ) -> dict[str, Any]:
        password = password or new_password()
        password_hash = await anyio.to_thread.run_sync(hash_password, password)

        def work(tx: AdminTx) -> dict[str, Any]:
            staff = arepo.staff(tx.session, tx.office_id, staff_id)
            if staff is None:
                raise _not_found("staff_not_found")
            staff.password_hash = password_hash
            # Whoever knew the old password is logged out everywhere.
            arepo.revoke_tokens_of(tx.session, staff_id)
            tx.audit("staff.reset_password", f"staff:{staff.username}", None, None)
            return {"staff": {"id": staff.id, **staff_snapshot(staff)}, "password": password}

        return await self._write(actor, work)

    # ------------------------------------------------------------------ devices

    async def devices(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            return [device_view(d) for d in repo.devices(session, office_id)]

        return await self._read(read)

    async def pair_device(self, actor: StaffPrincipal, body: PairIn) -> dict[str, Any]:
        kind = rules.device_kind(body.kind)
        name = rules.text(body.name, "name", 100, required="device_name")
        printer = rules.printer(kind, body.printer)
        await self._check_printer_target(printer)

        def work(tx: AdminTx) -> dict[str, Any]:
            device = pairing.confirm(
                tx.session,
                body.code,
                office_id=tx.office_id,
                kind=kind,
                name=name,
                printer=printer,
                now=tx.now,
            )
            tx.audit("device.pair", f"device:{device.id}", None, device_snapshot(device))
            return device_view(device)

        return await self._write(actor, work)

    async def update_device(
        self, actor: StaffPrincipal, device_id: int, body: DeviceUpdate
    ) -> dict[str, Any]:
        if body.printer is not None:
            # Resolving a printer's host name must not happen inside the office transaction.
            await self._check_printer_target(rules.printer(DeviceKind.KIOSK, body.printer))

        def work(tx: AdminTx) -> dict[str, Any]:
            device = self._device(tx, device_id)
            before = device_snapshot(device)
            if body.name is not None:
                device.name = rules.text(body.name, "name", 100, required="device_name")
            if body.printer is not None:
                device.printer = rules.printer(DeviceKind(device.kind), body.printer)
            after = device_snapshot(device)
            if before != after:
                tx.audit("device.update", f"device:{device.id}", before, after)
            return device_view(device)

        return await self._write(actor, work)

    async def revoke_device(self, actor: StaffPrincipal, device_id: int) -> dict[str, Any]:
        def work(tx: AdminTx) -> dict[str, Any]:
            device = self._device(tx, device_id)
            if device.revoked_at is None:
                before = device_snapshot(device)
                device.revoked_at = tx.now
                tx.audit("device.revoke", f"device:{device.id}", before, device_snapshot(device))
            return device_view(device)

        return await self._write(actor, work)

    async def test_print(self, actor: StaffPrincipal, device_id: int) -> dict[str, Any]:
        """Print the width ruler and Thai sample on a kiosk's printer; keep what it answered."""

        def config(session: Session) -> PrinterConfig:
            device = arepo.device(session, actor.office_id, device_id)
            if device is None:
                raise _not_found("device_not_found")
            if device.kind != DeviceKind.KIOSK:
                raise rules.invalid("test_print_kiosk_only")
            if device.revoked_at is not None:
                raise _conflict("device_revoked")
            if not device.printer:
                raise _conflict("printer_none")
            return PrinterConfig.parse(device.printer)

        printer_config = await self._read(config)
        if not printer_config.enabled:
            raise _conflict("printer_none")
        if isinstance(printer_config.target, BrowserTarget):
            raise _conflict("printer_browser")
        if isinstance(printer_config.target, AgentTarget):
            printed, state, detail = await self._test_print_through_agent(
                actor.office_id, device_id
            )
        else:
            try:
                result = await anyio.to_thread.run_sync(
                    _print_test_page, confine(printer_config, self.printer_policy)
                )
            except PrinterTargetRefused as exc:
                raise rules.invalid("printer_refused", detail=str(exc)) from None
            except RenderingUnavailable as exc:
                raise _conflict("rendering_unavailable", detail=str(exc)) from None
            if not result.printed:
                log.warning("test page not printed on device %s: %s", device_id, result.detail)
            shown = result.status.public()
            printed, state, detail = result.printed, shown.state.value, shown.detail

        def work(tx: AdminTx) -> dict[str, Any]:
            device = self._device(tx, device_id)
            device.printer_state = state
            device.printer_detail = detail[:300]
            device.printer_checked_at = tx.now
            outcome = {"printed": printed, "state": state, "detail": detail}
            tx.audit("device.test_print", f"device:{device.id}", None, outcome)
            return {**outcome, "device": device_view(device)}

        return await self._write(actor, work)

    async def _test_print_through_agent(
        self, office_id: int, device_id: int
    ) -> tuple[bool, str, str]:
        """The test page as a job of the kiosk's print outbox, for its agent to print."""

        def add(tx: OfficeTx) -> int:
            job = print_jobs.add(
                tx.session,
                office_id=office_id,
                device_id=device_id,
                queue=print_jobs.agent_queue(device_id),
                now=tx.now,
                deadline=print_jobs.DEFAULT_DEADLINE,
                kind="test",
            )
            assert job.id is not None
            return job.id

        job_id = await self.work.run(office_id, add)
        # The agent's channel looks for new jobs every second; its print takes a few more.
        for _ in range(int(print_jobs.DEFAULT_DEADLINE.total_seconds() * 5) + 10):
            job = await self._read(lambda session: print_jobs.get(session, job_id))
            if job is not None and job.status in print_jobs.FINAL:
                return job.status == print_jobs.PRINTED, job.state or "", job.detail or ""
            await anyio.sleep(0.2)
        return False, "no_answer", AGENT_SILENT

    async def _check_printer_target(self, printer: str | None) -> None:
        """422 when the server operator does not allow printing where the setting points."""
        if printer is None:
            return
        config = PrinterConfig.parse(printer)
        try:
            await anyio.to_thread.run_sync(confine, config, self.printer_policy)
        except PrinterTargetRefused as exc:
            raise rules.invalid("printer_refused", detail=str(exc)) from None

    def _device(self, tx: AdminTx, device_id: int) -> Device:
        device = arepo.device(tx.session, tx.office_id, device_id)
        if device is None:
            raise _not_found("device_not_found")
        return device

    # ------------------------------------------------------------------ audit

    async def audit_log(
        self,
        office_id: int,
        *,
        limit: int = 100,
        before_id: int | None = None,
        action: str | None = None,
    ) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            return [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "username": e.username,
                    "action": e.action,
                    "action_th": ACTIONS.get(e.action, (e.action, e.action))[0],
                    "action_en": ACTIONS.get(e.action, (e.action, e.action))[1],
                    "target": e.target,
                    "changed": changed_fields(e.before, e.after),
                    "before": e.before,
                    "after": e.after,
                }
                for e in arepo.audit_entries(
                    session, office_id, limit=limit, before_id=before_id, action_prefix=action
                )
            ]

        return await self._read(read)

    # ------------------------------------------------------------------ province

    async def shares(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            out = []
            own = repo.get_office(session, office_id)
            for member, staff in arepo.shares_of_office(session, office_id):
                # Accounts of this office are shown by name; of other offices nothing beyond
                # the name typed, not even whether the account exists.
                ours = staff is not None and staff.office_id == office_id
                out.append(
                    {
                        "id": member.id,
                        "username": member.username,
                        "display_name": staff.display_name if staff and ours else "",
                        "office_code": own.code if own and ours else "",
                        "granted_at": member.granted_at.isoformat(),
                    }
                )
            return out

        return await self._read(read)

    async def grant_share(self, actor: StaffPrincipal, username: str) -> dict[str, Any]:
        name = rules.username(username)

        def work(tx: AdminTx) -> dict[str, Any]:
            if arepo.share(tx.session, tx.office_id, name) is not None:
                raise _conflict("already_shared", username=name)
            # The same answer whether or not the name is an account: a 404 here would let an
            # admin list the accounts of every other office.
            staff = repo.staff_by_username(tx.session, name)
            member = ProvinceMember(
                office_id=tx.office_id,
                username=name,
                staff_id=staff.id if staff is not None else None,
                granted_by=actor.staff_id,
                granted_at=tx.now,
            )
            tx.session.add(member)
            tx.session.flush()
            after = {"username": name, "office": tx.office.code}
            tx.audit("province.grant", f"staff:{name}", None, after)
            return {"id": member.id, **after}

        return await self._write(actor, work)

    async def revoke_share(self, actor: StaffPrincipal, share_id: int) -> None:
        def work(tx: AdminTx) -> None:
            member = arepo.share_by_id(tx.session, tx.office_id, share_id)
            if member is None:
                raise _not_found("share_not_found")
            username = member.username
            tx.audit(
                "province.revoke",
                f"staff:{username}",
                {"username": username, "office": tx.office.code},
                None,
            )
            tx.session.delete(member)

        await self._write(actor, work)

    # ------------------------------------------------------------------ configuration files

    async def export_config(self, office_id: int) -> dict[str, Any]:
        now = self.clock()

        def read(session: Session) -> dict[str, Any]:
            return _export(session, office_id, now)

        return await self._read(read)

    async def import_config(self, actor: StaffPrincipal, body: ImportIn) -> dict[str, Any]:
        """Roll another office's configuration out to this one, all or nothing; a dry run
        reports what would change and changes nothing."""
        document = config_io.parse(body.text, body.format)
        code = body.office.strip()

        def work(tx: AdminTx) -> dict[str, Any]:
            if code != tx.office.code:
                if repo.office_by_code(tx.session, code) is None:
                    raise NotFound(*message("office_not_found", code=code))
                raise Forbidden(*message("office_code_mismatch", own=tx.office.code, code=code))
            before = _export(tx.session, tx.office_id, tx.now)
            summary = apply_document(tx, document)
            after = _export(tx.session, tx.office_id, tx.now)
            result = {"office": tx.office.code, "dry_run": body.dry_run, "summary": summary}
            if body.dry_run:
                raise _DryRun(result)
            before.pop("exported_at", None)
            after.pop("exported_at", None)
            if before != after:
                tx.audit("config.import", f"office:{tx.office.code}", before, after)
                tx.changed.update({"office", "services", "counters"})
            return result

        try:
            return await self._write(actor, work)
        except _DryRun as dry:
            result: dict[str, Any] = dry.result
            return result


# ---------------------------------------------------------------------- shared by the use cases


def _merged(model: type[M], current: dict[str, Any], patch: BaseModel) -> M:
    try:
        return model.model_validate({**current, **patch.model_dump(exclude_unset=True)})
    except ValidationError as exc:
        detail = "; ".join(str(err["msg"]) for err in exc.errors()[:3])
        raise InvalidInput("ข้อมูลที่ส่งมาไม่ถูกต้อง", detail) from None


def device_view(device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        **device_snapshot(device),
        "created_at": device.created_at.isoformat(),
        "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None,
        "printer_state": device.printer_state,
        "printer_detail": device.printer_detail,
        "printer_checked_at": (
            device.printer_checked_at.isoformat() if device.printer_checked_at else None
        ),
    }


def _print_test_page(config: PrinterConfig) -> PrintResult:
    return print_image(config, render_test_page(config.width))


def _export(session: Session, office_id: int, now: datetime) -> dict[str, Any]:
    office = repo.get_office(session, office_id)
    if office is None:
        raise NotFound("ไม่พบสำนักงาน", f"office {office_id} not found")
    return config_io.build(
        office,
        arepo.office_settings(session, office_id),
        repo.services(session, office_id),
        repo.counters(session, office_id),
        arepo.all_counter_services(session, office_id),
        arepo.holiday_rows(session, office_id),
        now,
    )


def _targets(settings: OfficeSettings) -> dict[str, Any]:
    return {
        "satisfaction_target_pct": settings.satisfaction_target_pct,
        "within_standard_target_pct": settings.within_standard_target_pct,
    }


def apply_office(office: Office, settings: OfficeSettings, body: OfficeIn) -> None:
    office.name_th = rules.text(body.name_th, "name_th", 200, required="name_th_required")
    office.name_en = rules.text(body.name_en, "name_en", 200, required="name_en_required")
    _apply_office_options(office, settings, body)


def _apply_office_options(office: Office, settings: OfficeSettings, body: OfficeIn) -> None:
    office.timezone = rules.timezone(body.timezone)
    office.opens, office.closes = rules.office_hours(body.opens, body.closes)
    office.saturday = body.saturday
    office.hours_enforced = body.hours_enforced
    office.footer_th = rules.text(body.footer_th, "footer_th", 300)
    office.footer_en = rules.text(body.footer_en, "footer_en", 300)
    office.display_message = rules.text(body.display_message, "display_message", 500)
    office.lunch_service = body.lunch_service
    settings.thai_digits = body.thai_digits
    settings.voice_repeat = rules.whole(body.voice_repeat, "voice_repeat", 1, 3)
    settings.voice_english = body.voice_english
    settings.voice_polite = rules.one_of(body.voice_polite, "voice_polite", ["ka", "krap"])
    if body.satisfaction_target_pct is not None:
        settings.satisfaction_target_pct = body.satisfaction_target_pct
    if body.within_standard_target_pct is not None:
        settings.within_standard_target_pct = body.within_standard_target_pct


def _apply_service_fields(service: Service, body: ServiceFields) -> None:
    service.prefix = rules.prefix(body.prefix)
    service.name_th = rules.text(body.name_th, "name_th", 300, required="service_name_th")
    service.name_en = rules.text(body.name_en, "name_en", 300, required="service_name_en")
    service.group = rules.text(body.group, "group", 64)
    service.standard_minutes = rules.service_minutes(body.standard_minutes, "standard_minutes")
    service.wait_target_minutes = rules.service_minutes(
        body.wait_target_minutes, "wait_target_minutes"
    )
    service.daily_cap = rules.daily_cap(body.daily_cap)
    service.issue_cutoff = rules.optional_time(body.issue_cutoff, "issue_cutoff")
    service.position = rules.whole(body.position, "position", 0, rules.MAX_POSITION)
    service.active = body.active


def create_service(tx: AdminTx, body: ServiceIn) -> Service:
    code = rules.service_code(body.code)
    if repo.service_by_code(tx.session, tx.office_id, code) is not None:
        raise _conflict("service_exists", code=code)
    service = Service(office_id=tx.office_id, code=code, prefix="A", name_th="", name_en="")
    _apply_service_fields(service, body)
    tx.session.add(service)
    tx.session.flush()
    tx.audit("service.create", f"service:{code}", None, service_snapshot(service))
    tx.changed.add("services")
    return service


def update_service(tx: AdminTx, service: Service, body: ServiceFields) -> bool:
    """Apply a service's fields; a changed standard time or wait target is recorded as a
    version effective from `body.effective_from` (default today), so past periods keep the
    standard they were served under."""
    before = service_snapshot(service)
    was = (service.standard_minutes, service.wait_target_minutes)
    _apply_service_fields(service, body)
    wanted = (service.standard_minutes, service.wait_target_minutes)
    if wanted != was:
        service.standard_minutes, service.wait_target_minutes = was
        today = business_day(tx.now, tx.office.timezone)
        effective = rules.day(body.effective_from) if body.effective_from else today
        standards.record(
            tx.session, service, *wanted, effective, today, at=tx.now, staff_id=tx.actor.staff_id
        )
    after = service_snapshot(service)
    if before == after and wanted == was:
        return False
    if wanted != was:
        after = {**after, "effective_from": (body.effective_from or today.isoformat())}
    tx.audit("service.update", f"service:{service.code}", before, after)
    tx.changed.add("services")
    return True


def _counter_state(session: Session, counter: Counter) -> Snapshot:
    assert counter.id is not None
    codes = {s.id: s.code for s in repo.services(session, counter.office_id) if s.id is not None}
    return counter_snapshot(counter, repo.counter_services(session, counter.id), codes)


def save_counter(tx: AdminTx, counter: Counter | None, body: CounterIn) -> Counter:
    """Create (counter=None) or update a counter and the services it serves."""
    number = rules.whole(body.number, "number", 1, rules.MAX_COUNTER)
    same_number = repo.counter_by_number(tx.session, tx.office_id, number)
    if same_number is not None and same_number is not counter:
        raise _conflict("counter_exists", number=number)
    if not body.services:
        raise rules.invalid("counter_needs_service")
    slots: list[tuple[int, int, int]] = []
    seen: set[str] = set()
    for item in body.services:
        if item.service in seen:
            raise rules.invalid("counter_service_twice", code=item.service)
        seen.add(item.service)
        # Looked up in this office only: a counter can never serve another office's line.
        service = repo.service_by_code(tx.session, tx.office_id, item.service)
        if service is None or service.id is None:
            raise rules.invalid("service_unknown_code", code=item.service)
        slots.append((service.id, item.position, item.weight))
    rules.counter_policy(
        body.mode,
        body.priority_share,
        body.normal_share,
        body.ageing_cap_minutes,
        slots,
        body.booked_in_row,
    )
    name = rules.text(body.name, "name", 100)
    if counter is not None and not body.active and counter.active and counter.staff_id:
        raise _conflict("counter_in_use", number=counter.number)

    before = _counter_state(tx.session, counter) if counter is not None else None
    if counter is None:
        counter = Counter(office_id=tx.office_id, number=number)
        tx.session.add(counter)
    counter.number = number
    counter.name = name
    counter.mode = body.mode
    counter.priority_share = body.priority_share
    counter.normal_share = body.normal_share
    counter.ageing_cap_minutes = body.ageing_cap_minutes
    counter.booked_in_row = body.booked_in_row
    counter.active = body.active
    tx.session.flush()
    assert counter.id is not None
    existing = {s.service_id: s for s in repo.counter_services(tx.session, counter.id)}
    wanted = {sid for sid, _, _ in slots}
    for service_id, slot in existing.items():
        if service_id not in wanted:
            tx.session.delete(slot)
    for service_id, position, weight in slots:
        kept = existing.get(service_id)
        if kept is None:
            # Credit carries the weighted rotation between calls; a new slot starts level.
            tx.session.add(
                CounterService(
                    counter_id=counter.id, service_id=service_id, position=position, weight=weight
                )
            )
        else:
            kept.position = position
            kept.weight = weight
    tx.session.flush()
    after = _counter_state(tx.session, counter)
    if before != after:
        action = "counter.create" if before is None else "counter.update"
        tx.audit(action, f"counter:{number}", before, after)
        tx.changed.add("counters")
    return counter


def apply_document(tx: AdminTx, document: config_io.ConfigDoc) -> dict[str, Any]:
    """Apply a configuration file inside the current transaction; returns what changed."""
    summary: dict[str, Any] = {
        "office": [],
        "services": {"created": [], "updated": []},
        "counters": {"created": [], "updated": []},
        "holidays": {"created": [], "updated": []},
    }
    if document.office is not None:
        settings = arepo.office_settings_for_update(tx.session, tx.office_id)
        before = office_snapshot(tx.office, settings)
        _apply_office_options(tx.office, settings, document.office)
        after = office_snapshot(tx.office, settings)
        summary["office"] = changed_fields(before, after)
        if before != after:
            tx.changed.add("office")
    for index, item in enumerate(document.services):
        with _where(f"services[{index}] ({item.code})"):
            existing = repo.service_by_code(tx.session, tx.office_id, item.code.strip())
            if existing is None:
                create_service(tx, item)
                summary["services"]["created"].append(item.code)
            elif update_service(tx, existing, item):
                summary["services"]["updated"].append(item.code)
    tx.session.flush()
    for index, counter_item in enumerate(document.counters):
        with _where(f"counters[{index}] ({counter_item.number})"):
            found = repo.counter_by_number(tx.session, tx.office_id, counter_item.number)
            before_state = _counter_state(tx.session, found) if found is not None else None
            saved = save_counter(tx, found, counter_item)
            if found is None:
                summary["counters"]["created"].append(counter_item.number)
            elif before_state != _counter_state(tx.session, saved):
                summary["counters"]["updated"].append(counter_item.number)
    for index, holiday_item in enumerate(document.holidays):
        with _where(f"holidays[{index}]"):
            day = rules.day(holiday_item.day)
            name = rules.text(holiday_item.name, "holiday_name", 200)
            row = arepo.holiday_on(tx.session, tx.office_id, day)
            if row is None:
                tx.session.add(Holiday(office_id=tx.office_id, day=day, name=name))
                summary["holidays"]["created"].append(day.isoformat())
            elif row.name != name:
                row.name = name
                summary["holidays"]["updated"].append(day.isoformat())
    tx.session.flush()
    return summary


@contextmanager
def _where(where: str) -> Iterator[None]:
    """Names the item of a configuration file an error came from."""
    try:
        yield
    except (InvalidInput, Conflict) as exc:
        raise InvalidInput(
            *message("config_invalid", where=where, detail_th=exc.th, detail_en=exc.en)
        ) from exc
