"""Kiosks and screens: pairing, naming, printers, revoking, and the test page."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from sqlmodel import Session

from admin import repository as arepo
from admin import rules
from admin.audit import device_snapshot
from admin.schemas import DeviceIn, DeviceUpdate, PairIn
from admin.service.base import AdminCore
from admin.service.shared import AdminTx, conflict, log, not_found
from admin.text import both, message
from counter import pairing, print_jobs
from counter import repository as repo
from counter.auth import DeviceKind, StaffPrincipal, add_device
from counter.models import Device
from counter.unit_of_work import OfficeTx
from printer.config import AgentTarget, BrowserTarget, PrinterConfig, PrinterTargetRefused, confine
from printer.escpos_io import print_image
from printer.render import RenderingUnavailable, render_test_page
from printer.status import PrintResult


class DeviceUseCases(AdminCore):
    """Kiosks and screens, and the kiosks' printers."""

    async def devices(self, office_id: int) -> list[dict[str, Any]]:
        def read(session: Session) -> list[dict[str, Any]]:
            return [device_view(d) for d in repo.devices(session, office_id)]

        return await self._read(read)

    async def pair_device(self, actor: StaffPrincipal, body: PairIn) -> dict[str, Any]:
        kind, name, printer = await self._new_device(body)

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

    async def add_device(self, actor: StaffPrincipal, body: DeviceIn) -> tuple[dict[str, Any], str]:
        """A device whose token the server makes and shows once (the command line), rather than
        one paired by the code on its screen: the same rules and the same audit entry."""
        kind, name, printer = await self._new_device(body)

        def work(tx: AdminTx) -> tuple[dict[str, Any], str]:
            device, token = add_device(
                tx.session, tx.office_id, kind, name, tx.now, printer=printer
            )
            tx.audit("device.pair", f"device:{device.id}", None, device_snapshot(device))
            return device_view(device), token

        return await self._write(actor, work)

    async def _new_device(self, body: DeviceIn) -> tuple[DeviceKind, str, str | None]:
        kind = rules.device_kind(body.kind)
        name = rules.text(body.name, "name", 100, required="device_name")
        printer = rules.printer(kind, body.printer)
        await self._check_printer_target(printer)
        return kind, name, printer

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
                raise not_found("device_not_found")
            if device.kind != DeviceKind.KIOSK:
                raise rules.invalid("test_print_kiosk_only")
            if device.revoked_at is not None:
                raise conflict("device_revoked")
            if not device.printer:
                raise conflict("printer_none")
            return PrinterConfig.parse(device.printer)

        printer_config = await self._read(config)
        if not printer_config.enabled:
            raise conflict("printer_none")
        if isinstance(printer_config.target, BrowserTarget):
            raise conflict("printer_browser")
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
                raise conflict("rendering_unavailable", detail=str(exc)) from None
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
        return False, "no_answer", both(message("agent_silent"))

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
            raise not_found("device_not_found")
        return device


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
