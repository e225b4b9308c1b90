"""Kiosk ticket issue latency while the server is flooded with failed logins.

    .venv/bin/python -m bench.login_flood [--issues 200] [--out bench/results/login_flood.json]

A real `saduak serve`-equivalent uvicorn process on a fresh SQLite database (the demo office, real
argon2 password hashes). One phase per row, each on a freshly started server with no failures
recorded yet:

- idle: N sequential kiosk issues (POST /api/v1/tickets with a kiosk token), nothing else running;
- 8 / 64 loops: the same N issues while another OS process runs 8 or 64 concurrent loops of
  failed logins (a new random user name each time, a wrong password, from the same address, each
  loop sending its next attempt as soon as the last one is answered); the flood starts 1 s before
  the issues are timed.

The idle row is the floor of the same run; the target is a p99 at most 2 x idle under 64 loops.
The flood's own counts (answered 401 after a password check, 429 refused) are in the JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.machine import Run
from counter.auth import DeviceKind, add_device, hash_password
from counter.db import Database
from counter.models import LoginFailure
from counter.seed import seed_demo
from saduak import migrations
from tests.live import LiveServer

TARGET_RATIO = 2.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p99_ms": round(pct(ms, 0.99), 2),
        "max_ms": round(max(ms), 2),
    }


def _flood(base_url: str, loops: int, stop: Event, counts: Any) -> None:
    """Run in its own process: `loops` concurrent loops of failed logins until `stop`."""

    async def loop(client: httpx.AsyncClient, seen: dict[int, int]) -> None:
        while not stop.is_set():
            name = "u" + secrets.token_hex(6)
            try:
                r = await client.post(
                    "/api/v1/auth/login", json={"username": name, "password": "wrong-password"}
                )
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
            except httpx.HTTPError:
                seen[0] = seen.get(0, 0) + 1

    async def run() -> dict[int, int]:
        seen: dict[int, int] = {}
        limits = httpx.Limits(max_connections=loops, max_keepalive_connections=loops)
        async with httpx.AsyncClient(
            base_url=base_url, timeout=60, limits=limits, trust_env=False
        ) as client:
            await asyncio.gather(*(loop(client, seen) for _ in range(loops)))
        return seen

    for code, n in asyncio.run(run()).items():
        counts[code] = n


def _issues(base_url: str, token: str, n: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    ms: list[float] = []
    with httpx.Client(base_url=base_url, timeout=60, trust_env=False) as client:
        for i in range(n + 5):
            started = time.perf_counter()
            r = client.post(
                "/api/v1/tickets",
                json={"service": "birth"},
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            took = (time.perf_counter() - started) * 1000
            r.raise_for_status()
            if i >= 5:  # warm-up
                ms.append(took)
    return ms


def phase(db_url: str, token: str, loops: int, issues: int) -> dict[str, Any]:
    env = {"SADUAK_KIOSK_RATE_PER_MINUTE": "1000000", "SADUAK_BUS_URL": ""}
    with LiveServer(db_url, env=env) as server:
        if not loops:
            return {"loops": 0, **summary(_issues(server.url, token, issues))}
        ctx = multiprocessing.get_context("spawn")
        stop = ctx.Event()
        with ctx.Manager() as manager:
            counts = manager.dict()
            flood = ctx.Process(target=_flood, args=(server.url, loops, stop, counts))
            flood.start()
            time.sleep(1.0)
            started = time.monotonic()
            ms = _issues(server.url, token, issues)
            seconds = time.monotonic() - started
            stop.set()
            flood.join(timeout=60)
            seen = {str(k): v for k, v in sorted(counts.items())}
        total = sum(seen.values())
        return {
            "loops": loops,
            **summary(ms),
            "flood": {"by_status": seen, "attempts_per_s": round(total / (seconds + 1.0), 1)},
        }


def main(argv: list[str] | None = None) -> None:
    run = Run.start("login_flood", argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("bench/results/login_flood.json"))
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="saduak-bench-login-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    migrations.upgrade(url)
    db = Database(url)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    try:
        with db.write() as session:
            seed_demo(
                session,
                now,
                passwords={
                    n: secrets.token_urlsafe(12) for n in ("admin", "manager", "staff1", "staff2")
                },
                make_hash=hash_password,
            )
            _, token = add_device(session, 1, DeviceKind.KIOSK, "bench", now)
        for loops in (0, 8, 64):
            with db.write() as session:
                session.execute(sa.delete(LoginFailure))
            rows.append(phase(url, token, loops, args.issues))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        db.dispose()
        shutil.rmtree(workdir, ignore_errors=True)

    idle = rows[0]
    for row in rows:
        row["p50_vs_idle"] = round(row["p50_ms"] / idle["p50_ms"], 2)
        row["p99_vs_idle"] = round(row["p99_ms"] / idle["p99_ms"], 2)
    worst = rows[-1]
    result = {
        **run.header(),
        "rows": rows,
        "target": f"p99 under 64 loops <= {TARGET_RATIO} x idle p99",
        "target_met": worst["p99_vs_idle"] <= TARGET_RATIO,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'kiosk issue, ms':<22}{'p50':>8}{'p99':>8}{'p50/idle':>10}{'p99/idle':>10}  flood")
    for row in rows:
        flood = row.get("flood", {})
        print(
            f"{str(row['loops']) + ' loops':<22}{row['p50_ms']:>8}{row['p99_ms']:>8}"
            f"{row['p50_vs_idle']:>10}{row['p99_vs_idle']:>10}  {flood}"
        )
    print(f"target {result['target']}: {'met' if result['target_met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
