"""Status-page fan-out benchmark: a call made over HTTP, until every citizen's status page has it.

What it measures, with 1,000 status pages (server-sent events, /t/{token}/events) following one
office, each page following its own waiting ticket: as many as a line can hold (ticket numbers
stop at 999 a day) in the line being called, the rest in another line:

(a) app: POST /api/v1/counters/1/call-next on a real server process (one uvicorn process,
    SQLite, in-memory bus). Every call moves each ticket of the called line one place up, so each
    of those pages gets a new status. A page is sent a frame only when what it shows changed
    (counted: frames equal to the page's previous one); the pages of the other line keep their
    places (status, position, counter), though their wait estimates may move. Latency =
    from just before the POST is sent until the last page of the called line that the call
    changed has its new status (the call's frames are over once no page heard anything for
    `QUIET_S`; how many pages each call told is reported).
    The server counts the SQL statements its read engine runs (a SQLAlchemy event hook in this
    benchmark's wrapper of the app, `counting_app`), so the report says how many database reads
    each office event cost: the target is one batched read of every followed ticket per event,
    however many phones.
(b) floor: a bare Starlette app under the same uvicorn, holding as many server-sent-events
    streams as there are pages in the called line, that pushes a message of the same size to
    every stream when a control request asks. No database, no bus, no feed: what HTTP streaming
    alone costs.

Both are driven from this one process with the same minimal SSE client (raw asyncio streams),
and app calls and floor pushes alternate one by one, so both meet the same background load.

Reproduce:

    .venv/bin/python -m bench.status_fanout                      # about 2 minutes
    .venv/bin/python -m bench.status_fanout --pages 300 --calls 20

Targets (issue 11): p99 within 3x the floor, at most one database read per event. Reported,
not enforced: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse

from bench.display_fanout import summary
from bench.machine import Run, machine_busy_cpu_seconds
from counter.db import Database
from counter.seed import seed_demo
from saduak import migrations
from tests.live import LiveServer, free_port

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "status_fanout.json"
TARGET_RATIO = 3.0
TARGET_READS = 1.0
SERVICE = "birth"
# A line no counter calls during the run (another prefix, so its own numbers).
OTHER_SERVICE = "marriage"
MAX_LINE = 999
WAIT_ALL_S = 30.0
# A call's frames have all come once no page heard anything for this long.
QUIET_S = 2.0
# The batched read of every followed ticket (counter.repository.tickets_by_token).
BATCH_MARK = "ticket.token IN"


# ------------------------------------------------------------------ the app, counting its reads


@dataclass
class ReadCount:
    statements: int = 0
    batches: int = 0
    # The statements of each database read (one connection's checkout) that read followed
    # tickets: what one office event costs the status pages, whatever else the server reads.
    feed_statements: list[int] = field(default_factory=list)


def counting_app() -> FastAPI:
    """The app as `saduak serve` builds it, plus a count of its read engine's SQL statements
    (GET /_bench/reads). Only this benchmark serves it."""
    from saduak.app import create_app

    app = create_app()
    count = ReadCount()
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[Any]:
        async with original(app_) as state:
            engine = app_.state.db.read_engine
            # DB-API connection -> [statements since checkout, whether it read followed tickets]
            open_reads: dict[int, list[int]] = {}

            def counted(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                count.statements += 1
                read = open_reads.setdefault(id(conn.connection.dbapi_connection), [0, 0])
                read[0] += 1
                if BATCH_MARK in statement:
                    count.batches += 1
                    read[1] = 1

            def checked_in(dbapi_connection: Any, record: Any) -> None:
                read = open_reads.pop(id(dbapi_connection), None)
                if read is not None and read[1]:
                    count.feed_statements.append(read[0])

            sa.event.listen(engine, "before_cursor_execute", counted)
            sa.event.listen(engine.pool, "checkin", checked_in)
            yield state

    app.router.lifespan_context = lifespan

    async def reads(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "statements": count.statements,
                "batches": count.batches,
                "feed_statements": count.feed_statements,
            }
        )

    app.add_route("/_bench/reads", reads)
    return app


def seed(url: str) -> dict[str, str]:
    db = Database(url)
    try:
        with db.write() as session:
            passwords = seed_demo(session, datetime.now(UTC))
            assert passwords is not None
    finally:
        db.dispose()
    return passwords


# ------------------------------------------------------------------ the floor


FLOOR_SERVER = """
import asyncio, sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

streams = set()

async def events(request):
    queue = asyncio.Queue()
    streams.add(queue)
    async def body():
        try:
            yield "data: {}\\n\\n"
            while True:
                yield await queue.get()
        finally:
            streams.discard(queue)
    return StreamingResponse(body(), media_type="text/event-stream")

async def push(request):
    text = (await request.body()).decode()
    for queue in list(streams):
        queue.put_nowait(text)
    return Response(status_code=204)

app = Starlette(routes=[Route("/events", events), Route("/push", push, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


@contextmanager
def floor_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", FLOOR_SERVER, str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(f"{url}/push", content=b": warm\n\n", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the bare streaming server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


# ------------------------------------------------------------------ the pages


@dataclass
class Pages:
    """N server-sent-events streams, each counting the messages (not heartbeats) it received.

    A page is sent a frame only when what it shows changed, so a frame equal to the page's
    previous one is counted as `stale` (it should never happen). With `changes`, every field a
    frame changed is counted by name (for the pages of the line nobody calls)."""

    received: list[int] = field(default_factory=list)
    last_at: list[float] = field(default_factory=list)
    last: list[bytes] = field(default_factory=list)
    stale: int = 0
    changes: collections.Counter[str] | None = None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def open(self, host: str, port: int, paths: list[str]) -> None:
        for path in paths:
            index = len(self.received)
            self.received.append(0)
            self.last_at.append(0.0)
            self.last.append(b"")
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            self.writers.append(writer)
            self.readers.append(asyncio.create_task(self._read(index, reader)))
        # Every page has its first status before anything is timed.
        await self.until(1)

    async def _read(self, index: int, reader: asyncio.StreamReader) -> None:
        heartbeat = False
        try:
            while line := await reader.readline():
                if line.startswith(b"event: heartbeat"):
                    heartbeat = True
                elif line.startswith(b"data: "):
                    if not heartbeat:
                        self.last_at[index] = time.perf_counter()
                        self.received[index] += 1
                        self._frame(index, line)
                        self.changed.set()
                    heartbeat = False
        except (ConnectionError, asyncio.CancelledError):
            return

    def _frame(self, index: int, line: bytes) -> None:
        previous, self.last[index] = self.last[index], line
        if line == previous:
            self.stale += 1
        elif previous and self.changes is not None:
            before, after = json.loads(previous[6:]), json.loads(line[6:])
            self.changes.update(
                k for k in after.keys() | before.keys() if after.get(k) != before.get(k)
            )

    async def until(self, count: int) -> float:
        """Wait until every page has `count` messages; the time the last one arrived."""
        async with asyncio.timeout(WAIT_ALL_S):
            while min(self.received) < count:
                self.changed.clear()
                await self.changed.wait()
        return max(self.last_at)

    async def settled(self, since: float) -> tuple[float, int]:
        """Wait until some page heard something after `since`, then until no page has heard
        anything for `QUIET_S`: the time the last page heard, and how many pages heard."""
        async with asyncio.timeout(WAIT_ALL_S):
            while True:
                self.changed.clear()
                try:
                    async with asyncio.timeout(QUIET_S):
                        await self.changed.wait()
                except TimeoutError:
                    if max(self.last_at) > since:
                        break
        heard = [at for at in self.last_at if at > since]
        return max(heard), len(heard)

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


# ------------------------------------------------------------------ the run


@dataclass
class AppRun:
    server: LiveServer
    passwords: dict[str, str]
    client: httpx.AsyncClient = field(init=False)
    headers: dict[str, str] = field(default_factory=dict)
    previous: int | None = None

    async def __aenter__(self) -> AppRun:
        self.client = httpx.AsyncClient(base_url=self.server.url, timeout=60.0)
        r = await self.client.post(
            "/api/v1/auth/login",
            json={"username": "staff1", "password": self.passwords["staff1"]},
        )
        r.raise_for_status()
        self.headers = {"Authorization": f"Bearer {r.json()['token']}"}
        (await self.client.post("/api/v1/counters/1/open", headers=self.headers)).raise_for_status()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def issue(self, count: int, service: str = SERVICE) -> list[str]:
        tokens = []
        for _ in range(count):
            r = await self.client.post(
                "/api/v1/tickets", json={"service": service}, headers=self.headers
            )
            r.raise_for_status()
            tokens.append(r.json()["status_url"].rsplit("/", 1)[1])
        return tokens

    async def reads(self) -> tuple[int, int]:
        body = (await self.client.get("/_bench/reads")).json()
        return int(body["statements"]), int(body["batches"])

    async def feed_reads(self) -> list[int]:
        """The statements of each read of followed tickets so far."""
        return list((await self.client.get("/_bench/reads")).json()["feed_statements"])

    async def call(self, pages: Pages, settle: float) -> tuple[float, int, int, int]:
        """One timed call: (until the last page it changed has it, pages it changed, read
        statements, batched reads)."""
        if self.previous is not None:
            r = await self.client.post(
                f"/api/v1/tickets/{self.previous}/start", headers=self.headers
            )
            r.raise_for_status()
        await asyncio.sleep(settle)
        before = await self.reads()
        sent = time.perf_counter()
        r = await self.client.post("/api/v1/counters/1/call-next", headers=self.headers)
        r.raise_for_status()
        self.previous = r.json()["id"]
        last, heard = await pages.settled(sent)
        after = await self.reads()
        return last - sent, heard, after[0] - before[0], after[1] - before[1]


async def floor_push(client: httpx.AsyncClient, pages: Pages, text: str, expect: int) -> float:
    sent = time.perf_counter()
    r = await client.post("/push", content=text.encode())
    r.raise_for_status()
    return await pages.until(expect) - sent


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="saduak-status-fanout-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'saduak.db'}"
        migrations.upgrade(url)
        passwords = seed(url)
        server = LiveServer(url, app="bench.status_fanout:counting_app", log_dir=Path(tmp))
        server.start()
        try:
            with floor_server() as floor_url:
                return await measure(server, passwords, floor_url, args)
        finally:
            server.stop()


async def measure(
    server: LiveServer, passwords: dict[str, str], floor_url: str, args: argparse.Namespace
) -> dict[str, Any]:
    async with AppRun(server, passwords) as app:
        # The first tickets are the ones called; the pages follow those behind them, so every
        # call moves every page of the called line one place up.
        await app.issue(args.calls + 2)
        moving_n = min(args.pages, MAX_LINE - args.calls - 2)
        tokens = await app.issue(moving_n)
        still_tokens = await app.issue(args.pages - moving_n, OTHER_SERVICE)
        app_pages, still_pages, floor_pages = Pages(), Pages(changes=collections.Counter()), Pages()
        await app_pages.open(server.host, server.port, [f"/t/{t}/events" for t in tokens])
        if still_tokens:
            await still_pages.open(
                server.host, server.port, [f"/t/{t}/events" for t in still_tokens]
            )
        sample = await app.client.get(f"/api/v1/status/{tokens[-1]}")
        text = f"data: {json.dumps(sample.json(), ensure_ascii=False)}\n\n"
        floor_host, floor_port = floor_url.removeprefix("http://").split(":")
        await floor_pages.open(floor_host, int(floor_port), ["/events"] * moving_n)
        latency: list[float] = []
        statements: list[int] = []
        heard: list[int] = []
        batches: list[int] = []
        floor: list[float] = []
        busy0, wall0 = machine_busy_cpu_seconds(), time.perf_counter()
        feed_reads_before = len(await app.feed_reads())
        async with httpx.AsyncClient(base_url=floor_url, timeout=60.0) as floor_client:
            # Warm-up, untimed.
            await app.call(app_pages, args.settle)
            await floor_push(floor_client, floor_pages, text, 2)
            for i in range(args.calls):
                total, n_heard, n_statements, n_batches = await app.call(app_pages, args.settle)
                latency.append(total)
                heard.append(n_heard)
                statements.append(n_statements)
                batches.append(n_batches)
                await asyncio.sleep(args.settle)
                floor.append(await floor_push(floor_client, floor_pages, text, 3 + i))
        busy1, wall1 = machine_busy_cpu_seconds(), time.perf_counter()
        # Every office event of the timed calls (the previous ticket started, the call) was read
        # once for every page.
        feed_reads = (await app.feed_reads())[feed_reads_before:]
        # The line nobody calls: its tickets kept their places (status, position, counter)...
        assert still_pages.changes is not None
        places_kept = not {"status", "waiting_ahead", "counter", "recall_count"} & set(
            still_pages.changes
        )
        await app_pages.close()
        await still_pages.close()
        await floor_pages.close()
    result: dict[str, Any] = {
        "pages": args.pages,
        "pages_in_called_line": moving_n,
        # Pages of the called line told something new by each call: all, unless the position
        # and range a page shows came out the same (see README: positions past the replayed
        # calls are estimated).
        "pages_told_per_call": {"min": min(heard), "mean": round(sum(heard) / len(heard), 1)},
        # A page is sent a frame only when what it shows changed: frames equal to the page's
        # previous one (it should be 0), on either line.
        "frames_showing_nothing_new": app_pages.stale + still_pages.stale,
        # The other line: nobody there was called, so no place moved; their wait estimates may
        # (the forecast moves with the counters' pace and with time), and each such frame shows
        # the page a new range.
        "other_line": {
            "pages": len(still_pages.received),
            "places_kept": places_kept,
            "frames_after_the_first": sum(n - 1 for n in still_pages.received),
            "fields_changed": dict(still_pages.changes),
        },
        "message_bytes": len(text.encode()),
        "app": {"fanout": summary(latency)},
        "floor": {"fanout": summary(floor)},
        # One office event per call (ticket.called): what the server read for it.
        "reads_per_event": {
            "batched_reads_max": max(batches),
            "batched_reads_mean": round(sum(batches) / len(batches), 2),
            "read_statements_max": max(statements),
            "read_statements_mean": round(sum(statements) / len(statements), 2),
            # Each read of every followed ticket (one per office event), by its own statements.
            "feed_reads": len(feed_reads),
            "feed_read_statements_max": max(feed_reads, default=0),
            "feed_read_statements_mean": round(sum(feed_reads) / max(1, len(feed_reads)), 2),
        },
    }
    app_p99, floor_p99 = result["app"]["fanout"]["p99_ms"], result["floor"]["fanout"]["p99_ms"]
    result["p99_ratio"] = round(app_p99 / floor_p99, 2) if app_p99 and floor_p99 else None
    if busy0 is not None and busy1 is not None:
        result["machine_cpu_pct"] = round(100 * (busy1 - busy0) / (wall1 - wall0), 1)
    return result


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    reads = result["reads_per_event"]["batched_reads_max"]
    ratio = result["p99_ratio"]
    # Every frame shows something new, and the line nobody called kept its places.
    frames_true = result["frames_showing_nothing_new"] == 0 and result["other_line"]["places_kept"]
    return {
        "target": (
            f"p99 within {TARGET_RATIO}x the floor; at most {TARGET_READS:g} read per event; "
            "a page hears only what changes what it shows"
        ),
        "ratio": ratio,
        "reads_per_event_max": reads,
        "frames_true": frames_true,
        "met": (
            ratio is not None and ratio <= TARGET_RATIO and reads <= TARGET_READS and frames_true
        ),
    }


def table(result: dict[str, Any]) -> str:
    app, floor, reads = (
        result["app"]["fanout"],
        result["floor"]["fanout"],
        result["reads_per_event"],
    )
    return (
        "pages | app p50 | app p99 | floor p50 | floor p99 | p99/floor | reads/event"
        " | read statements/event | machine CPU\n"
        "----: | ------: | ------: | --------: | --------: | --------: | ----------:"
        " | --------------------: | ----------:\n"
        f"{result['pages']:>5} | {app['p50_ms']:>7} | {app['p99_ms']:>7} | {floor['p50_ms']:>9} | "
        f"{floor['p99_ms']:>9} | {result['p99_ratio']:>9} | {reads['batched_reads_max']:>11} | "
        f"{reads['read_statements_max']:>21} | {result.get('machine_cpu_pct', '?'):>10}%\n"
        "(ms; p = nearest-rank percentile; reads and statements: the most in any one call)"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.status_fanout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pages", type=int, default=1000, help="status pages (default 1000)")
    parser.add_argument("--calls", type=int, default=50, help="timed calls (default 50)")
    parser.add_argument(
        "--settle", type=float, default=0.3, help="quiet seconds before each call (default 0.3)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    this_run = Run.start("status_fanout", argv)
    result = asyncio.run(run(args))
    check = verdict(result)
    print()
    print(table(result))
    print(
        f"\n{check['target']}: {check['ratio']}x, {check['reads_per_event_max']} read(s), "
        f"frames {'true' if check['frames_true'] else 'NOT TRUE'} — "
        f"{'met' if check['met'] else 'MISSED'}"
    )
    payload = {
        **this_run.header(),
        "settings": {"pages": args.pages, "calls": args.calls, "settle_s": args.settle},
        "check": check,
        **result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
