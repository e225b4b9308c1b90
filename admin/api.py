"""The admin JSON API under /api/v1/admin (admin role); province shares are granted here and
the comparison itself is a report (reports/routes.py)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from admin import config_io
from admin import repository as arepo
from admin.audit import office_snapshot
from admin.schemas import (
    CounterIn,
    CounterPatch,
    DeviceUpdate,
    HolidayIn,
    HolidayYearIn,
    ImportIn,
    ManualIn,
    OfficeIn,
    PairIn,
    ServiceIn,
    ServicePatch,
    ShareIn,
    StaffIn,
    StaffUpdate,
    TargetsIn,
)
from admin.service import AdminService
from admin.text import message
from counter import repository as repo
from counter.auth import DevicePrincipal, StaffPrincipal
from counter.queue.errors import InvalidInput, NotFound
from counter.texts import say
from counter.web import CurrentAdmin, CurrentManager, CurrentReader, DatabaseDep

router = APIRouter(prefix="/api/v1")

Id = Annotated[int, Path(ge=1, le=2**62)]


def get_admin_service(request: Request) -> AdminService:
    service: AdminService = request.app.state.admin
    return service


Admin = Annotated[AdminService, Depends(get_admin_service)]


# ------------------------------------------------------------------ office


@router.get("/office", tags=["office"])
async def own_office(who: CurrentReader, db: DatabaseDep) -> dict[str, Any]:
    """The asking device's or person's office: names, hours, messages and voice options
    (what kiosk, display and report pages need to know about their office)."""

    def read() -> dict[str, Any]:
        with db.read() as session:
            office = repo.get_office(session, who.office_id)
            if office is None:
                raise NotFound(*say("no_office", office_id=who.office_id))
            settings = arepo.office_settings(session, who.office_id)
            return {"id": office.id, **office_snapshot(office, settings)}

    return await anyio.to_thread.run_sync(read)


@router.get("/admin/office", tags=["admin"])
async def get_office(admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    return await service.office(admin.office_id)


@router.put("/admin/office", tags=["admin"])
async def put_office(body: OfficeIn, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    return await service.update_office(admin, body)


@router.post("/admin/holidays", tags=["admin"], status_code=201)
async def add_holiday(body: HolidayIn, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    return await service.add_holiday(admin, body)


@router.put("/admin/holidays/{year}", tags=["admin"])
async def replace_holidays(
    year: Annotated[int, Path(ge=1900, le=2800)],
    body: HolidayYearIn,
    admin: CurrentAdmin,
    service: Admin,
) -> list[dict[str, Any]]:
    """Replace the holidays of one year (CE; a BE year above 2400 is taken as BE)."""
    ce_year = year - 543 if year > 2400 else year
    return await service.replace_holidays(admin, ce_year, body.holidays)


@router.delete("/admin/holidays/{holiday_id}", tags=["admin"], status_code=204)
async def remove_holiday(holiday_id: Id, admin: CurrentAdmin, service: Admin) -> Response:
    await service.remove_holiday(admin, holiday_id)
    return Response(status_code=204)


# ------------------------------------------------------------------ services


@router.get("/admin/services", tags=["admin"])
async def list_services(admin: CurrentAdmin, service: Admin) -> list[dict[str, Any]]:
    return await service.services(admin.office_id)


@router.post("/admin/services", tags=["admin"], status_code=201)
async def create_service(body: ServiceIn, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    return await service.create_service(admin, body)


@router.patch("/admin/services/{service_id}", tags=["admin"])
async def update_service(
    service_id: Id, body: ServicePatch, admin: CurrentAdmin, service: Admin
) -> dict[str, Any]:
    return await service.update_service(admin, service_id, body)


@router.get("/admin/services/{service_id}/manual", tags=["admin"])
async def get_manual(service_id: Id, manager: CurrentManager, service: Admin) -> dict[str, Any]:
    """The service's citizen manual (the catalogue's until the office edits it); the
    processing time is the service's standard in force today. Manager or admin."""
    return await service.manual(manager.office_id, service_id)


@router.put("/admin/services/{service_id}/manual", tags=["admin"])
async def put_manual(
    service_id: Id, body: ManualIn, manager: CurrentManager, service: Admin
) -> dict[str, Any]:
    """Replace the citizen manual (manager or admin); a document asking for a copy of the ID
    card or house registration is refused (422)."""
    return await service.set_manual(manager, service_id, body)


@router.get("/admin/targets", tags=["admin"])
async def get_targets(manager: CurrentManager, service: Admin) -> dict[str, Any]:
    """The office's evidence-pack targets: satisfaction % and % served within standard."""
    return await service.targets(manager.office_id)


@router.put("/admin/targets", tags=["admin"])
async def put_targets(body: TargetsIn, manager: CurrentManager, service: Admin) -> dict[str, Any]:
    """Set the evidence-pack targets (0–100 %); manager or admin."""
    return await service.set_targets(manager, body)


@router.post("/admin/services/import-catalogue", tags=["admin"])
async def import_catalogue(admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    """Add the bundled district-office services; codes the office already has are skipped."""
    return {"added": await service.import_catalogue(admin)}


# ------------------------------------------------------------------ counters


@router.get("/admin/counters", tags=["admin"])
async def list_counters(admin: CurrentAdmin, service: Admin) -> list[dict[str, Any]]:
    return await service.counters(admin.office_id)


@router.post("/admin/counters", tags=["admin"], status_code=201)
async def create_counter(body: CounterIn, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    return await service.create_counter(admin, body)


@router.patch("/admin/counters/{counter_id}", tags=["admin"])
async def update_counter(
    counter_id: Id, body: CounterPatch, admin: CurrentAdmin, service: Admin
) -> dict[str, Any]:
    return await service.update_counter(admin, counter_id, body)


# ------------------------------------------------------------------ staff


@router.get("/admin/staff", tags=["admin"])
async def list_staff(admin: CurrentAdmin, service: Admin) -> list[dict[str, Any]]:
    return await service.staff(admin.office_id)


@router.post("/admin/staff", tags=["admin"], status_code=201)
async def create_staff(body: StaffIn, admin: CurrentAdmin, service: Admin) -> JSONResponse:
    """Create an account; the response carries its first password, shown this once."""
    out = await service.create_staff(admin, body)
    return JSONResponse(out, status_code=201, headers={"Cache-Control": "no-store"})


@router.patch("/admin/staff/{staff_id}", tags=["admin"])
async def update_staff(
    staff_id: Id, body: StaffUpdate, admin: CurrentAdmin, service: Admin, request: Request
) -> dict[str, Any]:
    out = await service.update_staff(admin, staff_id, body)
    _forget_staff(request, staff_id)  # a new role or a deactivation applies at once
    return out


@router.post("/admin/staff/{staff_id}/reset-password", tags=["admin"])
async def reset_password(
    staff_id: Id, admin: CurrentAdmin, service: Admin, request: Request
) -> JSONResponse:
    """A new password, shown this once; every login of the account ends."""
    out = await service.reset_password(admin, staff_id)
    _forget_staff(request, staff_id)
    return JSONResponse(out, headers={"Cache-Control": "no-store"})


# ------------------------------------------------------------------ devices


@router.get("/admin/devices", tags=["admin"])
async def list_devices(admin: CurrentAdmin, service: Admin) -> list[dict[str, Any]]:
    return await service.devices(admin.office_id)


@router.post("/admin/devices/pair", tags=["admin"], status_code=201)
async def pair_device(body: PairIn, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    """Confirm the code a new screen shows (see counter.pairing for the screen's side)."""
    return await service.pair_device(admin, body)


@router.patch("/admin/devices/{device_id}", tags=["admin"])
async def update_device(
    device_id: Id, body: DeviceUpdate, admin: CurrentAdmin, service: Admin
) -> dict[str, Any]:
    return await service.update_device(admin, device_id, body)


@router.post("/admin/devices/{device_id}/revoke", tags=["admin"])
async def revoke_device(
    device_id: Id, admin: CurrentAdmin, service: Admin, request: Request
) -> dict[str, Any]:
    out = await service.revoke_device(admin, device_id)
    request.app.state.auth.forget_where(
        lambda p: isinstance(p, DevicePrincipal) and p.device_id == device_id
    )
    return out


def _forget_staff(request: Request, staff_id: int) -> None:
    # This process stops honouring the account's cached logins now; other processes within
    # the authenticator's few-second cache.
    request.app.state.auth.forget_where(
        lambda p: isinstance(p, StaffPrincipal) and p.staff_id == staff_id
    )


@router.post("/admin/devices/{device_id}/test-print", tags=["admin"])
async def test_print(device_id: Id, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    """Print the printer test page on a kiosk's printer and keep the status it reported."""
    return await service.test_print(admin, device_id)


# ------------------------------------------------------------------ audit


@router.get("/admin/audit", tags=["admin"])
async def audit_log(
    admin: CurrentAdmin,
    service: Admin,
    before: Annotated[int | None, Query(ge=1)] = None,
    action: Annotated[str | None, Query(max_length=48)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    return await service.audit_log(admin.office_id, limit=limit, before_id=before, action=action)


# ------------------------------------------------------------------ province


@router.get("/admin/province/shares", tags=["admin"])
async def list_shares(admin: CurrentAdmin, service: Admin) -> list[dict[str, Any]]:
    return await service.shares(admin.office_id)


@router.post("/admin/province/shares", tags=["admin"], status_code=201)
async def grant_share(body: ShareIn, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    """Let a user (at any office) compare this office's key metrics."""
    return await service.grant_share(admin, body.username)


@router.delete("/admin/province/shares/{share_id}", tags=["admin"], status_code=204)
async def revoke_share(share_id: Id, admin: CurrentAdmin, service: Admin) -> Response:
    await service.revoke_share(admin, share_id)
    return Response(status_code=204)


# ------------------------------------------------------------------ configuration files


@router.get("/admin/config/export", tags=["admin"])
async def export_config(
    admin: CurrentAdmin,
    service: Admin,
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "json",
) -> Response:
    """Download the office's configuration as JSON or YAML."""
    if fmt not in config_io.FORMATS:
        raise InvalidInput(*message("config_format"))
    document = await service.export_config(admin.office_id)
    text = config_io.dump(document, fmt)
    name = f"saduak-{document['office']['code']}-config.{'yaml' if fmt == 'yaml' else 'json'}"
    media = "application/yaml" if fmt == "yaml" else "application/json"
    return Response(
        text,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/admin/config/import", tags=["admin"])
async def import_config(body: ImportIn, admin: CurrentAdmin, service: Admin) -> dict[str, Any]:
    """Import a configuration file into the admin's own office (named by code, to be sure);
    `dry_run` checks and reports without changing anything."""
    return await service.import_config(admin, body)
