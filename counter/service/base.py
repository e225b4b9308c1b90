"""The queue's plumbing: its unit of work, reads in worker threads, and the installation's bus
namespace."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

import anyio
import anyio.to_thread
import sqlalchemy as sa
from sqlmodel import Session

from counter import repository as repo
from counter.bus import Bus
from counter.db import Database
from counter.models import Device, Installation
from counter.queue.events import Event, TicketChanged
from counter.queue.forecast import Forecast
from counter.queue.policy import Line
from counter.service.rollover import roll_over
from counter.service.shared import T
from counter.service.waits import CALL_END_KINDS, CallMinutes, WaitingKept
from counter.unit_of_work import OfficeTx, OfficeWork, utcnow


def installation_namespace(db: Database, now: datetime) -> str:
    """This installation's bus namespace: random, made by the first process that asks, then the
    same for every process that serves from this database."""
    with db.read() as session:
        row = repo.installation(session)
    if row is not None:
        return row.bus_namespace
    try:
        with db.write() as session:
            row = repo.installation(session)
            if row is None:
                row = Installation(id=1, bus_namespace=secrets.token_hex(6), created_at=now)
                session.add(row)
                session.flush()
            namespace = row.bus_namespace
    except sa.exc.IntegrityError:
        # Another process made it in the meantime (PostgreSQL; SQLite's write lock orders them).
        with db.read() as session:
            row = repo.installation(session)
            assert row is not None
            namespace = row.bus_namespace
    return namespace


class QueueCore:
    """What every part of the queue's use cases stands on. Blocking database work runs in worker
    threads."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        public_url: str = "http://127.0.0.1:8000",
        clock: Callable[[], datetime] = utcnow,
        work: OfficeWork | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        # The process's unit of work, shared with every other service that writes an office.
        self.work = work or OfficeWork(db, bus, clock=clock)
        self.work.on_begin.append(roll_over)
        self.work.on_commit.append(self._committed)
        # Called inside the transaction that changes a kiosk's printer state, with
        # (session, device, previous state, time): the incident log records outages this way,
        # exactly once whatever the number of app processes.
        self.printer_state_listeners: list[
            Callable[[Session, Device, str | None, datetime], None]
        ] = []
        # Office id -> (event seq, with the kiosk's newcomers or not, forecast): the last
        # committed state's forecast, so the many status pages following one office share one
        # computation per office event (QueueViews.office_forecast).
        self._forecasts: dict[int, tuple[int, bool, Forecast]] = {}
        # One computation of an office's committed forecast at a time: a write's answer and the
        # status pages' read of the same event start together, and the second takes the first's.
        # A write's answer holds it from before its first read (`QueueViews._answer`).
        self._forecasting: dict[int, threading.RLock] = {}
        # Office id -> its recent call durations: read again after a minute, and caught up at
        # once when this process ends a call there.
        self._call_minutes: dict[int, CallMinutes] = {}
        # Office id -> (read at, each line's arrival rate over the last hour): read again after
        # a minute (a minute's arrivals barely move an hour's rate; status pages share a read).
        self._arrivals: dict[int, tuple[datetime, dict[tuple[int, Line], float]]] = {}
        # Office id -> its waiting tickets today, caught up with its events at each forecast.
        self._waiting: dict[int, WaitingKept] = {}
        # Office id -> the queue of its writes' answers (`QueueViews._answer`).
        self._answering: dict[int, anyio.Lock] = {}

    def _forecast_turn(self, office_id: int) -> threading.RLock:
        """The lock of an office's committed forecast in this process."""
        return self._forecasting.setdefault(office_id, threading.RLock())

    async def _write(self, office_id: int, work: Callable[[OfficeTx], T]) -> T:
        return await self.work.run(office_id, work)

    def _committed(self, office_id: int, messages: Sequence[Event]) -> None:
        if any(isinstance(m, TicketChanged) and m.kind in CALL_END_KINDS for m in messages):
            calls = self._call_minutes.get(office_id)
            if calls is not None:
                self._call_minutes[office_id] = replace(calls, stale=True)

    async def _read(self, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.db.read() as session:
                return fn(session)

        return await anyio.to_thread.run_sync(run)
