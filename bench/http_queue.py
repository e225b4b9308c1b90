"""HTTP benchmark of the queue: ticket issuing throughput and call-next latency, on a real server.

What it measures, per database (SQLite and/or PostgreSQL):

(a) issue: POST /api/v1/tickets with a staff bearer token, by 1, 4 and 16 concurrent clients
    (each its own keep-alive connection): tickets issued per second and request latency.
(b) call-next: 1 counter, then 4 counters at once, each worked by its own staff member over its
    own connection, looping POST /api/v1/counters/{n}/call-next then POST /api/v1/tickets/{id}/start
    (the next call-next finishes the served ticket, as at a real counter). Only the call-next
    request is timed; throughput is calls per second over all counters.

How: a fresh database (a SQLite file in a temp dir, or a new PostgreSQL database, dropped at the
end), migrated with saduak.migrations.upgrade and seeded with the demo office
(counter.seed.seed_demo) plus staff3 and staff4, so each of the 4 counters has its own staff
member. Then one real server process, `saduak serve --port PORT` (one uvicorn process, in-memory
bus, access log on, as deployed) with SADUAK_DATABASE_URL set, is driven over loopback by async
httpx clients in this process.

Each phase runs on an empty business day (see start_new_day: the earlier phases' tickets are filed
under past days and stay in the tables as history), because ticket numbers run out at 999 per
prefix and day. Each phase stops after --seconds or its request bound, whichever comes first,
after one untimed warm-up request per client. Before a call-next phase, --max-calls tickets (plus
slack) are issued over HTTP, untimed, so no counter runs dry; the table shows that backlog, which
matters: a call-next reads every waiting ticket of its counter's services.

(c) the floor, in the same run (issue 11): bench.http_floor, a bare Starlette app under the same
    uvicorn with the same settings, on the same database, that runs the same SQL statements as the
    app for each request (written by hand from the statements the app sent, captured with a
    SQLAlchemy `before_cursor_execute` hook; see that module) through the database's own driver,
    in one transaction. Each phase of (a) and (b) runs on both, with the same clients, in turns
    (--slices, the order flipping each turn) so that both meet the same background load; the
    report gives app / floor for p99 and for throughput. Targets: p99 <= 2x the floor, throughput
    >= 50 % of the floor's, for issue (16 clients) and call-next (4 counters). A phase's
    --max-requests are shared by those taking turns; --max-calls is each one's.
(d) the floor inside the app's web stack (`bench.http_floor --stack`), a third in the turns: the
    same endpoints served by Saduak's own app, so through its middleware and FastAPI's routing,
    with nothing of the app's own work. It tells the app's gap to the floor apart: the web stack
    every request crosses (floor -> stack), and the app's work (stack -> app: authentication,
    validation, the ORM's unit of work, events, and for issue the forecast its answer carries).
    --no-stack-floor leaves it out.

Latencies are client-side wall times (p50/p90/p99 by nearest rank). CPU columns are CPU time over
the phase's wall time, in % of one core: the server process (one process can use about one core,
because of the GIL), this load generator, and everything else on the machine. The load generator
shares the machine with the server, so the figures are a floor; when "other" is high, another
job competed for the CPUs and the run should be repeated on a quiet machine.

Reproduce (PostgreSQL at 127.0.0.1:5432, user postgres, trust auth; else set SADUAK_BENCH_PG_URL
to an admin URL of a server where databases may be created):

    .venv/bin/python -m bench.http_queue                      # both databases, about 4 minutes
    .venv/bin/python -m bench.http_queue --db sqlite --seconds 5 --out /tmp/http_queue.json

Targets (product): call-next p99 < 25 ms with 4 counters on SQLite; >= 300 issued tickets/s on
one process (the best of the client counts). Both are checked and reported for each database;
missing one does not fail the run (this is a measurement, not a test).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter as Tally
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col

from bench.machine import Run, machine_busy_cpu_seconds, percentile, process_cpu_seconds
from counter import repository as repo
from counter.auth import Role, hash_password, new_password
from counter.db import Database
from counter.models import Staff, Ticket, TicketEvent
from counter.queue.numbering import MAX_DAILY_NUMBER
from counter.queue.states import OPEN_STATES, TicketStatus
from counter.seed import DEMO_COUNTERS, catalogue, seed_demo
from counter.service import local_day
from saduak import migrations

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "http_queue.json"
PG_ADMIN_URL = os.environ.get(
    "SADUAK_BENCH_PG_URL",
    os.environ.get("SADUAK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
)

ISSUE_CLIENTS = (1, 4, 16)
CALL_COUNTERS = (1, 4)
# Counter n is worked by staff n; staff1 also issues the tickets (any staff member may).
COUNTER_STAFF = {1: "staff1", 2: "staff2", 3: "staff3", 4: "staff4"}
ISSUER = "staff1"
PRE_ISSUE_CLIENTS = 4

TARGET_CALL_P99_MS = 25.0
TARGET_ISSUE_PER_S = 300.0
# Issue 11: the app against its floor, same run.
TARGET_FLOOR_P99 = 2.0
TARGET_FLOOR_RATE = 0.5
# Above this much CPU (in % of one core) used by other processes during a phase, warn.
BUSY_MACHINE_PCT = 25.0


# ------------------------------------------------------------------ which services to issue


def _services_by_counter() -> dict[int, set[str]]:
    by_group: dict[str, set[str]] = {}
    for item in catalogue():
        by_group.setdefault(item.group, set()).add(item.code)
    return {
        number: set().union(*(by_group[g] for g in groups)) for number, _, groups in DEMO_COUNTERS
    }


PREFIX_OF = {item.code: item.prefix for item in catalogue()}


def rotation(services: set[str] | list[str]) -> list[str]:
    """Services in an order that spreads tickets evenly over the number prefixes.

    Numbers run to 999 per prefix and business day, so an even spread lets a day (a phase) take
    up to 999 tickets per prefix used: 4995 over the demo office's five prefixes A-E.
    """
    by_prefix: dict[str, list[str]] = {}
    for code in sorted(services):
        by_prefix.setdefault(PREFIX_OF[code], []).append(code)
    rounds = math.lcm(*(len(codes) for codes in by_prefix.values()))
    return [by_prefix[p][i % len(by_prefix[p])] for i in range(rounds) for p in sorted(by_prefix)]


SERVICES_OF_COUNTER = _services_by_counter()
# Counters 1-2 share one set of lines (civil registration A, ID cards B), 3-4 the other (family C,
# licensing D, Damrongtham E).
POOL_LOW = rotation(SERVICES_OF_COUNTER[1] | SERVICES_OF_COUNTER[2])
POOL_HIGH = rotation(SERVICES_OF_COUNTER[3] | SERVICES_OF_COUNTER[4])
ISSUE_CYCLE = rotation(set(PREFIX_OF))
DAILY_CAPACITY = {
    "low": MAX_DAILY_NUMBER * len({PREFIX_OF[s] for s in POOL_LOW}),
    "all": MAX_DAILY_NUMBER * len(set(PREFIX_OF.values())),
}


# ------------------------------------------------------------------ numbers


@dataclass
class Meter:
    """Latencies and errors of one phase, plus the CPU both processes spent during it. A phase
    may be measured in slices (start, stop, start, stop...): the figures add up."""

    server_pid: int
    latencies: list[float] = field(default_factory=list)
    errors: Tally[str] = field(default_factory=Tally)
    started: float = 0.0
    elapsed: float = 0.0
    _server_cpu0: float | None = None
    _bench_cpu0: float = 0.0
    _busy0: float | None = None
    server_cpu: float | None = None
    bench_cpu: float = 0.0
    other_cpu: float | None = None

    def start(self) -> None:
        self._server_cpu0 = process_cpu_seconds(self.server_pid)
        self._bench_cpu0 = time.process_time()
        self._busy0 = machine_busy_cpu_seconds()
        self.started = time.perf_counter()

    def stop(self) -> None:
        self.elapsed += time.perf_counter() - self.started
        bench_cpu = time.process_time() - self._bench_cpu0
        self.bench_cpu += bench_cpu
        end = process_cpu_seconds(self.server_pid)
        if end is None or self._server_cpu0 is None:
            return
        server_cpu = end - self._server_cpu0
        self.server_cpu = (self.server_cpu or 0.0) + server_cpu
        busy = machine_busy_cpu_seconds()
        if busy is not None and self._busy0 is not None:
            # Whatever else ran on the machine meanwhile: a noisy neighbour skews every figure.
            other = max(0.0, busy - self._busy0 - server_cpu - bench_cpu)
            self.other_cpu = (self.other_cpu or 0.0) + other

    def summary(self) -> dict[str, Any]:
        values = sorted(self.latencies)
        ms = {
            f"{name}_ms": None if (v := percentile(values, q)) is None else round(v * 1000, 2)
            for name, q in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("max", 1.0))
        }
        return {
            "ok": len(values),
            "errors": dict(self.errors),
            "seconds": round(self.elapsed, 3),
            "per_second": round(len(values) / self.elapsed, 1) if self.elapsed else 0.0,
            **ms,
            "mean_ms": round(sum(values) / len(values) * 1000, 2) if values else None,
            "server_cpu_pct": None
            if self.server_cpu is None
            else round(100 * self.server_cpu / self.elapsed, 1),
            "bench_cpu_pct": round(100 * self.bench_cpu / self.elapsed, 1),
            "other_cpu_pct": None
            if self.other_cpu is None
            else round(100 * self.other_cpu / self.elapsed, 1),
            "load_1min": round(os.getloadavg()[0], 1),
        }


class Budget:
    """A shared bound on the requests of a phase: the request count and a deadline."""

    def __init__(self, max_requests: int, seconds: float) -> None:
        self.left = max_requests
        self.seconds = seconds
        self.deadline: float | None = None  # set by the first take(), after any warm-up

    def take(self) -> bool:
        now = time.perf_counter()
        if self.deadline is None:
            self.deadline = now + self.seconds
        if self.left <= 0 or now >= self.deadline:
            return False
        self.left -= 1
        return True


# ------------------------------------------------------------------ database and server


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """A new, empty database URL; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'saduak.db'}"
        return
    name = f"saduak_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(
        PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def seed(url: str) -> dict[str, str]:
    """The demo office plus staff3 and staff4; returns username -> password."""
    now = datetime.now(UTC)
    db = Database(url)
    try:
        with db.write() as session:
            passwords = seed_demo(session, now)
            assert passwords is not None, "the fresh database already had an office"
            office = repo.office_by_code(session, "demo")
            assert office is not None and office.id is not None
            for username in sorted(set(COUNTER_STAFF.values()) - set(passwords)):
                password = new_password()
                session.add(
                    Staff(
                        office_id=office.id,
                        username=username,
                        display_name=username,
                        role=Role.STAFF.value,
                        password_hash=hash_password(password),
                        created_at=now,
                    )
                )
                passwords[username] = password
        return passwords
    finally:
        db.dispose()


def start_new_day(url: str, days_back: int) -> int:
    """Make the next phase start on an empty business day; returns how many tickets moved.

    The server reads the real clock, so instead of waiting for midnight this files today's tickets
    under an earlier day (open ones closed as the day-end rollover would, with their events),
    directly in the database. Numbering then restarts at 001 (each prefix has 999 numbers a day),
    the waiting lines start empty, and the moved rows stay as history, as in an office that has
    run for a while. Only tickets change; counters stay open with their staff.
    """
    db = Database(url)
    try:
        with db.write() as session:
            office = repo.office_by_code(session, "demo")
            assert office is not None and office.id is not None
            now = datetime.now(UTC)
            today = local_day(now, office.timezone)
            mine = sa.and_(Ticket.office_id == office.id, Ticket.business_day == today)
            open_now = sa.and_(mine, col(Ticket.status).in_(sorted(OPEN_STATES)))
            closed = session.execute(
                sa.select(col(Ticket.id), col(Ticket.service_id), col(Ticket.transaction_no))
                .where(open_now)
                .order_by(col(Ticket.id))
            ).all()
            session.execute(sa.update(Ticket).where(open_now).values(status=TicketStatus.UNSERVED))
            # Each closed ticket's event, as the rollover writes it: the event log stays the
            # record of every change (a server keeps the waiting lines by it).
            for ticket_id, service_id, transaction_no in closed:
                office.event_seq += 1
                session.add(
                    TicketEvent(
                        office_id=office.id,
                        seq=office.event_seq,
                        ticket_id=ticket_id,
                        kind="closed_unserved",
                        at=now,
                        service_id=service_id,
                        transaction_no=transaction_no,
                    )
                )
            moved = session.execute(
                sa.update(Ticket).where(mine).values(business_day=today - timedelta(days=days_back))
            )
            return int(getattr(moved, "rowcount", 0))
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def saduak_executable() -> str:
    beside = Path(sys.executable).parent / "saduak"
    found = str(beside) if beside.exists() else shutil.which("saduak")
    if not found:
        raise SystemExit("the `saduak` command is not installed: run `pip install -e .` first")
    return found


@dataclass(frozen=True)
class Paths:
    """Where a server answers the three requests the benchmark sends."""

    issue: str
    call_next: str  # {n}: the counter number
    start: str  # {id}: the ticket id


APP_PATHS = Paths("/api/v1/tickets", "/api/v1/counters/{n}/call-next", "/api/v1/tickets/{id}/start")
FLOOR_PATHS = Paths("/issue", "/call-next/{n}", "/start/{id}")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    paths: Paths = APP_PATHS

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_server(
    url: str, workdir: Path, *, floor: bool = False, stack: bool = False
) -> Iterator[Server]:
    """`saduak serve` (or the floor, bench.http_floor, with `stack` inside the app's web stack)
    on a free loopback port, healthy, stopped (SIGINT, then SIGKILL) after."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SADUAK_DATABASE_URL": url,
        "SADUAK_BUS_URL": "",
        "SADUAK_PUBLIC_URL": base_url,
        "PYTHONUNBUFFERED": "1",
    }
    log_path = workdir / (("stack.log" if stack else "floor.log") if floor else "server.log")
    command = (
        [sys.executable, "-m", "bench.http_floor", *(["--stack"] if stack else [])]
        if floor
        else [saduak_executable(), "serve", "--host", "127.0.0.1"]
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    server = Server(process, base_url, log_path, FLOOR_PATHS if floor else APP_PATHS)
    try:
        # A loaded machine can take a minute or more to start the app.
        wait_healthy(server, timeout=180)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.base_url, trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{server.log_tail()}")
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"the server was not healthy within {timeout}s:\n{server.log_tail()}")


# ------------------------------------------------------------------ HTTP load


def client_for(base_url: str, token: str) -> httpx.AsyncClient:
    # One connection per simulated kiosk or counter, kept alive; never through a proxy. The floor
    # asks for no token ("").
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"} if token else {},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=httpx.Timeout(30.0),
        trust_env=False,
    )


async def login(base_url: str, passwords: dict[str, str], username: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=30) as client:
        response = await client.post(
            "/api/v1/auth/login", json={"username": username, "password": passwords[username]}
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token


async def waiting_by_service(base_url: str, token: str) -> dict[str, int]:
    async with client_for(base_url, token) as client:
        response = await client.get("/api/v1/queue")
        response.raise_for_status()
        return {s["service"]: s["waiting"] for s in response.json()["services"]}


async def backlog(server: Server, token: str, services: list[str]) -> int:
    waiting = await waiting_by_service(server.base_url, token)
    return sum(waiting.get(s, 0) for s in set(services))


async def issue_load(
    server: Server,
    token: str,
    clients: int,
    budget: Budget,
    services: list[str],
    meter: Meter | None = None,
) -> int:
    """`clients` concurrent issuers until the budget is spent; returns tickets issued."""
    issued = 0
    pool = [client_for(server.base_url, token) for _ in range(clients)]

    async def issuer(index: int, client: httpx.AsyncClient) -> None:
        nonlocal issued
        k = index
        while budget.take():
            service = services[k % len(services)]
            k += clients
            began = time.perf_counter()
            try:
                response = await client.post(server.paths.issue, json={"service": service})
            except httpx.HTTPError as exc:
                if meter:
                    meter.errors[type(exc).__name__] += 1
                continue
            took = time.perf_counter() - began
            if response.status_code == 201:
                issued += 1
                if meter:
                    meter.latencies.append(took)
            elif meter:
                meter.errors[str(response.status_code)] += 1
            elif response.status_code == 503:
                # Untimed top-up on a loaded machine: a write that waited too long is retried.
                budget.left += 1
            else:
                raise RuntimeError(f"issuing failed: {response.status_code} {response.text}")

    try:
        if meter:
            # Warm-up, untimed: opens each client's connection and caches its token lookup.
            await asyncio.gather(
                *(
                    c.post(server.paths.issue, json={"service": services[i % len(services)]})
                    for i, c in enumerate(pool)
                )
            )
            meter.start()
        await asyncio.gather(*(issuer(i, c) for i, c in enumerate(pool)))
        if meter:
            meter.stop()
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    return issued


async def top_up(server: Server, issuer_token: str, pools: list[tuple[list[str], int]]) -> int:
    """Issue (untimed) until each pool of services has at least its number of waiting tickets."""
    waiting = await waiting_by_service(server.base_url, issuer_token)
    total = 0
    for services, wanted in pools:
        missing = wanted - sum(waiting.get(s, 0) for s in set(services))
        if missing > 0:
            budget = Budget(missing, seconds=600)
            total += await issue_load(server, issuer_token, PRE_ISSUE_CLIENTS, budget, services)
    return total


async def call_load(
    server: Server, tokens: dict[int, str], budget: Budget, meter: Meter
) -> dict[str, Any]:
    """Every counter in `tokens` loops call-next + start; only call-next is timed."""
    clients = {n: client_for(server.base_url, token) for n, token in tokens.items()}
    ran_dry: list[int] = []
    per_counter: Tally[int] = Tally()

    async def cycle(number: int, client: httpx.AsyncClient, timed: bool) -> bool:
        began = time.perf_counter()
        try:
            response = await client.post(server.paths.call_next.format(n=number))
        except httpx.HTTPError as exc:
            meter.errors[f"call-next {type(exc).__name__}"] += 1
            return True
        took = time.perf_counter() - began
        if response.status_code == 204:
            ran_dry.append(number)
            return False
        if response.status_code != 200:
            meter.errors[f"call-next {response.status_code}"] += 1
            if not timed:
                raise RuntimeError(f"call-next failed: {response.status_code} {response.text}")
            return True
        if timed:
            meter.latencies.append(took)
            per_counter[number] += 1
        ticket_id = response.json()["id"]
        try:
            started = await client.post(server.paths.start.format(id=ticket_id))
        except httpx.HTTPError as exc:
            meter.errors[f"start {type(exc).__name__}"] += 1
            return True
        if started.status_code != 200:
            meter.errors[f"start {started.status_code}"] += 1
        return True

    async def counter_loop(number: int, client: httpx.AsyncClient) -> None:
        while budget.take():
            if not await cycle(number, client, timed=True):
                return

    try:
        # Warm-up, untimed: opens each counter (a one-off write) and its connection.
        await asyncio.gather(*(cycle(n, c, timed=False) for n, c in clients.items()))
        meter.start()
        await asyncio.gather(*(counter_loop(n, c) for n, c in clients.items()))
        meter.stop()
    finally:
        await asyncio.gather(*(c.aclose() for c in clients.values()))
    return {"per_counter": {str(n): per_counter[n] for n in tokens}, "ran_dry": sorted(ran_dry)}


def pool_of(counters: list[int]) -> list[str]:
    return rotation(set().union(*(SERVICES_OF_COUNTER[n] for n in counters)))


async def measure(
    server: Server,
    floor: Server | None,
    stack: Server | None,
    url: str,
    passwords: dict[str, str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    usernames = {ISSUER, *COUNTER_STAFF.values()}
    tokens = {u: await login(server.base_url, passwords, u) for u in sorted(usernames)}
    issuer = tokens[ISSUER]
    out: dict[str, Any] = {"issue": [], "call_next": []}
    days = 0
    history = 0
    # The app and the floor take turns within each phase (same day, same database, same clients),
    # in slices, so that both meet the same background load; the order flips every slice.
    targets = [(server, tokens)] + [(f, dict.fromkeys(tokens, "")) for f in (floor, stack) if f]
    slices = args.slices if floor else 1

    def turns(i: int) -> list[tuple[int, Server, dict[str, str]]]:
        order = [(k, t, keys) for k, (t, keys) in enumerate(targets)]
        return order if i % 2 == 0 else order[::-1]

    for clients in ISSUE_CLIENTS:
        days += 1
        history += start_new_day(url, days)
        meters = [Meter(t.process.pid) for t, _ in targets]
        left = [args.max_requests // len(targets)] * len(targets)
        for i in range(slices):
            for k, target, keys in turns(i):
                budget = Budget(left[k], args.seconds / slices)
                await issue_load(target, keys[ISSUER], clients, budget, ISSUE_CYCLE, meters[k])
                left[k] = budget.left
        rows = [{"clients": clients, **m.summary(), "tickets_in_history": history} for m in meters]
        row = with_floor(rows)
        out["issue"].append(row)
        print(f"  issue, {clients} client(s): {_brief(row)}", flush=True)

    for n_counters in CALL_COUNTERS:
        days += 1
        history += start_new_day(url, days)
        counters = list(range(1, n_counters + 1))
        # Enough for the whole bound of each target, plus slack for the warm-up calls of every
        # slice and an uneven share.
        wanted = args.max_calls * len(targets) + 20 * slices
        if n_counters == 1:
            pools = [(pool_of(counters), wanted)]
        else:
            half = math.ceil(wanted / 2 * 1.25) + 20
            pools = [(POOL_LOW, half), (POOL_HIGH, half)]
        began = time.perf_counter()
        pre_issued = await top_up(server, issuer, pools)
        pre_seconds = time.perf_counter() - began
        served = pool_of(counters)
        backlog_start = await backlog(server, issuer, served)
        meters = [Meter(t.process.pid) for t, _ in targets]
        left = [args.max_calls] * len(targets)
        extras: list[dict[str, Any]] = [{"per_counter": {}, "ran_dry": []} for _ in targets]
        for i in range(slices):
            for k, target, keys in turns(i):
                budget = Budget(left[k], args.seconds / slices)
                extra = await call_load(
                    target, {n: keys[COUNTER_STAFF[n]] for n in counters}, budget, meters[k]
                )
                left[k] = budget.left
                for n, calls in extra["per_counter"].items():
                    extras[k]["per_counter"][n] = extras[k]["per_counter"].get(n, 0) + calls
                extras[k]["ran_dry"] = sorted({*extras[k]["ran_dry"], *extra["ran_dry"]})
        backlog_end = await backlog(server, issuer, served)
        rows = [
            {
                "counters": n_counters,
                **m.summary(),
                "backlog_start": backlog_start,
                "backlog_end": backlog_end,
                "pre_issued": pre_issued,
                "pre_issue_per_second": round(pre_issued / pre_seconds, 1) if pre_issued else None,
                "tickets_in_history": history,
                **extra,
            }
            for m, extra in zip(meters, extras, strict=True)
        ]
        row = with_floor(rows)
        out["call_next"].append(row)
        print(f"  call-next, {n_counters} counter(s): {_brief(row)}", flush=True)
    return out


def with_floor(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The app's row, with the floor's row of the same phase and the two ratios, if measured,
    and the stack floor's row (with its own ratios to the floor) if that was measured too."""
    row = rows[0]
    if len(rows) == 1:
        return row
    out = {**row, "floor": rows[1], **_ratios(row, rows[1])}
    if len(rows) > 2:
        out["stack"] = {**rows[2], **_ratios(rows[2], rows[1])}
    return out


def _ratios(row: dict[str, Any], floor: dict[str, Any]) -> dict[str, float | None]:
    p99, floor_p99 = row["p99_ms"], floor["p99_ms"]
    return {
        "p99_ratio": round(p99 / floor_p99, 2) if p99 and floor_p99 else None,
        "throughput_ratio": round(row["per_second"] / floor["per_second"], 2)
        if floor["per_second"]
        else None,
    }


def _brief(row: dict[str, Any]) -> str:
    errors = sum(row["errors"].values())
    text = (
        f"{row['ok']} in {row['seconds']}s = {row['per_second']}/s, "
        f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms" + (f", {errors} errors" if errors else "")
    )
    if "floor" in row:
        text += (
            f"; floor {row['floor']['per_second']}/s, p99 {row['floor']['p99_ms']} ms"
            f" (p99 x{row['p99_ratio']}, throughput {row['throughput_ratio']:.0%})"
        )
    if "stack" in row:
        stack = row["stack"]
        text += (
            f"; floor in the app's stack {stack['per_second']}/s, p99 {stack['p99_ms']} ms"
            f" (p99 x{stack['p99_ratio']}, throughput {stack['throughput_ratio']:.0%})"
        )
    return text


def run_database(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"saduak-bench-{kind}-"))
    try:
        with fresh_database(kind, workdir) as url:
            began = time.perf_counter()
            migrations.upgrade(url)
            passwords = seed(url)
            with ExitStack() as stack:
                server = stack.enter_context(running_server(url, workdir))
                floor = (
                    stack.enter_context(running_server(url, workdir, floor=True))
                    if args.floor
                    else None
                )
                in_stack = (
                    stack.enter_context(running_server(url, workdir, floor=True, stack=True))
                    if args.floor and args.stack_floor
                    else None
                )
                setup = time.perf_counter() - began
                print(f"{kind}: server pid {server.process.pid} at {server.base_url}", flush=True)
                try:
                    results = asyncio.run(measure(server, floor, in_stack, url, passwords, args))
                except Exception:
                    for one in (server, floor, in_stack):
                        if one is not None:
                            print(
                                f"{one.log_path.name} (last lines):\n{one.log_tail()}",
                                file=sys.stderr,
                            )
                    raise
            return {"setup_seconds": round(setup, 1), **results}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------ verdicts and output


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for kind, res in results.items():
        four = next((r for r in res["call_next"] if r["counters"] == 4), None)
        if four is not None:
            p99 = four["p99_ms"]
            out.append(
                {
                    "db": kind,
                    "target": f"call-next p99 < {TARGET_CALL_P99_MS:g} ms with 4 counters",
                    "stated_for": "sqlite",
                    "value": p99,
                    "met": p99 is not None and p99 < TARGET_CALL_P99_MS and not four["ran_dry"],
                }
            )
        for test, rows in (("issue", res["issue"]), ("call-next", res["call_next"])):
            # The most concurrent row of each test: where the server is busiest.
            last = rows[-1] if rows else None
            if last is None or "floor" not in last:
                continue
            out.append(
                {
                    "db": kind,
                    "target": f"{test} p99 <= {TARGET_FLOOR_P99:g}x the floor",
                    "stated_for": "issue 11",
                    "value": last["p99_ratio"],
                    "met": last["p99_ratio"] is not None and last["p99_ratio"] <= TARGET_FLOOR_P99,
                }
            )
            out.append(
                {
                    "db": kind,
                    "target": f"{test} throughput >= {TARGET_FLOOR_RATE:.0%} of the floor's",
                    "stated_for": "issue 11",
                    "value": last["throughput_ratio"],
                    "met": last["throughput_ratio"] is not None
                    and last["throughput_ratio"] >= TARGET_FLOOR_RATE,
                }
            )
        best = max(res["issue"], key=lambda r: r["per_second"], default=None)
        if best is not None:
            out.append(
                {
                    "db": kind,
                    "target": f">= {TARGET_ISSUE_PER_S:g} issued tickets/s on one process",
                    "stated_for": "one process",
                    "value": best["per_second"],
                    "at_clients": best["clients"],
                    "met": best["per_second"] >= TARGET_ISSUE_PER_S,
                }
            )
    return out


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def table(results: dict[str, Any], checks: list[dict[str, Any]]) -> str:
    head = (
        f"{'db':<9}{'test':<10}{'n':>3}{'ok':>6}{'err':>5}{'per s':>7}{'p50 ms':>8}"
        f"{'p90 ms':>8}{'p99 ms':>8}{'max ms':>8}{'server':>8}{'bench':>7}{'other':>7}  backlog"
    )
    lines = [head, "-" * len(head)]
    for kind, res in results.items():
        rows = [("issue", r["clients"], r, "") for r in res["issue"]]
        rows += [
            (
                "call-next",
                r["counters"],
                r,
                f"{r['backlog_start']}->{r['backlog_end']}" + (" DRY" if r["ran_dry"] else ""),
            )
            for r in res["call_next"]
        ]
        rows = [
            one
            for test, n, r, backlog in rows
            for one in [(test, n, r, backlog)]
            + ([(f"{test}*", n, r["floor"], "")] if "floor" in r else [])
            + ([(f"{test}+", n, r["stack"], "")] if "stack" in r else [])
        ]
        for test, n, r, backlog in rows:
            lines.append(
                f"{kind:<9}{test:<10}{n:>3}{r['ok']:>6}{sum(r['errors'].values()):>5}"
                f"{_cell(r['per_second']):>7}{_cell(r['p50_ms']):>8}{_cell(r['p90_ms']):>8}"
                f"{_cell(r['p99_ms']):>8}{_cell(r['max_ms']):>8}{_pct(r['server_cpu_pct']):>8}"
                f"{_pct(r['bench_cpu_pct']):>7}{_pct(r['other_cpu_pct']):>7}  {backlog}".rstrip()
            )
    lines += [
        "n: concurrent issuing clients, or counters. per s: tickets issued, or calls, per second.",
        "server/bench/other: CPU of the server process, of this load generator, and of anything",
        "else on the machine, in % of one core over the phase. backlog: waiting tickets before",
        "and after a call-next phase. *: the floor (bench.http_floor), in turns with the app;",
        "+: the floor inside the app's web stack (bench.http_floor --stack), in the same turns.",
    ]
    busiest = max_other_cpu(results)
    if busiest is not None and busiest > BUSY_MACHINE_PCT:
        lines.append(
            f"WARNING: other processes used up to {busiest:.0f}% of a core during a phase:\n"
            "         repeat on a quiet machine before trusting these numbers."
        )
    for check in checks:
        extra = f" (at {check['at_clients']} clients)" if "at_clients" in check else ""
        lines.append(
            f"{'MET   ' if check['met'] else 'MISSED'} {check['db']}: {check['target']}: "
            f"{check['value']}{extra}"
        )
    return "\n".join(lines)


def max_other_cpu(results: dict[str, Any]) -> float | None:
    values = [
        r["other_cpu_pct"]
        for res in results.values()
        for r in [*res["issue"], *res["call_next"]]
        if r["other_cpu_pct"] is not None
    ]
    return max(values, default=None)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.http_queue",
        description="Issue throughput and call-next latency of one Saduak server over HTTP.",
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--seconds", type=float, default=6.0, help="time bound of each phase (default 6)"
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=4800,
        help="request bound of each issue phase (default 4800)",
    )
    parser.add_argument(
        "--max-calls",
        type=int,
        default=600,
        help="call-next bound of each call phase; this many tickets are pre-issued (default 600)",
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=4,
        help="turns the app and the floor take in each phase (default 4)",
    )
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="skip the floor phases (bench.http_floor)",
    )
    parser.add_argument(
        "--no-stack-floor",
        dest="stack_floor",
        action="store_false",
        help="skip the floor inside the app's web stack (bench.http_floor --stack)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args(argv)
    # A phase is one business day: it cannot use more ticket numbers than a day has (the app's
    # and the floor's requests, and the warm-up of each slice, together).
    targets = (3 if args.stack_floor else 2) if args.floor else 1
    warm_up = max(ISSUE_CLIENTS) * targets * args.slices
    if args.max_requests + warm_up > DAILY_CAPACITY["all"]:
        parser.error(f"--max-requests: at most {DAILY_CAPACITY['all'] - warm_up}")
    slack = 25 + 20 * args.slices
    if args.max_calls * targets + slack > DAILY_CAPACITY["low"]:
        parser.error(f"--max-calls: at most {(DAILY_CAPACITY['low'] - slack) // targets}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    run = Run.start("http_queue", argv)
    results = {kind: run_database(kind, args) for kind in kinds}
    checks = verdicts(results)
    print()
    print(table(results, checks))
    header = run.header()
    header["host"]["max_other_cpu_pct"] = max_other_cpu(results)
    payload = {
        **header,
        "settings": {
            "seconds": args.seconds,
            "max_requests": args.max_requests,
            "max_calls": args.max_calls,
            "issue_clients": list(ISSUE_CLIENTS),
            "call_counters": list(CALL_COUNTERS),
            "server": "saduak serve (1 uvicorn process, in-memory bus, access log on)",
            "floor": "python -m bench.http_floor (same uvicorn settings)" if args.floor else None,
            "stack_floor": "python -m bench.http_floor --stack (same uvicorn settings)"
            if args.floor and args.stack_floor
            else None,
            "slices": args.slices if args.floor else 1,
        },
        "targets": {
            "call_next_p99_ms_4_counters_sqlite": TARGET_CALL_P99_MS,
            "issue_per_second": TARGET_ISSUE_PER_S,
            "p99_over_floor": TARGET_FLOOR_P99,
            "throughput_of_floor": TARGET_FLOOR_RATE,
        },
        "verdicts": checks,
        "results": results,
    }
    write_json(args.out, payload)
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
