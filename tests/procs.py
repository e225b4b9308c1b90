"""Real OS processes for the multi-process tests, and the databases and audits they share.

Two things live here (servers are tests.live.LiveServer, `command=SADUAK_SERVE` for `saduak
serve`): queue workers that race on one database through QueueService in their own process (run
as `python -m tests.procs issue|call ...`, lined up behind a `Gate` so they all start at once);
and read-only audits of the database those processes leave behind (`Snapshot` and the *_problems
functions), which the tests assert to be empty.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from counter import repository as repo
from counter.auth import Role, StaffPrincipal, hash_password
from counter.bus import MemoryBus
from counter.db import Database, normalise_url
from counter.models import Counter, CounterEvent, CounterService, Office, Staff, Ticket, TicketEvent
from counter.queue.errors import IllegalTransition
from counter.queue.numbering import format_number
from counter.queue.states import AT_COUNTER_STATES, Action, TicketStatus, advance
from counter.seed import seed_demo
from counter.service import EVENT_KIND, QueueService

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The console script installed beside the interpreter running the tests (.venv/bin/saduak).
# One service of every prefix, two sharing A and two sharing B: numbers are per prefix, not
# per service, so those pairs draw from one sequence.
RACE_SERVICES = (
    "birth",
    "move_in",
    "id_card_renewal",
    "id_card_first",
    "marriage",
    "firearm_licence_intake",
    "complaint_intake",
)
EXTRA_STAFF_PASSWORD = "counter-race-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# ---------------------------------------------------------------------------- databases


@contextmanager
def fresh_database(
    kind: str, directory: Path, sqlite_template: Path | None = None
) -> Iterator[str]:
    """A new, migrated, empty database of `kind` ("sqlite" file or "postgres"), dropped after.
    A SQLite one is a copy of `sqlite_template` (the session's migrated file) when given: running
    the migrations costs seconds, a copy milliseconds."""
    from saduak import migrations
    from tests.conftest import create_pg_database, drop_pg_database, pg_url

    if kind == "sqlite":
        url = f"sqlite:///{directory / 'saduak.db'}"
        if sqlite_template is not None:
            shutil.copy(sqlite_template, directory / "saduak.db")
        else:
            migrations.upgrade(url)
        yield url
        return
    # No skip when the server is down: create_pg_database raises and the test errors.
    name = create_pg_database("saduak_procs")
    try:
        url = pg_url(name)
        migrations.upgrade(url)
        yield url
    finally:
        drop_pg_database(name)


@contextmanager
def copy_of_database(url: str, directory: Path) -> Iterator[str]:
    """A copy of a database nobody writes to (a seeded template), dropped after.

    Seeding hashes passwords with argon2 (about half a second each), so tests that need the same
    office start from copies of one seeded database instead of seeding their own."""
    from tests.conftest import PG_ADMIN_URL, drop_pg_database, pg_url

    source = make_url(normalise_url(url))
    assert source.database
    if source.get_backend_name() == "sqlite":
        target = directory / "copy.db"
        # The backup API copies a consistent database, whatever is still in its WAL file.
        with (
            closing(sqlite3.connect(source.database)) as src,
            closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
        yield f"sqlite:///{target}"
        return
    name = f"{source.database}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(normalise_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"')
            # As create_pg_database sets it: a copy does not take its template's settings.
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        engine.dispose()
    try:
        yield pg_url(name)
    finally:
        drop_pg_database(name)


@dataclass
class Staffing:
    """Who works where: counter number -> username, and every account's password."""

    office_id: int
    counters: dict[int, str]
    passwords: dict[str, str]


def seed_office(url: str, *, counters: int = 4) -> Staffing:
    """The demo office, with counters 5.. copying the services of 1.. when `counters` > 4, and
    one staff account per counter (`staffN` at counter N): a person can hold only one counter."""
    now = datetime.now(UTC)
    db = Database(url)
    try:
        with db.write() as session:
            passwords = seed_demo(session, now)
            assert passwords is not None, "the database was not empty"
            office = repo.office_by_code(session, "demo")
            assert office is not None and office.id is not None
            office_id = office.id
            originals = {c.number: c for c in repo.counters(session, office_id)}
            for number in range(len(originals) + 1, counters + 1):
                model = originals[(number - 1) % len(originals) + 1]
                assert model.id is not None
                copy = Counter(office_id=office_id, number=number, name=f"{model.name} ({number})")
                session.add(copy)
                session.flush()
                assert copy.id is not None
                for slot in repo.counter_services(session, model.id):
                    session.add(
                        CounterService(
                            counter_id=copy.id,
                            service_id=slot.service_id,
                            position=slot.position,
                            weight=slot.weight,
                        )
                    )
            # Hashing is deliberately slow: one hash serves every extra account.
            password_hash = hash_password(EXTRA_STAFF_PASSWORD)
            staffing = Staffing(office_id, {}, dict(passwords))
            for number in range(1, counters + 1):
                username = f"staff{number}"
                staffing.counters[number] = username
                if username not in passwords:
                    session.add(
                        Staff(
                            office_id=office_id,
                            username=username,
                            display_name=f"เจ้าหน้าที่ {number}",
                            role=Role.STAFF.value,
                            password_hash=password_hash,
                            created_at=now,
                        )
                    )
                    staffing.passwords[username] = EXTRA_STAFF_PASSWORD
        return staffing
    finally:
        db.dispose()


# ---------------------------------------------------------------------------- queue workers


class Gate:
    """A start line in a directory: workers report ready, then all leave at the same moment.

    Files rather than a multiprocessing barrier, so any process (however it was started) can take
    part, and a worker that dies shows up as a missing file instead of a hang."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def arrive(self, name: str) -> None:
        (self.directory / f"ready.{name}").touch()

    def wait_open(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not (self.directory / "go").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the start gate never opened")
            time.sleep(0.001)

    def open_when_ready(self, workers: Sequence[Worker], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for worker in workers:
            while not (self.directory / f"ready.{worker.name}").exists():
                if worker.process.poll() is not None:
                    raise AssertionError(f"{worker.name} died before the start:\n{worker.log()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"{worker.name} never got ready:\n{worker.log()}")
                time.sleep(0.01)
        (self.directory / "go").touch()

    def end_issuing(self) -> None:
        (self.directory / "issued").touch()

    def issuing_ended(self) -> bool:
        return (self.directory / "issued").exists()


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    out: Path
    log_path: Path

    def log(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def result(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out.read_text())
        return data

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def spawn_worker(name: str, role: str, args: Sequence[str], directory: Path) -> Worker:
    """`python -m tests.procs ROLE ...` as a child process (forked from the test process's
    forker, tests.prefork), its output in `directory`."""
    from tests.prefork import shared_forker

    out = directory / f"{name}.json"
    log_path = directory / f"{name}.log"
    command = [sys.executable, "-m", "tests.procs", role, "--name", name, "--out", str(out)]
    process = shared_forker().spawn(
        [*command, *args], cwd=PROJECT_ROOT, env=dict(os.environ), log=log_path, append=False
    )
    return Worker(name, process, out, log_path)  # type: ignore[arg-type]


def wait_all(workers: Sequence[Worker], deadline: float) -> None:
    """Wait for every worker to exit 0 before the monotonic `deadline`; the log shows if not."""
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{worker.name} still running at the deadline:\n{worker.log()}"
            ) from None
        assert worker.process.returncode == 0, f"{worker.name} failed:\n{worker.log()}"


async def _start(args: argparse.Namespace) -> tuple[Database, QueueService, Gate]:
    db = Database(args.db)
    assert db.ping(), f"cannot reach {args.db}"
    bus = MemoryBus()
    await bus.start()
    return db, QueueService(db, bus), Gate(Path(args.gate))


async def _issue(args: argparse.Namespace) -> dict[str, Any]:
    """Issue `count` tickets as fast as possible, rotating over the given services."""
    db, queue, gate = await _start(args)
    services = args.services.split(",")
    gate.arrive(args.name)
    gate.wait_open()
    began = time.perf_counter()
    issued = []
    for i in range(args.count):
        # Now and then an elderly citizen, so counters also choose between the two lines.
        priority = "elderly" if i % 7 == 3 else None
        view = await queue.issue_ticket(
            args.office, services[(i + args.offset) % len(services)], priority
        )
        issued.append({"id": view.id, "number": view.number, "service": view.service})
    db.dispose()
    return {"issued": issued, "seconds": time.perf_counter() - began}


async def _call(args: argparse.Namespace) -> dict[str, Any]:
    """Drive counters until issuing has ended and none of them finds anybody waiting.

    Each called ticket is started at once; every third is finished explicitly, the others by the
    next call-next (which finishes the one being served, even when it then finds nobody)."""
    db, queue, gate = await _start(args)
    actors: dict[int, StaffPrincipal] = {}
    with db.read() as session:
        for spec in args.counters.split(","):
            number, username = spec.split("=")
            staff = repo.staff_by_username(session, username)
            assert staff is not None and staff.id is not None, username
            actors[int(number)] = StaffPrincipal(
                staff.id, staff.office_id, staff.username, staff.display_name, Role(staff.role)
            )
    gate.arrive(args.name)
    gate.wait_open()
    began = time.perf_counter()
    calls = []
    empty_calls = 0
    while True:
        # Read before the pass: a pass that finds nobody after issuing ended is final.
        issuing_ended = gate.issuing_ended()
        found = False
        for number, actor in actors.items():
            view = await queue.call_next(actor, number)
            if view is None:
                empty_calls += 1
                continue
            found = True
            calls.append({"ticket_id": view.id, "number": view.number, "counter": number})
            await queue.act(actor, view.id, Action.START)
            if len(calls) % 3 == 0:
                await queue.act(actor, view.id, Action.FINISH)
        if not found:
            if issuing_ended:
                break
            await asyncio.sleep(0.02)
    for number, actor in actors.items():
        await queue.close_counter(actor, number)
    db.dispose()
    return {"calls": calls, "empty_calls": empty_calls, "seconds": time.perf_counter() - began}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.procs")
    parser.add_argument("role", choices=["issue", "call"])
    parser.add_argument("--name", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--gate", required=True)
    parser.add_argument("--office", type=int, default=1)
    parser.add_argument("--services", default=",".join(RACE_SERVICES))
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--counters", default="", help="NUMBER=USERNAME,...")
    args = parser.parse_args(argv)
    work = _issue if args.role == "issue" else _call
    result = asyncio.run(work(args))
    Path(args.out).write_text(json.dumps(result))


# ---------------------------------------------------------------------------- audits

# The events that move a ticket between states; every other kind (the second half of a transfer,
# printing, ...) is logged without a change of state and does not count in the replay.
KIND_ACTION: dict[str, Action] = {kind: action for action, kind in EVENT_KIND.items()}


@dataclass
class Snapshot:
    """Everything one office has in the database, read in one transaction."""

    office: Office
    counters: dict[int, Counter]
    tickets: dict[int, Ticket]
    events: list[TicketEvent]
    counter_events: list[CounterEvent]
    by_ticket: dict[int, list[TicketEvent]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for event in self.events:
            self.by_ticket.setdefault(event.ticket_id, []).append(event)

    def counter_number(self, counter_id: int | None) -> int | None:
        return self.counters[counter_id].number if counter_id is not None else None

    def calls_of(self, ticket_id: int) -> list[TicketEvent]:
        return [e for e in self.by_ticket.get(ticket_id, []) if e.kind == "called"]

    def last_seq_no(self, prefix: str) -> int:
        return max((t.seq_no for t in self.tickets.values() if t.prefix == prefix), default=0)


def snapshot(url: str, office_id: int = 1) -> Snapshot:
    db = Database(url)
    try:
        with db.read() as session:
            office = session.get(Office, office_id)
            assert office is not None
            return Snapshot(
                office=office,
                counters={c.id: c for c in repo.counters(session, office_id) if c.id is not None},
                tickets={
                    t.id: t
                    for t in session.exec(select(Ticket).where(Ticket.office_id == office_id))
                    if t.id is not None
                },
                events=list(
                    session.exec(
                        select(TicketEvent)
                        .where(TicketEvent.office_id == office_id)
                        .order_by(col(TicketEvent.seq))
                    )
                ),
                counter_events=list(repo.counter_events(session, office_id)),
            )
    finally:
        db.dispose()


def numbering_problems(snap: Snapshot) -> list[str]:
    """Numbers are unique and run 1..N without a gap per (office, business day, prefix)."""
    problems = []
    lines: dict[tuple[int, Any, str], list[int]] = defaultdict(list)
    for t in snap.tickets.values():
        lines[(t.office_id, t.business_day, t.prefix)].append(t.seq_no)
        if t.number != format_number(t.prefix, t.seq_no):
            problems.append(f"ticket {t.id}: number {t.number} but seq_no {t.seq_no}")
    for key, numbers in lines.items():
        repeated = sorted(n for n, k in Tally(numbers).items() if k > 1)
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        if repeated or missing:
            problems.append(f"{key}: repeated {repeated}, missing {missing}")
    return problems


def event_seq_problems(snap: Snapshot) -> list[str]:
    """Ticket and counter events share one office sequence: 1..office.event_seq, each once."""
    seqs = [e.seq for e in snap.events] + [e.seq for e in snap.counter_events]
    repeated = sorted(s for s, k in Tally(seqs).items() if k > 1)
    expected = set(range(1, snap.office.event_seq + 1))
    missing = sorted(expected - set(seqs))
    beyond = sorted(set(seqs) - expected)
    if repeated or missing or beyond:
        return [
            f"event seq up to {snap.office.event_seq}: repeated {repeated[:20]}, "
            f"missing {missing[:20]}, beyond the office counter {beyond[:20]}"
        ]
    # Seq order is commit order and every write reads the clock after taking the office lock,
    # so the times of the log never run backwards.
    stamped = sorted(
        [(e.seq, e.at) for e in snap.events] + [(e.seq, e.at) for e in snap.counter_events]
    )
    return [
        f"event {a[0]} at {a[1]} is later than event {b[0]} at {b[1]}"
        for a, b in itertools.pairwise(stamped)
        if a[1] > b[1]
    ][:20]


def history_problems(snap: Snapshot) -> list[str]:
    """Replaying each ticket's events through the transition table gives its stored state, and a
    ticket at (or served at) a counter names the counter that called it."""
    problems = []
    for t in snap.tickets.values():
        events = snap.by_ticket.get(t.id or 0, [])
        if not events or events[0].kind != "issued":
            problems.append(f"{t.number}: history does not start with issued: {events[:1]}")
            continue
        state, counter_id = TicketStatus.WAITING, None
        for event in events[1:]:
            action = KIND_ACTION.get(event.kind)
            if action is None:
                continue
            try:
                state = advance(t.number, state, action)
            except IllegalTransition:
                problems.append(f"{t.number}: {event.kind} (seq {event.seq}) after {state}")
                break
            if action is Action.CALL:
                counter_id = event.counter_id
            if state == TicketStatus.WAITING:
                counter_id = None
        if state != t.status:
            problems.append(f"{t.number}: stored {t.status} but its events end in {state}")
        if t.counter_id != counter_id:
            problems.append(
                f"{t.number}: stored at counter {snap.counter_number(t.counter_id)} but called "
                f"at counter {snap.counter_number(counter_id)}"
            )
        if TicketStatus(t.status) in AT_COUNTER_STATES and t.counter_id is None:
            problems.append(f"{t.number}: {t.status} at no counter")
    return problems


def audit(snap: Snapshot) -> list[str]:
    return numbering_problems(snap) + event_seq_problems(snap) + history_problems(snap)


if __name__ == "__main__":
    main()
