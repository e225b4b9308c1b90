"""How the cost of the queue's steps grows with the waiting line and with the history.

What it measures: call-next and issue latency over HTTP (p50, p99), and the display snapshot's
read time, with a waiting line of 10, 100 and 1,000 tickets, on an office without history and on
one with a year of it (`saduak demo --history 365`: saduak.history.seed_history, about 18,000
tickets and their events). Issue 11's target: the largest case within 1.5x the smallest, for each
step: no step may scan the line or the history.

How: two databases, each migrated and seeded with the demo office (bench.http_queue.seed), one of
them also with the year of history, each behind its own `saduak serve` process (one uvicorn
process, in-memory bus). For each line length, today's tickets of both are replaced by a fresh
line of that many waiting tickets (rows and `issued` events written directly, spread over the
services counter 1 calls; the numbers of a prefix stop at 999 a day, so 1,000 needs two prefixes),
then in --rounds rounds, each server in turn (the order flips every round, so both meet the same
background load): issue one ticket of those services (timed), call-next at counter 1 (timed),
start the called ticket (untimed; the next call-next finishes it), and read the display snapshot
in this process (displays.snapshot.read_snapshot, timed, as the display feed reads it for a
screen that connects). One issue and one call per round keep the line at its length. The history
office's cases are compared with the empty office's smallest case, measured in the same turns.

Reproduce:

    .venv/bin/python -m bench.cost_growth                       # about 3 minutes on SQLite
    .venv/bin/python -m bench.cost_growth --rounds 40 --lines 10 1000
    .venv/bin/python -m bench.cost_growth --db postgres

Reported, not enforced: this is a measurement, not a test. A loaded machine inflates every
figure; the turns keep the ratios comparable, and the load average is noted with each case.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col, select

from bench.http_queue import (
    PREFIX_OF,
    SERVICES_OF_COUNTER,
    Server,
    client_for,
    fresh_database,
    login,
    rotation,
    running_server,
    seed,
    write_json,
)
from bench.machine import Run, percentile
from counter.db import Database
from counter.models import Office, Service, Ticket, TicketEvent
from counter.queue.numbering import MAX_DAILY_NUMBER, format_number
from counter.queue.states import TicketStatus
from counter.service import local_day
from displays.settings import DisplaySettings
from displays.snapshot import read_snapshot
from displays.voice import VoiceOptions
from saduak import migrations
from saduak.history import seed_history

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "cost_growth.json"
TARGET_RATIO = 1.5
HISTORY_DAYS = 365
LINES = (10, 100, 1000)
COUNTER = 1
STAFF = "staff1"
POOL = rotation(SERVICES_OF_COUNTER[COUNTER])
STEPS = ("issue", "call_next", "snapshot")


# ------------------------------------------------------------------ the databases


@dataclass
class Site:
    """One database, its server, and what the benchmark needs to drive it."""

    name: str
    url: str
    history_days: int
    server: Server
    db: Database
    office_id: int
    token: str = ""
    history_tickets: int = 0
    latencies: dict[str, list[float]] = field(default_factory=dict)


def prepare(url: str, history_days: int) -> tuple[dict[str, str], int]:
    """Migrate, seed the demo office, add the history; returns the passwords and its tickets."""
    migrations.upgrade(url)
    passwords = seed(url)
    if not history_days:
        return passwords, 0
    db = Database(url)
    try:
        with db.read() as session:
            office = session.exec(select(Office).where(Office.code == "demo")).one()
        made = seed_history(db, office.id or 0, history_days, datetime.now(UTC))
        return passwords, made.tickets
    finally:
        db.dispose()


def set_line(db: Database, office_id: int, length: int) -> int:
    """Replace today's tickets of the office by `length` waiting ones; returns the deleted count.

    Written directly (rows and their `issued` events, as issue_ticket writes them), because
    issuing 1,000 tickets over HTTP on a loaded machine takes minutes. Today's earlier tickets
    go (with their events) rather than moving to another day: the history office has every
    past working day numbered already, and the empty office must stay without history.
    """
    now = datetime.now(UTC)
    with db.write() as session:
        office = session.get(Office, office_id)
        assert office is not None
        today = local_day(now, office.timezone)
        mine = sa.and_(col(Ticket.office_id) == office_id, col(Ticket.business_day) == today)
        ids = sa.select(col(Ticket.id)).where(mine).scalar_subquery()
        session.execute(sa.delete(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids)))
        deleted = session.execute(sa.delete(Ticket).where(mine))
        services = {
            s.code: s
            for s in session.exec(select(Service).where(Service.office_id == office_id)).all()
        }
        numbers: dict[str, int] = {}
        tickets = []
        for i in range(length):
            service = services[POOL[i % len(POOL)]]
            assert service.id is not None
            seq_no = numbers[service.prefix] = numbers.get(service.prefix, 0) + 1
            if seq_no > MAX_DAILY_NUMBER:
                raise SystemExit(f"a line of {length} needs more than 999 numbers of a prefix")
            at = now - timedelta(seconds=length - i)
            tickets.append(
                Ticket(
                    office_id=office_id,
                    service_id=service.id,
                    business_day=today,
                    prefix=service.prefix,
                    seq_no=seq_no,
                    number=format_number(service.prefix, seq_no),
                    status=TicketStatus.WAITING,
                    token=os.urandom(12).hex(),
                    issued_at=at,
                    queued_at=at,
                )
            )
        session.add_all(tickets)
        session.flush()
        for ticket in tickets:
            office.event_seq += 1
            session.add(
                TicketEvent(
                    office_id=office_id,
                    seq=office.event_seq,
                    ticket_id=ticket.id or 0,
                    kind="issued",
                    at=ticket.issued_at,
                    service_id=ticket.service_id,
                    transaction_no=ticket.transaction_no,
                )
            )
        return int(getattr(deleted, "rowcount", 0))


def office_id_of(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as session:
            office = session.exec(select(Office).where(Office.code == "demo")).one()
            return office.id or 0
    finally:
        db.dispose()


# ------------------------------------------------------------------ one round


async def round_on(office: Site, client: httpx.AsyncClient, k: int, snap: dict[str, Any]) -> None:
    """Issue one ticket, call the next one at counter 1, start it, read the snapshot."""
    service = POOL[k % len(POOL)]
    began = time.perf_counter()
    issued = await client.post("/api/v1/tickets", json={"service": service})
    took = time.perf_counter() - began
    if issued.status_code != 201:
        raise RuntimeError(f"issue: {issued.status_code} {issued.text}")
    office.latencies["issue"].append(took)
    began = time.perf_counter()
    called = await client.post(f"/api/v1/counters/{COUNTER}/call-next")
    took = time.perf_counter() - began
    if called.status_code != 200:
        raise RuntimeError(f"call-next: {called.status_code} {called.text}")
    office.latencies["call_next"].append(took)
    started = await client.post(f"/api/v1/tickets/{called.json()['id']}/start")
    if started.status_code != 200:
        raise RuntimeError(f"start: {started.status_code} {started.text}")
    began = time.perf_counter()
    state = read_snapshot(office.db, office.office_id, datetime.now(UTC), **snap)
    office.latencies["snapshot"].append(time.perf_counter() - began)
    assert state is not None


def summary(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)

    def ms(q: float) -> float | None:
        value = percentile(ordered, q)
        return None if value is None else round(value * 1000, 2)

    return {"n": len(ordered), "p50_ms": ms(0.5), "p99_ms": ms(0.99), "max_ms": ms(1.0)}


async def measure_line(
    offices: list[Site], length: int, rounds: int, snap: dict[str, Any]
) -> list[dict[str, Any]]:
    for office in offices:
        set_line(office.db, office.office_id, length)
        office.latencies = {step: [] for step in STEPS}
    clients = [client_for(o.server.base_url, o.token) for o in offices]
    try:
        # Warm-up, untimed: the connections, the token caches, counter 1 opened.
        for office, client in zip(offices, clients, strict=True):
            await round_on(office, client, 0, snap)
            office.latencies = {step: [] for step in STEPS}
        load0 = os.getloadavg()[0]
        for k in range(rounds):
            order = list(zip(offices, clients, strict=True))
            for office, client in order if k % 2 == 0 else order[::-1]:
                await round_on(office, client, k, snap)
        load1 = os.getloadavg()[0]
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    rows = []
    for office in offices:
        with office.db.read() as session:
            row = session.get(Office, office.office_id)
            assert row is not None
            today = local_day(datetime.now(UTC), row.timezone)
            waiting = session.execute(
                sa.select(sa.func.count())
                .select_from(Ticket)
                .where(
                    col(Ticket.office_id) == office.office_id,
                    col(Ticket.business_day) == today,
                    col(Ticket.status) == TicketStatus.WAITING,
                )
            ).scalar_one()
        rows.append(
            {
                "office": office.name,
                "history_days": office.history_days,
                "history_tickets": office.history_tickets,
                "line": length,
                "line_at_end": int(waiting),
                "load_1min": [round(load0, 1), round(load1, 1)],
                **{step: summary(office.latencies[step]) for step in STEPS},
            }
        )
    return rows


async def run_rounds(
    offices: list[Site], passwords: dict[str, dict[str, str]], args: argparse.Namespace
) -> list[dict[str, Any]]:
    for office in offices:
        office.token = await login(office.server.base_url, passwords[office.name], STAFF)
    settings = DisplaySettings()
    snap = {"last_calls": settings.last_calls, "voice": VoiceOptions()}
    rows: list[dict[str, Any]] = []
    for length in args.lines:
        measured = await measure_line(offices, length, args.rounds, snap)
        for row in measured:
            print(
                f"  {row['office']:<8} line {length:>5}: "
                + ", ".join(
                    f"{step} p50 {row[step]['p50_ms']} p99 {row[step]['p99_ms']} ms"
                    for step in STEPS
                )
                + f" (load {row['load_1min'][1]})",
                flush=True,
            )
        rows += measured
    return rows


def ratios(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each step's p99 (and p50) in the largest case over the smallest."""
    smallest = min(rows, key=lambda r: (r["history_days"], r["line"]))
    largest = max(rows, key=lambda r: (r["history_days"], r["line"]))
    out: dict[str, Any] = {
        "smallest": {"history_days": smallest["history_days"], "line": smallest["line"]},
        "largest": {"history_days": largest["history_days"], "line": largest["line"]},
        "target": TARGET_RATIO,
    }
    for step in STEPS:
        p99 = (largest[step]["p99_ms"] or 0) / (smallest[step]["p99_ms"] or 1)
        p50 = (largest[step]["p50_ms"] or 0) / (smallest[step]["p50_ms"] or 1)
        out[step] = {"p99_ratio": round(p99, 2), "p50_ratio": round(p50, 2)}
        out[step]["met"] = p99 <= TARGET_RATIO
    return out


def table(rows: list[dict[str, Any]], verdict: dict[str, Any]) -> str:
    head = (
        f"{'history':>8} {'line':>5} | {'issue p50':>9} {'p99':>7} | {'call p50':>8} {'p99':>7}"
        f" | {'snap p50':>8} {'p99':>7} | load"
    )
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: (r["history_days"], r["line"])):
        lines.append(
            f"{r['history_tickets']:>8} {r['line']:>5} | {r['issue']['p50_ms']:>9} "
            f"{r['issue']['p99_ms']:>7} | {r['call_next']['p50_ms']:>8} "
            f"{r['call_next']['p99_ms']:>7} | {r['snapshot']['p50_ms']:>8} "
            f"{r['snapshot']['p99_ms']:>7} | {r['load_1min'][1]}"
        )
    lines.append("history: tickets in the office's past days; times in ms.")
    for step in STEPS:
        v = verdict[step]
        lines.append(
            f"{'MET   ' if v['met'] else 'MISSED'} {step}: largest / smallest p99 {v['p99_ratio']}"
            f" (p50 {v['p50_ratio']}), target <= {TARGET_RATIO}"
        )
    return "\n".join(lines)


@contextmanager
def offices_running(kind: str, workdir: Path) -> Iterator[tuple[list[Site], dict[str, Any]]]:
    with ExitStack() as stack:
        offices: list[Site] = []
        passwords: dict[str, dict[str, str]] = {}
        for name, days in (("empty", 0), ("year", HISTORY_DAYS)):
            place = workdir / name
            place.mkdir()
            url = stack.enter_context(fresh_database(kind, place))
            began = time.perf_counter()
            passwords[name], tickets = prepare(url, days)
            print(f"{kind} {name}: prepared in {time.perf_counter() - began:.0f}s", flush=True)
            server = stack.enter_context(running_server(url, place))
            db = Database(url)
            stack.callback(db.dispose)
            offices.append(Site(name, url, days, server, db, office_id_of(url)))
            offices[-1].history_tickets = tickets
        yield offices, passwords


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.cost_growth",
        description="Call-next, issue and display snapshot cost as the line and history grow.",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=150, help="rounds per line (default 150)")
    parser.add_argument("--lines", type=int, nargs="+", default=list(LINES))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    prefixes = len({PREFIX_OF[s] for s in POOL})
    if max(args.lines) + args.rounds + 5 > MAX_DAILY_NUMBER * prefixes:
        parser.error(f"a line plus the rounds may use {MAX_DAILY_NUMBER * prefixes} numbers")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = Run.start("cost_growth", argv)
    workdir = Path(tempfile.mkdtemp(prefix="saduak-cost-growth-"))
    try:
        with offices_running(args.db, workdir) as (offices, passwords):
            rows = asyncio.run(run_rounds(offices, passwords, args))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    verdict = ratios(rows)
    print()
    print(table(rows, verdict))
    payload = {
        **run.header(),
        "settings": {
            "db": args.db,
            "rounds": args.rounds,
            "lines": args.lines,
            "history_days": HISTORY_DAYS,
            "server": "saduak serve (1 uvicorn process, in-memory bus, access log on)",
        },
        "verdict": verdict,
        "rows": rows,
    }
    write_json(args.out, payload)
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
