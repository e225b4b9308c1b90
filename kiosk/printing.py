"""Printing a kiosk's ticket: the slip record, the printer call off the event loop, the outcome.

Printing is a direct call from the kiosk request, never a bus subscriber: with several app
processes a subscriber would print the same ticket once per process.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import anyio.to_thread
from PIL import Image

from counter.models import Device, Office
from counter.queue.thai import format_thai_date
from counter.service import QueueService, TicketView
from kiosk.texts import priority_label
from printer.config import PrinterConfig, PrinterConfigError, TargetPolicy, confine
from printer.escpos_io import print_image
from printer.render import RenderingUnavailable, check_raqm, render_slip
from printer.slip import Slip
from printer.status import PrinterState

log = logging.getLogger(__name__)


def slip_for(view: TicketView, office: Office) -> Slip:
    return Slip(
        office_name_th=office.name_th,
        office_name_en=office.name_en,
        service_name_th=view.service_name_th,
        service_name_en=view.service_name_en,
        number=view.number,
        waiting_ahead=view.waiting_ahead,
        estimated_wait_minutes=view.estimated_wait_minutes,
        issued_text=format_thai_date(view.issued_at, tz=office.timezone, with_time=True),
        status_url=view.status_url,
        priority_label=priority_label(view.priority),
        footer_th=office.footer_th,
        footer_en=office.footer_en,
    )


def render_ticket(view: TicketView, office: Office, width_px: int) -> Image.Image:
    return render_slip(slip_for(view, office), width_px)


@dataclass(frozen=True)
class PrintOutcome:
    print_status: str  # printed | pending | none
    state: str  # the printer's state after the attempt
    detail: str


class TicketPrinter:
    """Prints tickets on kiosk printers, one job at a time per printer."""

    def __init__(self, queue: QueueService, policy: TargetPolicy) -> None:
        self.queue = queue
        self.policy = policy
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock_for(self, printer: str) -> threading.Lock:
        # Two kiosks may share a printer, and two taps may land together: jobs must not interleave.
        with self._guard:
            return self._locks.setdefault(printer, threading.Lock())

    @staticmethod
    def configured(device: Device | None) -> bool:
        if device is None or not device.printer:
            return False
        try:
            return PrinterConfig.parse(device.printer).enabled
        except PrinterConfigError:
            return True  # misconfigured still counts: the ticket must be marked pending

    async def print_ticket(self, office: Office, device: Device, view: TicketView) -> PrintOutcome:
        """Print and record the outcome on the ticket and the device; never raises for a fault."""
        assert office.id is not None and device.id is not None
        outcome = await anyio.to_thread.run_sync(self._print_blocking, office, device, view)
        await self.queue.set_print_status(office.id, view.id, outcome.print_status)
        await self.queue.record_printer_status(office.id, device.id, outcome.state, outcome.detail)
        return outcome

    def _print_blocking(self, office: Office, device: Device, view: TicketView) -> PrintOutcome:
        if not device.printer:
            return PrintOutcome("none", PrinterState.NOT_CONFIGURED, "no printer configured")
        try:
            config = confine(PrinterConfig.parse(device.printer), self.policy)
        except PrinterConfigError as exc:
            return PrintOutcome("pending", "misconfigured", str(exc))
        if not config.enabled:
            return PrintOutcome("none", PrinterState.NOT_CONFIGURED, "no printer configured")
        try:
            check_raqm()
            image = render_ticket(view, office, config.width)
        except RenderingUnavailable as exc:
            log.error("cannot render Thai tickets: %s", exc)
            return PrintOutcome("pending", "rendering_unavailable", str(exc))
        with self._lock_for(str(config)):
            result = print_image(config, image)
        shown = result.status.public()
        if result.printed:
            return PrintOutcome("printed", shown.state, shown.detail)
        log.warning("ticket %s not printed on %s: %s", view.number, device.name, result.detail)
        return PrintOutcome("pending", shown.state, shown.detail)
