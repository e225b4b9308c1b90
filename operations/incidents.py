"""The incident log: outages the system sees by itself (a restart after an unclean stop, the
database, the bus, a kiosk printer) and those staff record (power, network, equipment)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import anyio.to_thread
import sqlalchemy as sa
from sqlmodel import Session

from counter.bus import Bus, BusError
from counter.db import Database
from counter.models import Device
from operations import repository as repo
from operations.models import Incident, ServerRun
from operations.text import say_both
from printer.status import PRINTABLE_STATES, PrinterState

logger = logging.getLogger("saduak.operations")

HEARTBEAT_CHANNEL = "saduak.operations.heartbeat"
# Runs started by this process (several apps may share one process in tests and tools).
_OWN_RUNS: set[int] = set()
SYSTEM = "system"
STAFF = "staff"


def printer_is_down(state: str | None) -> bool:
    """A printer that cannot print a ticket; no printer at all is a choice, not an outage."""
    if state is None or state == PrinterState.NOT_CONFIGURED:
        return False
    return state not in PRINTABLE_STATES


def record_system_incident(
    session: Session, kind: str, started_at: datetime, ended_at: datetime | None, summary: str
) -> Incident:
    """A server-wide incident; an overlapping one of the same kind (seen by another app process)
    is extended instead of duplicated."""
    repo.serialise_incident_writes(session)
    existing = repo.overlapping_system_incident(session, kind, started_at, ended_at)
    if existing is not None:
        existing.started_at = min(existing.started_at, started_at)
        if existing.ended_at is not None:
            existing.ended_at = None if ended_at is None else max(existing.ended_at, ended_at)
        return existing
    incident = Incident(
        kind=kind,
        source=SYSTEM,
        started_at=started_at,
        ended_at=ended_at,
        summary=summary[:500],
        created_at=ended_at or started_at,
    )
    session.add(incident)
    return incident


def printer_state_changed(
    session: Session, device: Device, before: str | None, at: datetime
) -> None:
    """Listener of QueueService: opens an incident when a kiosk's printer stops printing and
    closes it when it prints again (one transaction with the state change)."""
    assert device.id is not None
    was_down, down = printer_is_down(before), printer_is_down(device.printer_state)
    if down and not was_down:
        session.add(
            Incident(
                office_id=device.office_id,
                kind="printer",
                source=SYSTEM,
                started_at=at,
                device_id=device.id,
                summary=f"{device.name}: {device.printer_state} {device.printer_detail or ''}"[
                    :500
                ].strip(),
                created_at=at,
            )
        )
    elif was_down and not down:
        incident = repo.open_printer_incident(session, device.id)
        if incident is not None:
            incident.ended_at = at


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Watch:
    """One per app process: its server run with a heartbeat, and outages of the database and the
    bus seen by that heartbeat. An outage is written once the database answers again."""

    def __init__(
        self,
        db: Database,
        bus: Bus,
        *,
        clock: Callable[[], datetime],
        interval: float = 30.0,
        host: str | None = None,
        pid: int | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.interval = interval
        self.host = (host or socket.gethostname())[:120]
        self.pid = pid if pid is not None else os.getpid()
        self.run_id: int | None = None
        self.db_down_since: datetime | None = None
        self.bus_down_since: datetime | None = None
        self._pending: list[tuple[str, datetime, datetime, str]] = []
        self.bus_lag_seconds: float | None = None
        self.last_beat: datetime | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        try:
            await anyio.to_thread.run_sync(self._begin)
        except sa.exc.SQLAlchemyError:
            # The app still starts (its health check says what is wrong); the run is registered
            # by the first heartbeat that reaches the database, with the outage it saw.
            logger.error("the database is not answering at start", exc_info=True)
            self.db_down_since = self.clock()
        self._tasks = [
            asyncio.create_task(self._loop(), name="saduak-heartbeat"),
            asyncio.create_task(self._listen(), name="saduak-heartbeat-listen"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(sa.exc.SQLAlchemyError):
            await anyio.to_thread.run_sync(self._end)

    def _is_dead(self, run: ServerRun, now: datetime) -> bool:
        if run.host == self.host:
            if run.pid == self.pid:
                # Our pid but not a run of this process: a container restarted with the same pid.
                return run.id not in _OWN_RUNS
            return not _pid_alive(run.pid)
        return run.beat_at < now - timedelta(seconds=3 * self.interval)

    def _begin(self) -> None:
        now = self.clock()
        with self.db.write() as session:
            repo.serialise_incident_writes(session)
            for run in repo.open_runs(session):
                if self._is_dead(run, now):
                    run.stopped_at, run.ended = run.beat_at, "unclean"
                    record_system_incident(
                        session,
                        "restart",
                        run.beat_at,
                        now,
                        say_both("unclean_stop", pid=run.pid, host=run.host),
                    )
            run = ServerRun(host=self.host, pid=self.pid, started_at=now, beat_at=now)
            session.add(run)
            session.flush()
            run_id = run.id
        # Only once committed: a failed commit leaves the run to be registered again.
        self.run_id = run_id
        if run_id is not None:
            _OWN_RUNS.add(run_id)
        self.last_beat = now

    def _end(self) -> None:
        if self.run_id is None:
            return
        now = self.clock()
        with self.db.write() as session:
            run = session.get(ServerRun, self.run_id)
            if run is not None:
                run.beat_at, run.stopped_at, run.ended = now, now, "clean"

    # ------------------------------------------------------------------ heartbeat

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.beat()
            except Exception:
                # The heartbeat must outlive any one failure; it is what notices failures.
                logger.exception("heartbeat failed")

    async def beat(self) -> None:
        """One heartbeat: publish on the bus, then write the run's time and any outage seen."""
        now = self.clock()
        try:
            await self.bus.publish(
                HEARTBEAT_CHANNEL,
                {"type": "heartbeat", "host": self.host, "pid": self.pid, "sent": time.time()},
            )
        except (BusError, OSError):
            if self.bus_down_since is None:
                logger.error("the event bus is not answering")
                self.bus_down_since = now
        else:
            if self.bus_down_since is not None:
                self._pending.append(("bus", self.bus_down_since, now, say_both("bus_down")))
                self.bus_down_since = None
        try:
            await anyio.to_thread.run_sync(self._write_beat, now)
        except sa.exc.SQLAlchemyError:
            if self.db_down_since is None:
                logger.error("the database is not answering", exc_info=True)
                self.db_down_since = now

    def _write_beat(self, now: datetime) -> None:
        if self.run_id is None:
            self._begin()
        pending = list(self._pending)
        if self.db_down_since is not None:
            pending.append(("database", self.db_down_since, now, say_both("database_down")))
        with self.db.write() as session:
            run = session.get(ServerRun, self.run_id)
            if run is not None:
                run.beat_at = now
            for kind, began, ended, summary in pending:
                record_system_incident(session, kind, began, ended, summary)
        self._pending, self.db_down_since, self.last_beat = [], None, now

    async def _listen(self) -> None:
        """Bus lag: how long this process's own heartbeat takes to come back from the bus."""
        while True:
            try:
                async with self.bus.subscribe(HEARTBEAT_CHANNEL) as subscription:
                    async for message in subscription:
                        if message.get("pid") == self.pid and message.get("host") == self.host:
                            self.bus_lag_seconds = max(0.0, time.time() - float(message["sent"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("heartbeat listener lost the bus; retrying", exc_info=True)
                await asyncio.sleep(self.interval)


# ---------------------------------------------------------------------- staff records


STAFF_KINDS = ("power", "network", "equipment", "printer", "other")
