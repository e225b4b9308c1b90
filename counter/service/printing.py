"""The print outbox as the queue sees it (jobs written with tickets, reprints, outcomes) and
the kiosks' printer states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import anyio
import anyio.to_thread
from sqlmodel import Session

from counter import print_jobs
from counter import repository as repo
from counter.models import Device
from counter.queue.errors import NotFound
from counter.queue.events import PrinterStateChanged
from counter.service.base import QueueCore
from counter.service.shared import row_id, ticket_not_found
from counter.texts import say
from counter.unit_of_work import OfficeTx


class PrintUseCases(QueueCore):
    """The print outbox's jobs and the kiosks' printer states."""

    async def enqueue_print(
        self,
        office_id: int,
        device_id: int,
        queue: str,
        *,
        deadline: timedelta,
        ticket_id: int | None = None,
        kind: str = "ticket",
    ) -> print_jobs.JobView:
        """A reprint or a test page: a new job (a new id) on a kiosk's printer queue."""

        def work(tx: OfficeTx) -> print_jobs.JobView:
            if (
                ticket_id is not None
                and repo.get_ticket(tx.session, row_id(tx.office), ticket_id) is None
            ):
                raise ticket_not_found(ticket_id)
            job = print_jobs.add(
                tx.session,
                office_id=row_id(tx.office),
                device_id=device_id,
                ticket_id=ticket_id,
                kind=kind,
                queue=queue,
                now=tx.now,
                deadline=deadline,
            )
            return print_jobs.view(job)

        return await self._write(office_id, work)

    async def finish_print_job(
        self, job: print_jobs.JobView, *, printed: bool, state: str, detail: str
    ) -> print_jobs.JobView | None:
        """Record a job's outcome and its ticket's print status in one transaction."""

        def work(tx: OfficeTx) -> print_jobs.JobView | None:
            done = print_jobs.finish(
                tx.session, job.id, printed=printed, state=state, detail=detail, now=tx.now
            )
            if done is None:
                return None
            if done.ticket_id is not None:
                self._mark_printed(tx, done.ticket_id, printed)
            return print_jobs.view(done)

        return await self._write(job.office_id, work)

    def _mark_printed(self, tx: OfficeTx, ticket_id: int, printed: bool) -> None:
        ticket = repo.get_ticket(tx.session, row_id(tx.office), ticket_id)
        status = "printed" if printed else "pending"
        if ticket is not None and ticket.print_status != status:
            ticket.print_status = status
            # "printed" once on paper; "print_pending" when it must be reprinted.
            tx.log_ticket(ticket, "printed" if printed else "print_pending")

    async def claim_server_print_jobs(
        self, owner: str, lease: Callable[[str], timedelta]
    ) -> list[print_jobs.JobView]:
        def run() -> list[print_jobs.JobView]:
            if not self._open_print_jobs():
                return []
            with self.db.write() as session:
                claimed = print_jobs.claim_server_jobs(session, self.clock(), owner, lease)
                return [print_jobs.view(job) for job in claimed]

        return await anyio.to_thread.run_sync(run)

    async def next_agent_print_job(
        self, device_id: int, owner: str, lease: timedelta
    ) -> print_jobs.JobView | None:
        def run() -> print_jobs.JobView | None:
            with self.db.write() as session:
                job = print_jobs.next_agent_job(session, device_id, self.clock(), owner, lease)
                return print_jobs.view(job) if job is not None else None

        return await anyio.to_thread.run_sync(run)

    async def release_agent_print_jobs(self, owner: str) -> None:
        def run() -> None:
            with self.db.write() as session:
                print_jobs.release_agent_jobs(session, owner)

        await anyio.to_thread.run_sync(run)

    async def expire_print_jobs(self) -> list[print_jobs.JobView]:
        def run() -> list[print_jobs.JobView]:
            if not self._open_print_jobs():
                return []
            with self.db.write() as session:
                return [
                    print_jobs.view(j) for j in print_jobs.expire_overdue(session, self.clock())
                ]

        return await anyio.to_thread.run_sync(run)

    def _open_print_jobs(self) -> bool:
        # The print worker looks every second: an idle outbox is read, never written (a write
        # takes the database's write lock on SQLite).
        with self.db.read() as session:
            return print_jobs.has_open_jobs(session)

    async def print_job(self, job_id: int) -> print_jobs.JobView | None:
        def read(session: Session) -> print_jobs.JobView | None:
            job = print_jobs.get(session, job_id)
            return print_jobs.view(job) if job is not None else None

        return await self._read(read)

    async def record_printer_status(
        self, office_id: int, device_id: int, state: str, detail: str
    ) -> None:
        """Keep a kiosk's last printer state and tell staff screens when it needs a person."""

        def work(tx: OfficeTx) -> None:
            device = tx.session.get(Device, device_id)
            if device is None or device.office_id != office_id:
                raise NotFound(*say("no_device", device_id=device_id))
            before = device.printer_state
            device.printer_state = state
            device.printer_detail = detail[:300]
            device.printer_checked_at = tx.now
            if state == before:
                return
            for listener in self.printer_state_listeners:
                listener(tx.session, device, before, tx.now)
            # Not a queue event: no sequence number, so displays never resync over a printer.
            tx.publish(
                PrinterStateChanged(
                    kind=state,
                    office=office_id,
                    at=tx.now.isoformat(),
                    device_id=device_id,
                    device=device.name,
                    state=state,
                    previous=before,
                    detail=detail,
                )
            )

        await self._write(office_id, work)
