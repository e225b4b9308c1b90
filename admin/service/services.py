"""The office's services: their fields, standard times, citizen manuals and the catalogue import."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from admin import repository as arepo
from admin import rules
from admin.audit import Snapshot, service_snapshot
from admin.schemas import ManualIn, ServiceFields, ServiceIn, ServicePatch
from admin.service.base import AdminCore
from admin.service.shared import AdminTx, conflict, merged, not_found
from counter import repository as repo
from counter import standards
from counter.auth import StaffPrincipal
from counter.manual import manual_of, save_manual
from counter.manual import manuals as all_manuals
from counter.models import Service
from counter.queue.thai import business_day
from counter.seed import import_catalogue
from counter.service import local_day


class ServiceUseCases(AdminCore):
    """The office's services, their manuals and the catalogue import."""

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
                raise not_found("service_not_found")
            current = {k: v for k, v in service_snapshot(service).items() if k != "code"}
            body = merged(ServiceFields, current, patch)
            update_service(tx, service, body)
            return {"id": service.id, **service_snapshot(service)}

        return await self._write(actor, work)

    async def manual(self, office_id: int, service_id: int) -> dict[str, Any]:
        def read(session: Session) -> dict[str, Any]:
            service = arepo.service(session, office_id, service_id)
            if service is None:
                raise not_found("service_not_found")
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

    async def set_manual(
        self, actor: StaffPrincipal, service_id: int, body: ManualIn
    ) -> dict[str, Any]:
        """Replace a service's citizen manual (kiosk ⓘ, status page, standards board)."""

        def work(tx: AdminTx) -> dict[str, Any]:
            service = arepo.service(tx.session, tx.office_id, service_id)
            if service is None:
                raise not_found("service_not_found")
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
        raise conflict("service_exists", code=code)
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
