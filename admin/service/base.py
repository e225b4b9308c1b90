"""The admin's plumbing: writes through the office unit of work (publishing `office.updated`
when screens must hear of a change), reads in worker threads."""

from __future__ import annotations

from collections.abc import Callable

import anyio.to_thread
from sqlmodel import Session

from admin.service.shared import AdminTx, T
from counter.auth import StaffPrincipal
from counter.queue.events import OfficeUpdated
from counter.unit_of_work import OfficeTx, OfficeWork
from printer.config import TargetPolicy


class AdminCore:
    """What every part of the admin's use cases stands on."""

    def __init__(self, work: OfficeWork, printer_policy: TargetPolicy | None = None) -> None:
        # The process's office unit of work, shared with the queue: admin changes and calls
        # reach the bus in `seq` order.
        self.work = work
        self.db = work.db
        self.bus = work.bus
        self.clock = work.clock
        self.printer_policy = printer_policy or TargetPolicy.parse("private")

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
