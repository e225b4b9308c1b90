"""Printing a kiosk's ticket: the slip record, the print outbox's worker, the tap's bounded wait.

Every slip is a row of the print outbox (counter.print_jobs), written with its ticket, never a bus
subscriber: with several app processes a subscriber would print the same ticket once per process.
A printer the server reaches itself is printed by `PrintWorker` (one job at a time per printer,
python-escpos in a worker thread); a printer behind a kiosk's print agent gets its jobs over the
agent's WebSocket (kiosk.agent_channel). The tap waits for the outcome at most
`print_wait_seconds` (SADUAK_PRINT_WAIT_SECONDS, 3 s), then answers "pending" and the printing
goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import anyio.to_thread
from fastapi import FastAPI
from PIL import Image

from counter import print_jobs
from counter.models import Device, Office
from counter.outbox import Worker
from counter.print_jobs import JobView, PrintSignals
from counter.queue.thai import format_thai_date
from counter.service import QueueService, TicketView
from kiosk.texts import booked_label, priority_label, wait_text
from printer import thaiwords
from printer.config import (
    AgentTarget,
    BrowserTarget,
    PrinterConfig,
    PrinterConfigError,
    TargetPolicy,
    confine,
)
from printer.escpos_io import print_image
from printer.render import RenderingUnavailable, check_raqm, render_slip, render_test_page
from printer.slip import Slip
from printer.status import PrinterState, PrinterStatus, PrintResult

log = logging.getLogger(__name__)


def slip_for(view: TicketView, office: Office) -> Slip:
    wait_th, wait_en = (
        wait_text(view.waiting_ahead, view.estimated_wait_range)
        if view.status == "waiting"
        else ("", "")
    )
    return Slip(
        office_name_th=office.name_th,
        office_name_en=office.name_en,
        service_name_th=view.service_name_th,
        service_name_en=view.service_name_en,
        number=view.number,
        wait_th=wait_th,
        wait_en=wait_en,
        issued_text=format_thai_date(view.issued_at, tz=office.timezone, with_time=True),
        status_url=view.status_url,
        priority_label=priority_label(view.priority),
        footer_th=office.footer_th,
        footer_en=office.footer_en,
        booked_label=booked_label(view.booked_for, office.timezone),
    )


def render_ticket(view: TicketView, office: Office, width_px: int) -> Image.Image:
    return render_slip(slip_for(view, office), width_px)


JOB_DEADLINE = print_jobs.DEFAULT_DEADLINE
# How often a worker looks for jobs written by other processes (its own wake it at once).
POLL_SECONDS = 1.0
# Lease of a claimed job until the printer's own bound is known (see print_bound).
DEFAULT_LEASE = timedelta(seconds=60)


def printer_queue(device: Device) -> str | None:
    """The outbox queue of a kiosk's printer; None when it has none (the ticket is on screen only).

    Kiosks that share a printer share its queue, so their jobs never interleave."""
    if not device.printer:
        return None
    assert device.id is not None
    try:
        config = PrinterConfig.parse(device.printer)
    except PrinterConfigError:
        return f"device:{device.id}"  # the worker records the setting as misconfigured
    if config.target is None or isinstance(config.target, BrowserTarget):
        return None
    if isinstance(config.target, AgentTarget):
        return print_jobs.agent_queue(device.id)
    where = str(PrinterConfig(target=config.target)).split("?", 1)[0]
    if len(where) > 90:
        where = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"printer:{where}"


def browser_width(device: Device) -> int | None:
    """The slip width in dots when the kiosk page prints through the browser, else None."""
    with contextlib.suppress(PrinterConfigError):
        config = PrinterConfig.parse(device.printer or "none")
        if isinstance(config.target, BrowserTarget):
            return config.width
    return None


def print_bound(config: PrinterConfig) -> float:
    """The longest one job can take on this printer (see escpos_io.print_image), plus rendering."""
    return 2 * config.status_timeout + 2 * config.timeout + 5.0


def slip_image(job: JobView, view: TicketView | None, office: Office, width: int) -> Image.Image:
    """What a job prints: its ticket, or the test page. Blocking (Pillow): call in a thread."""
    if view is None:
        return render_test_page(width)
    return render_ticket(view, office, width)


async def job_image(
    queue: QueueService, job: JobView, width: int
) -> tuple[Image.Image, TicketView | None]:
    """The job's slip at `width` dots, and its ticket (None for a test page)."""
    office = await queue.office(job.office_id)
    view = await queue.ticket(job.office_id, job.ticket_id) if job.ticket_id is not None else None
    return await anyio.to_thread.run_sync(slip_image, job, view, office, width), view


@dataclass(frozen=True)
class PrintOutcome:
    printed: bool
    state: str  # the printer's state after the attempt
    detail: str


async def settle(
    queue: QueueService, signals: PrintSignals, job: JobView, outcome: PrintOutcome
) -> None:
    """Record a job's outcome (job, ticket, the kiosk's printer state) and wake its waiters."""
    await queue.finish_print_job(
        job, printed=outcome.printed, state=outcome.state, detail=outcome.detail
    )
    await queue.record_printer_status(job.office_id, job.device_id, outcome.state, outcome.detail)
    signals.job_done(job.id)


async def wait_for_job(
    queue: QueueService, signals: PrintSignals, job_id: int, seconds: float
) -> bool:
    """True when the job finished within `seconds`, in this process or another."""
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        if await signals.wait_done(job_id, min(remaining, 0.5)):
            return True
        job = await queue.print_job(job_id)
        if job is None or job.status in print_jobs.FINAL:
            return True
    return False


class PrintWorker(Worker[JobView]):
    """Prints the outbox's jobs for printers this server reaches itself, in this process: the
    outbox's worker loop, with a slip's own claim (the next job of every idle printer, no retry:
    a slip late or interrupted is never printed by itself, staff reprint it)."""

    def __init__(self, queue: QueueService, signals: PrintSignals, policy: TargetPolicy) -> None:
        # Woken by every new server job (PrintSignals.job_added) and by every finished one.
        super().__init__("print", poll_seconds=POLL_SECONDS, wake_event=signals.queue_event(""))
        self.queue = queue
        self.signals = signals
        self.policy = policy
        self._bounds: dict[str, timedelta] = {}
        self._last_sweep = 0.0

    def _lease(self, queue: str) -> timedelta:
        return self._bounds.get(queue, DEFAULT_LEASE)

    async def claim_due(self, free: int | None) -> list[JobView]:
        await self._sweep()
        return await self.queue.claim_server_print_jobs(self.owner, self._lease)

    async def _sweep(self) -> None:
        # Expiring is a write: once a second is plenty, not on every tap.
        if time.monotonic() - self._last_sweep < POLL_SECONDS:
            return
        self._last_sweep = time.monotonic()
        for job in await self.queue.expire_print_jobs():
            log.warning("print job %s %s: %s", job.id, job.status, job.detail)
            await self.queue.record_printer_status(
                job.office_id, job.device_id, job.state or "no_answer", job.detail or ""
            )
            self.signals.job_done(job.id)

    async def deliver(self, job: JobView) -> None:
        try:
            outcome = await self._attempt(job)
        except Exception as exc:  # our bug: keep the ticket pending, say so, keep serving
            log.exception("print job %s failed", job.id)
            outcome = PrintOutcome(False, PrinterState.UNKNOWN, f"printing failed: {exc!r}")
        try:
            await settle(self.queue, self.signals, job, outcome)
        finally:
            self.wake()  # the printer is free: its next job

    async def _attempt(self, job: JobView) -> PrintOutcome:
        device = await self.queue.device(job.office_id, job.device_id)
        try:
            # Only where the server operator allows (SADUAK_PRINTER_ALLOW); refused = misconfigured.
            config = confine(PrinterConfig.parse(device.printer or "none"), self.policy)
        except PrinterConfigError as exc:
            return PrintOutcome(False, "misconfigured", str(exc))
        if not config.enabled or isinstance(config.target, AgentTarget):
            # The setting changed since the job was written.
            return PrintOutcome(False, PrinterState.NOT_CONFIGURED, "the kiosk's printer changed")
        self._bounds[job.queue] = timedelta(seconds=print_bound(config))
        try:
            check_raqm()
            image, _ = await job_image(self.queue, job, config.width)
        except RenderingUnavailable as exc:
            log.error("cannot render Thai tickets: %s", exc)
            return PrintOutcome(False, "rendering_unavailable", str(exc))
        result = await anyio.to_thread.run_sync(print_image, config, image)
        if not result.printed:
            log.warning("print job %s not printed on %s: %s", job.id, device.name, result.detail)
        return outcome_of(result)


def outcome_of(result: PrintResult | PrinterStatus) -> PrintOutcome:
    """What is recorded and shown: the printer's state in words, never the bytes it sent back."""
    if isinstance(result, PrinterStatus):
        shown = result.public()
        return PrintOutcome(False, shown.state, shown.detail)
    shown = result.status.public()
    return PrintOutcome(result.printed, shown.state, shown.detail)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The print signals and this process's print worker, for the app's lifetime."""
    # The Thai word list for the slip's line breaks (~0.5 s, once per process), loaded in a
    # thread now rather than by the first tap, which must answer within the print wait.
    thaiwords.warm_up_in_background()
    signals = PrintSignals()
    app.state.print_signals = signals
    worker = PrintWorker(app.state.queue, signals, app.state.printer_policy)
    app.state.print_worker = worker
    worker.start()
    try:
        yield
    finally:
        await worker.stop()
