"""The print outbox: every slip to print is a `PrintJob` row, claimed by exactly one process.

A kiosk's ticket and its print job are written in one transaction (`QueueService.issue_ticket`),
so a job exists exactly when its ticket does. Jobs live in one queue per printer and a queue
prints one job at a time, in order:

- a printer the server reaches itself (tcp, usb, serial, file) is printed by a worker of one
  server process: `claim_server_jobs` moves the oldest queued job of every idle queue to
  `printing` with a lease; a job whose lease ran out (its process died mid-job) is `failed`,
  never printed again by itself: the ticket stays "pending print" and a person reprints it;
- a printer behind a kiosk's print agent is served over the agent's WebSocket:
  `next_agent_job` moves one job at a time to `sent`; a `sent` job is sent again on the agent's
  next connection (same job id, which the agent remembers, so it never prints a job twice)
  until the agent acknowledges it;
- a job still queued (or sent and unacknowledged) at its deadline `expires`: the citizen was
  told to note the number and has left the kiosk, so a late slip would only mislead the next
  person.

The server's jobs are claimed and printed by the outbox's worker loop (`counter.outbox.Worker`,
as kiosk.printing.PrintWorker). Claims are serialised across processes
(`counter.outbox.claim_lock`, shared with the outbox of other messages): `BEGIN IMMEDIATE` on
SQLite, a transaction-scoped advisory lock on PostgreSQL, so "is this printer busy?" and "claim
its next job" are one atomic step. Candidate rows are read `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from counter.models import PrintJob
from counter.outbox import claim_lock

QUEUED, PRINTING, SENT = "queued", "printing", "sent"
PRINTED, FAILED, EXPIRED = "printed", "failed", "expired"
OPEN = (QUEUED, PRINTING, SENT)
FINAL = (PRINTED, FAILED, EXPIRED)

AGENT_QUEUE_PREFIX = "agent:"
# A slip not started (or, through an agent, not acknowledged) this long after it was asked for is
# not printed any more: the kiosk told the citizen to note the number, and the next person would
# take the slip. The ticket stays "pending print" and staff reprint it.
DEFAULT_DEADLINE = timedelta(seconds=30)
# pg_advisory_xact_lock key of print claims (any constant; "SADUAKPJ" in ASCII).
_CLAIM_LOCK_KEY = 0x53414455414B504A & 0x7FFFFFFFFFFFFFFF
_CANDIDATES = 500


def agent_queue(device_id: int) -> str:
    return f"{AGENT_QUEUE_PREFIX}{device_id}"


@dataclass(frozen=True)
class JobView:
    id: int
    office_id: int
    device_id: int
    ticket_id: int | None
    kind: str
    queue: str
    status: str
    state: str | None
    detail: str | None
    deadline_at: datetime


def view(job: PrintJob) -> JobView:
    assert job.id is not None
    return JobView(
        job.id,
        job.office_id,
        job.device_id,
        job.ticket_id,
        job.kind,
        job.queue,
        job.status,
        job.state,
        job.detail,
        job.deadline_at,
    )


def add(
    session: Session,
    *,
    office_id: int,
    device_id: int,
    queue: str,
    now: datetime,
    deadline: timedelta,
    ticket_id: int | None = None,
    kind: str = "ticket",
) -> PrintJob:
    job = PrintJob(
        office_id=office_id,
        device_id=device_id,
        ticket_id=ticket_id,
        kind=kind,
        queue=queue,
        status=QUEUED,
        created_at=now,
        deadline_at=now + deadline,
    )
    session.add(job)
    session.flush()
    return job


def get(session: Session, job_id: int) -> PrintJob | None:
    return session.get(PrintJob, job_id)


def _claim_lock(session: Session) -> None:
    claim_lock(session, _CLAIM_LOCK_KEY)


def has_open_jobs(session: Session) -> bool:
    """Whether any job waits, prints or is with an agent (an index lookup)."""
    found = session.exec(select(PrintJob.id).where(col(PrintJob.status).in_(OPEN)).limit(1))
    return found.first() is not None


def claim_server_jobs(
    session: Session, now: datetime, owner: str, lease: Callable[[str], timedelta]
) -> list[PrintJob]:
    """The next job of every idle server-attached queue, now `printing` for `owner`."""
    _claim_lock(session)
    busy = set(
        session.exec(
            select(PrintJob.queue).where(
                PrintJob.status == PRINTING, col(PrintJob.lease_until) > now
            )
        ).all()
    )
    candidates = session.exec(
        select(PrintJob)
        .where(
            PrintJob.status == QUEUED,
            col(PrintJob.deadline_at) > now,
            ~col(PrintJob.queue).startswith(AGENT_QUEUE_PREFIX),
        )
        .order_by(col(PrintJob.id))
        .limit(_CANDIDATES)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for job in candidates:
        if job.queue in busy:
            continue
        busy.add(job.queue)
        job.status = PRINTING
        job.owner = owner
        job.claimed_at = now
        job.lease_until = now + lease(job.queue)
        claimed.append(job)
    session.flush()
    return claimed


def next_agent_job(
    session: Session, device_id: int, now: datetime, owner: str, lease: timedelta
) -> PrintJob | None:
    """The job to send to a kiosk's agent on connection `owner`, or None.

    One job is out at a time. A `sent` job goes out again only to another connection, and only
    once its own connection has closed (`release_agent_jobs`) or its lease (the agent's longest
    print) has run out: the agent may have printed it and lost the connection before its
    acknowledgement arrived, and its journal answers for it. A job still held by a live
    connection is never sent twice."""
    _claim_lock(session)
    queue = agent_queue(device_id)
    out = session.exec(
        select(PrintJob)
        .where(PrintJob.queue == queue, PrintJob.status == SENT, col(PrintJob.deadline_at) > now)
        .order_by(col(PrintJob.id))
        .with_for_update()
    ).first()
    if out is not None:
        held = out.owner is not None and out.lease_until is not None and out.lease_until > now
        if out.owner == owner or held:
            return None  # waiting for its acknowledgement
        out.owner = owner
        out.claimed_at = now
        out.lease_until = now + lease
        return out
    job = session.exec(
        select(PrintJob)
        .where(PrintJob.queue == queue, PrintJob.status == QUEUED, col(PrintJob.deadline_at) > now)
        .order_by(col(PrintJob.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if job is None:
        return None
    job.status = SENT
    job.owner = owner
    job.claimed_at = now
    job.lease_until = now + lease
    session.flush()
    return job


def release_agent_jobs(session: Session, owner: str) -> None:
    """A connection closed: its unacknowledged job may go to the agent's next connection."""
    session.execute(
        sa.update(PrintJob)
        .where(col(PrintJob.status) == SENT, col(PrintJob.owner) == owner)
        .values(owner=None, lease_until=None)
    )


def finish(
    session: Session, job_id: int, *, printed: bool, state: str, detail: str, now: datetime
) -> PrintJob | None:
    """Record what the printer answered; None when there was nothing left to change.

    A slip on paper is the truth whatever the job's status was (e.g. acknowledged after it
    expired); a failure never overwrites a finished job."""
    job = session.exec(select(PrintJob).where(PrintJob.id == job_id).with_for_update()).first()
    if job is None or job.status == PRINTED or (not printed and job.status in FINAL):
        return None
    job.status = PRINTED if printed else FAILED
    job.state = state[:24]
    job.detail = detail[:300]
    job.finished_at = now
    job.lease_until = None
    return job


def expire_overdue(session: Session, now: datetime) -> list[PrintJob]:
    """Close jobs that can no longer print as the citizen expects; their tickets stay pending."""
    _claim_lock(session)
    overdue = session.exec(
        select(PrintJob)
        .where(
            sa.or_(
                sa.and_(col(PrintJob.status).in_((QUEUED, SENT)), col(PrintJob.deadline_at) <= now),
                sa.and_(col(PrintJob.status) == PRINTING, col(PrintJob.lease_until) <= now),
            )
        )
        .with_for_update(skip_locked=True)
    ).all()
    for job in overdue:
        if job.status == PRINTING:
            job.status = FAILED
            job.state = "unknown"
            job.detail = "printing was interrupted (the server stopped); reprint the ticket"
        else:
            job.status = EXPIRED
            job.state = "no_answer"
            job.detail = (
                "the kiosk's print agent did not acknowledge the slip in time"
                if job.queue.startswith(AGENT_QUEUE_PREFIX)
                else "the printer was busy until the slip was too late to print"
            )
        job.finished_at = now
        job.lease_until = None
    return list(overdue)


def open_jobs(session: Session, job_ids: Sequence[int]) -> set[int]:
    if not job_ids:
        return set()
    rows = session.exec(
        select(PrintJob.id).where(col(PrintJob.id).in_(job_ids), col(PrintJob.status).in_(OPEN))
    ).all()
    return {row for row in rows if row is not None}


class PrintSignals:
    """In-process wake-ups: a new job for a queue, a job finished. Other processes poll."""

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Event] = {}
        self._done: dict[int, asyncio.Event] = {}
        # Jobs finished lately, for a waiter that arrives after the fact.
        self._recent: deque[int] = deque(maxlen=1000)

    def queue_event(self, queue: str) -> asyncio.Event:
        return self._queues.setdefault(queue, asyncio.Event())

    def job_added(self, queue: str) -> None:
        self.queue_event(queue).set()
        if not queue.startswith(AGENT_QUEUE_PREFIX):
            self.queue_event("").set()  # the server worker watches every server queue

    def job_done(self, job_id: int) -> None:
        self._recent.append(job_id)
        event = self._done.pop(job_id, None)
        if event is not None:
            event.set()

    async def wait_done(self, job_id: int, seconds: float) -> bool:
        """True when the job finished in this process within `seconds`."""
        if job_id in self._recent:
            return True
        event = self._done.setdefault(job_id, asyncio.Event())
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
            return True
        except TimeoutError:
            return False
        finally:
            if self._done.get(job_id) is event and not event.is_set():
                del self._done[job_id]
