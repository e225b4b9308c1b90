"""The outbox: messages to the outside world (a LINE push, a booking reminder), sent exactly once.

Whatever must leave the system once — never once per app process — is written as an `Outbox`
row, and one worker claims it, sends it and marks it. This is the print outbox's pattern
(counter.print_jobs) with the same claim step (`claim_lock`: `BEGIN IMMEDIATE` on SQLite, a
transaction-scoped advisory lock plus `FOR UPDATE SKIP LOCKED` on PostgreSQL), for messages
that, unlike a slip, are worth retrying:

- a row's `key` is unique: whoever decides a message is due (several processes may, after the
  same bus event) writes it with `add`, and only the first write counts;
- `claim` moves due rows (`queued`, `next_attempt_at` reached, before their `deadline_at`) to
  `sending` with a lease; a row whose lease ran out (its process died mid-send) is claimed again;
- `settle` marks it `sent`, or queues it again after a backoff, or — after `max_attempts`, or an
  answer that retrying cannot change — `failed`; a row past its deadline `expires` (a "three
  ahead" notice an hour late only misleads), and a subject's open rows can be `cancelled`
  (a citizen who stopped notifications);
- `OutboxWorker` runs the claims and sends in each app process, off the request path: a slow or
  failing receiver delays nothing but its own messages.

Slips keep their own rows and claim (counter.print_jobs): a printer prints one job at a time, a
kiosk's print agent acknowledges each job, and a late or interrupted slip is never printed again
by itself (the citizen has left the kiosk; staff reprint it), so retries and backoff would only
mislead. What both outboxes share is here, once: `claim_lock`, and the claim-and-deliver loop
`Worker`, which `OutboxWorker` and the kiosk's print worker (kiosk.printing) both are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from counter.db import Database
from counter.models import UTCDateTime

QUEUED, SENDING = "queued", "sending"
SENT, FAILED, EXPIRED, CANCELLED = "sent", "failed", "expired", "cancelled"
OPEN = (QUEUED, SENDING)
FINAL = (SENT, FAILED, EXPIRED, CANCELLED)

# pg_advisory_xact_lock key of outbox claims ("SADUAKOB" in ASCII).
OUTBOX_LOCK_KEY = 0x53414455414B4F42 & 0x7FFFFFFFFFFFFFFF
DEFAULT_MAX_ATTEMPTS = 5
# The first retry waits this long, each later one twice as long, at most MAX_BACKOFF.
FIRST_BACKOFF = timedelta(seconds=5)
MAX_BACKOFF = timedelta(minutes=2)
DEFAULT_LEASE = timedelta(seconds=60)


def _utc(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


class Outbox(SQLModel, table=True):
    """One message to send to the outside world: written where it was decided, sent by one
    worker, marked with what the receiver answered."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "channel", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    # Who sends it (a worker per channel): "line", …
    channel: str = Field(max_length=16)
    # Unique: the same decision taken twice (two processes, a replayed event) writes one row.
    key: str = Field(max_length=120, unique=True)
    # What it is about, to cancel a subject's open messages at once ("line-link:12").
    subject: str = Field(default="", max_length=64, index=True)
    # What kind of message it is, for reports ("near", "call", "survey", "reply", …).
    kind: str = Field(default="", max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON()))
    # queued -> sending -> sent | queued again (a retry) | failed; open past the deadline ->
    # expired; cancelled by its subject.
    status: str = Field(default=QUEUED, max_length=12)
    attempts: int = Field(default=0)
    max_attempts: int = Field(default=DEFAULT_MAX_ATTEMPTS)
    created_at: datetime = _utc()
    next_attempt_at: datetime = _utc()
    deadline_at: datetime = _utc()
    lease_until: datetime | None = _utc(nullable=True)
    owner: str | None = Field(default=None, max_length=64)
    finished_at: datetime | None = _utc(nullable=True)
    detail: str | None = Field(default=None, max_length=300)


@dataclass(frozen=True)
class Message:
    """A claimed row, as the sender sees it."""

    id: int
    office_id: int
    channel: str
    key: str
    subject: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    created_at: datetime


def _message(row: Outbox) -> Message:
    assert row.id is not None
    return Message(
        row.id,
        row.office_id,
        row.channel,
        row.key,
        row.subject,
        row.kind,
        dict(row.payload),
        row.attempts,
        row.max_attempts,
        row.created_at,
    )


@dataclass(frozen=True)
class Outcome:
    """What a send came to: `sent`; else `retry` says whether trying again could help."""

    sent: bool
    detail: str = ""
    retry: bool = True


def claim_lock(session: Session, key: int) -> None:
    """One claim at a time across processes, for this transaction only.

    SQLite: the write transaction began with BEGIN IMMEDIATE and already excludes every other
    writer. PostgreSQL: a transaction-scoped advisory lock on `key`."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def add(
    session: Session,
    *,
    office_id: int,
    channel: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    deadline: timedelta,
    subject: str = "",
    kind: str = "",
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message; False when a row with this key already exists (it was decided before)."""
    values = {
        "office_id": office_id,
        "channel": channel,
        "key": key[:120],
        "subject": subject,
        "kind": kind,
        "payload": payload,
        "status": QUEUED,
        "attempts": 0,
        "max_attempts": max_attempts,
        "created_at": now,
        "next_attempt_at": not_before or now,
        "deadline_at": (not_before or now) + deadline,
    }
    table = Outbox.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    return session.execute(statement).first() is not None


def claim(
    session: Session,
    channel: str,
    now: datetime,
    owner: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    limit: int = 20,
) -> list[Message]:
    """Due messages of a channel, now `sending` for `owner` (oldest first)."""
    claim_lock(session, OUTBOX_LOCK_KEY)
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.channel == channel,
            col(Outbox.deadline_at) > now,
            sa.or_(
                sa.and_(col(Outbox.status) == QUEUED, col(Outbox.next_attempt_at) <= now),
                # Its process died mid-send: the receiver may or may not have it; senders pass a
                # retry key where the receiver takes one, so it is never delivered twice.
                sa.and_(col(Outbox.status) == SENDING, col(Outbox.lease_until) <= now),
            ),
        )
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.status = SENDING
        row.attempts += 1
        row.owner = owner
        row.lease_until = now + lease
    session.flush()
    return [_message(row) for row in rows]


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`."""
    return min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


def settle(session: Session, message_id: int, outcome: Outcome, now: datetime) -> str | None:
    """Record a send's outcome; the row's new status (None when it was no longer being sent:
    cancelled or expired meanwhile)."""
    row = session.exec(select(Outbox).where(Outbox.id == message_id).with_for_update()).first()
    if row is None or row.status != SENDING:
        return None
    row.detail = outcome.detail[:300]
    row.owner = None
    row.lease_until = None
    if outcome.sent:
        row.status = SENT
        row.finished_at = now
    elif outcome.retry and row.attempts < row.max_attempts:
        row.status = QUEUED
        row.next_attempt_at = now + backoff(row.attempts)
    else:
        row.status = FAILED
        row.finished_at = now
    return row.status


def has_open(session: Session, channel: str) -> bool:
    """Whether the channel has anything queued or being sent (a read: the idle worker's check
    takes no write lock)."""
    found = session.exec(
        select(Outbox.id).where(Outbox.channel == channel, col(Outbox.status).in_(OPEN)).limit(1)
    ).first()
    return found is not None


def expire_overdue(session: Session, now: datetime) -> int:
    """Open messages past their deadline: no longer worth sending."""
    result = session.execute(
        sa.update(Outbox)
        .where(
            col(Outbox.status).in_(OPEN),
            col(Outbox.deadline_at) <= now,
            sa.or_(col(Outbox.status) == QUEUED, col(Outbox.lease_until) <= now),
        )
        .values(status=EXPIRED, finished_at=now, owner=None, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cancel(session: Session, subjects: Sequence[str], now: datetime) -> int:
    """Stop the queued messages of these subjects (one being sent finishes its attempt)."""
    if not subjects:
        return 0
    result = session.execute(
        sa.update(Outbox)
        .where(col(Outbox.subject).in_(subjects), col(Outbox.status) == QUEUED)
        .values(status=CANCELLED, finished_at=now, detail="cancelled")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def counts(
    session: Session, office_id: int, channel: str, since: datetime, until: datetime
) -> dict[tuple[str, str], int]:
    """(kind, status) -> number of messages written in [since, until)."""
    rows = session.execute(
        sa.select(col(Outbox.kind), col(Outbox.status), sa.func.count())
        .where(
            col(Outbox.office_id) == office_id,
            col(Outbox.channel) == channel,
            col(Outbox.created_at) >= since,
            col(Outbox.created_at) < until,
        )
        .group_by(col(Outbox.kind), col(Outbox.status))
    ).all()
    return {(kind, status): int(n) for kind, status, n in rows}


# ------------------------------------------------------------------ the worker

Sender = Callable[[Message], Awaitable[Outcome]]
Job = TypeVar("Job")


class Worker(Generic[Job]):
    """The one claim-and-deliver loop of every outbox in this process: messages (`OutboxWorker`)
    and slips (kiosk.printing.PrintWorker).

    Each turn claims what is due (`claim_due`, told how many deliveries may start) and starts a
    task per claimed job (`deliver`), off the request path: a slow receiver or printer delays
    nothing but its own jobs. `wake()` after writing a job starts a turn at once in this
    process; other processes' jobs are seen within `poll_seconds`. Claims never hand a job to
    two processes, so every process may run one."""

    def __init__(
        self,
        name: str,
        *,
        poll_seconds: float = 1.0,
        concurrency: int | None = None,
        wake_event: asyncio.Event | None = None,
    ) -> None:
        self.name = name
        self.poll_seconds = poll_seconds
        self.owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._concurrency = concurrency
        self._slots = asyncio.Semaphore(concurrency) if concurrency is not None else None
        self._wake = wake_event if wake_event is not None else asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._log = logging.getLogger(f"{__name__}.{name}")

    async def claim_due(self, free: int | None) -> list[Job]:
        """Claim what is due, at most `free` jobs (None: no limit)."""
        raise NotImplementedError

    async def deliver(self, job: Job) -> None:
        """Send or print one claimed job and record its outcome."""
        raise NotImplementedError

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"outbox-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except Exception:
                self._log.exception("outbox %s: claiming failed; trying again", self.name)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()

    async def run_once(self) -> int:
        """Claim what is due and start delivering it (as many as there are free slots).
        Returns how many deliveries were started."""
        free = None if self._concurrency is None else self._concurrency - len(self._tasks)
        jobs = await self.claim_due(free)
        for job in jobs:
            task = asyncio.create_task(self._deliver(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(jobs)

    async def drain(self) -> None:
        """Wait for the deliveries started so far (tests, shutdown)."""
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver(self, job: Job) -> None:
        if self._slots is None:
            await self.deliver(job)
            return
        async with self._slots:
            await self.deliver(job)


class OutboxWorker(Worker[Message]):
    """Claims and sends one channel's messages in this process, `concurrency` at a time."""

    def __init__(
        self,
        db: Database,
        channel: str,
        send: Sender,
        *,
        clock: Callable[[], datetime],
        concurrency: int = 4,
        poll_seconds: float = 1.0,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        super().__init__(channel, poll_seconds=poll_seconds, concurrency=concurrency)
        self.db = db
        self.channel = channel
        self.send = send
        self.clock = clock
        self.lease = lease

    async def claim_due(self, free: int | None) -> list[Message]:
        """Expire what is overdue, then claim what is due."""
        now = self.clock()
        assert free is not None  # this worker always has a concurrency

        def claim_due() -> list[Message]:
            with self.db.read() as session:
                if not has_open(session, self.channel):
                    return []
            with self.db.write() as session:
                expire_overdue(session, now)
                if free <= 0:
                    return []
                return claim(session, self.channel, now, self.owner, lease=self.lease, limit=free)

        return await anyio.to_thread.run_sync(claim_due)

    async def deliver(self, message: Message) -> None:
        try:
            outcome = await self.send(message)
        except Exception as exc:  # our bug, not the receiver's: keep it bounded anyway
            self._log.exception("outbox %s: sending %s failed", self.channel, message.id)
            outcome = Outcome(False, f"sender error: {exc!r}")
        now = self.clock()

        def record() -> str | None:
            with self.db.write() as session:
                return settle(session, message.id, outcome, now)

        try:
            status = await anyio.to_thread.run_sync(record)
        except Exception:
            # The lease runs out and the message is claimed again.
            self._log.exception("outbox %s: recording %s failed", self.channel, message.id)
            return
        if status == FAILED:
            self._log.warning(
                "outbox %s: %s %s failed after %d attempts: %s",
                self.channel,
                message.kind,
                message.id,
                message.attempts,
                outcome.detail,
            )
        elif status == QUEUED:
            self._log.info(
                "outbox %s: %s %s will be retried: %s",
                self.channel,
                message.kind,
                message.id,
                outcome.detail,
            )
        if status == SENT:
            self.wake()  # a free slot: anything else due
