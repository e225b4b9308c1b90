"""The office unit of work: every write to an office's data runs here, in one place.

One write = the office's lock in this process (writes of an office queue in arrival order), one
database transaction that first takes the office's lock in the database (`BEGIN IMMEDIATE` on
SQLite, the office row on PostgreSQL, see repository.lock_office), the day rollover, the work
itself, the commit; then, still under the process's lock, the events are published in `seq` order.
A rolled-back write publishes nothing, and two writes of this process never reach the bus out of
order (screens that see a gap in `seq` fetch a fresh snapshot).

The queue, the admin, the survey, the report rollups and the command line all write through it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import partial
from time import monotonic
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import anyio
import anyio.to_thread
from sqlmodel import Session

from counter import repository as repo
from counter.bus import Bus
from counter.db import Database, DatabaseBusy
from counter.models import Counter, CounterEvent, Office, Ticket, TicketEvent
from counter.queue.errors import NotFound
from counter.queue.events import CounterChanged, Event, TicketChanged
from counter.texts import say

log = logging.getLogger(__name__)

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


def office_channel(office_id: int) -> str:
    return f"saduak.office.{office_id}"


def local_day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def day_start(day: date, tz: str) -> datetime:
    """The first instant of a local business day, in UTC (the inverse of local_day)."""
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


@dataclass
class OfficeTx:
    """One write transaction of an office: its session, the locked office, the clock reading,
    and the events to publish after the commit."""

    session: Session
    office: Office
    now: datetime
    today: date
    messages: list[Event] = field(default_factory=list)

    @property
    def office_id(self) -> int:
        assert self.office.id is not None
        return self.office.id

    def start_of_day(self) -> datetime:
        """The first instant of this business day, in UTC."""
        return day_start(self.today, self.office.timezone)

    def next_seq(self) -> int:
        self.office.event_seq += 1
        return self.office.event_seq

    def publish(self, event: Event) -> None:
        """Publish `event` after the commit (never if the transaction rolls back)."""
        self.messages.append(event)

    def log_ticket(
        self,
        ticket: Ticket,
        kind: str,
        *,
        counter: Counter | None = None,
        staff_id: int | None = None,
        detail: dict[str, Any] | None = None,
        publish: bool = True,
    ) -> None:
        assert ticket.id is not None and self.office.id is not None
        seq = self.next_seq()
        self.session.add(
            TicketEvent(
                office_id=self.office.id,
                seq=seq,
                ticket_id=ticket.id,
                kind=kind,
                at=self.now,
                service_id=ticket.service_id,
                transaction_no=ticket.transaction_no,
                counter_id=counter.id if counter else None,
                staff_id=staff_id,
                detail=detail,
            )
        )
        if publish:
            self.messages.append(
                TicketChanged(
                    kind=kind,
                    office=self.office.id,
                    seq=seq,
                    at=self.now.isoformat(),
                    ticket_id=ticket.id,
                    number=ticket.number,
                    service_id=ticket.service_id,
                    status=ticket.status,
                    priority=ticket.priority,
                    counter=counter.number if counter else None,
                    recall_count=ticket.recall_count,
                    booked=ticket.booked_for is not None,
                )
            )

    def log_counter(
        self, counter: Counter, kind: str, staff_id: int | None, reason: str | None = None
    ) -> None:
        assert counter.id is not None and self.office.id is not None
        seq = self.next_seq()
        self.session.add(
            CounterEvent(
                office_id=self.office.id,
                seq=seq,
                counter_id=counter.id,
                kind=kind,
                at=self.now,
                staff_id=staff_id,
                reason=reason,
            )
        )
        self.messages.append(
            CounterChanged(
                kind=kind,
                office=self.office.id,
                seq=seq,
                at=self.now.isoformat(),
                counter=counter.number,
                staff_id=staff_id,
                reason=reason,
            )
        )


@contextmanager
def office_transaction(
    db: Database, office_id: int, deadline: float | None = None
) -> Iterator[tuple[Session, Office]]:
    """The database half of a write, for blocking code already in a worker thread that publishes
    nothing (the report rollups): one transaction holding the office's lock."""
    with db.write(deadline) as session:
        office = repo.lock_office(session, office_id)
        if office is None:
            raise NotFound(*say("no_office", office_id=office_id))
        yield session, office
        session.flush()


class OfficeWork:
    """The unit of work of every office this process serves. One per process (the app's
    lifespan and each CLI command make one), shared by every service that writes."""

    def __init__(self, db: Database, bus: Bus, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self._locks: dict[int, anyio.Lock] = {}
        # Run first in every write, in its transaction: the queue's day rollover.
        self.on_begin: list[Callable[[OfficeTx], None]] = []
        # Run after every commit, before publishing, with (office id, events): caches to drop.
        self.on_commit: list[Callable[[int, Sequence[Event]], None]] = []

    async def run(self, office_id: int, work: Callable[[OfficeTx], T]) -> T:
        """Run `work` in one write transaction of the office, then publish its events."""
        # Writes of one office queue here, in arrival order, rather than as many threads
        # blocked on the database lock that wake in no particular order (long tails on
        # PostgreSQL). The database lock still guards against other processes. Publishing inside
        # keeps this process's events in sequence order on the bus.
        # The wait for this lock counts against the write's bounded wait for the database.
        deadline = monotonic() + self.db.write_wait
        lock = self._locks.setdefault(office_id, anyio.Lock())
        try:
            with anyio.fail_after(self.db.write_wait):
                await lock.acquire()
        except TimeoutError:
            raise DatabaseBusy() from None
        try:
            result, messages = await anyio.to_thread.run_sync(
                partial(self._transaction, office_id, work, deadline)
            )
            for hook in self.on_commit:
                hook(office_id, messages)
            await self._publish(office_id, messages)
        finally:
            lock.release()
        return result

    def _transaction(
        self, office_id: int, work: Callable[[OfficeTx], T], deadline: float | None
    ) -> tuple[T, list[Event]]:
        with office_transaction(self.db, office_id, deadline) as (session, office):
            now = self.clock()
            tx = OfficeTx(session, office, now, local_day(now, office.timezone))
            for hook in self.on_begin:
                hook(tx)
            result = work(tx)
        return result, tx.messages

    async def _publish(self, office_id: int, events: Sequence[Event]) -> None:
        # The database is the truth and subscribers resync on a sequence gap, so a bus outage
        # must not fail a request that has already been committed.
        for event in events:
            message = event.message()
            try:
                await self.bus.publish(office_channel(office_id), message)
            except Exception:
                log.warning("could not publish %s", message["type"], exc_info=True)
