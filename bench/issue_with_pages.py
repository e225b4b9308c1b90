"""What an issue costs the server while citizens follow their tickets on status pages.

Every issue is an office event: the kiosk's answer reads the new ticket's wait, and the status
pages' feed reads every followed ticket again (one batched read, `bench.status_fanout`). Both
need the office's forecast of that event and start together; it is made once and shared
(`QueueViews.office_forecast`). Measured: the server process's CPU per issue with `--pages`
status pages open, against the floor, the same app with the same waiting line and no page open.

How: two `saduak serve` processes, each on its own SQLite file with the demo office, each given
the same `--pages` waiting tickets; on the first a status page (server-sent events, the
benchmark's own minimal client) follows each. Then in `--rounds` rounds, `--issues` tickets are
issued one after another on each server in turn (the order flips every round, so both meet the
same background load), a pause after each so the pages' frames are out before the next; the CPU
of each server process over its turns, divided by its issues.

Reproduce:

    .venv/bin/python -m bench.issue_with_pages                 # about a minute
    .venv/bin/python -m bench.issue_with_pages --pages 500 --rounds 4

Reported, not enforced; no target is set for it.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.http_queue import (
    POOL_LOW,
    Server,
    client_for,
    fresh_database,
    login,
    running_server,
    seed,
    write_json,
)
from bench.machine import Run, process_cpu_seconds
from bench.status_fanout import Pages
from saduak import migrations

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "issue_with_pages.json"
PAUSE_S = 0.05


async def issue(client: Any, k: int) -> str:
    r = await client.post("/api/v1/tickets", json={"service": POOL_LOW[k % len(POOL_LOW)]})
    if r.status_code != 201:
        raise RuntimeError(f"issue: {r.status_code} {r.text}")
    return str(r.json()["status_url"].rsplit("/", 1)[1])


async def measure(servers: list[Server], passwords: list[dict[str, str]], args: Any) -> Any:
    tokens = [await login(s.base_url, p, "staff1") for s, p in zip(servers, passwords, strict=True)]
    clients = [client_for(s.base_url, t) for s, t in zip(servers, tokens, strict=True)]
    pages = Pages()
    try:
        followed = [await issue(clients[0], k) for k in range(args.pages)]
        for k in range(args.pages):
            await issue(clients[1], k)
        host, port = servers[0].base_url.removeprefix("http://").split(":")
        await pages.open(host, int(port), [f"/t/{t}/events" for t in followed])
        cpu = [0.0, 0.0]
        issued = [0, 0]
        k = args.pages
        for round_no in range(args.rounds):
            order = [0, 1] if round_no % 2 == 0 else [1, 0]
            for i in order:
                pid = servers[i].process.pid
                before = process_cpu_seconds(pid) or 0.0
                for _ in range(args.issues):
                    await issue(clients[i], k)
                    k += 1
                    await asyncio.sleep(PAUSE_S)
                await asyncio.sleep(0.5)  # the last frames
                cpu[i] += (process_cpu_seconds(pid) or 0.0) - before
                issued[i] += args.issues
        # The pauses are idle time for both; CPU is what the server did.
        per_issue = [cpu[i] / issued[i] * 1000 for i in (0, 1)]
        return {
            "pages": args.pages,
            "issues_each": issued[0],
            "cpu_per_issue_ms": {
                "with_pages": round(per_issue[0], 2),
                "floor_no_pages": round(per_issue[1], 2),
            },
            "ratio": round(per_issue[0] / per_issue[1], 2),
            "frames_per_page": round(sum(pages.received) / max(1, len(pages.received)), 1),
        }
    finally:
        await pages.close()
        await asyncio.gather(*(c.aclose() for c in clients))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.issue_with_pages",
        description="Server CPU per issue with status pages open, against none open.",
    )
    parser.add_argument("--pages", type=int, default=200, help="status pages (default 200)")
    parser.add_argument("--issues", type=int, default=25, help="issues per turn (default 25)")
    parser.add_argument("--rounds", type=int, default=4, help="turns on each server (default 4)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    run = Run.start("issue_with_pages", argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="saduak-issue-pages-") as tmp, ExitStack() as stack:
        servers, passwords = [], []
        for name in ("pages", "floor"):
            place = Path(tmp) / name
            place.mkdir()
            url = stack.enter_context(fresh_database("sqlite", place))
            migrations.upgrade(url)
            passwords.append(seed(url))
            servers.append(stack.enter_context(running_server(url, place)))
        result = asyncio.run(measure(servers, passwords, args))
    cpu = result["cpu_per_issue_ms"]
    print(
        f"{args.pages} pages: server CPU per issue {cpu['with_pages']} ms, with no page open"
        f" {cpu['floor_no_pages']} ms (x{result['ratio']}); {time.perf_counter() - began:.0f} s"
    )
    write_json(
        args.out, {**run.header(), "settings": vars(args) | {"out": str(args.out)}, **result}
    )
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
