"""Backups of an office's year: `saduak backup`, the restore drill, and /metrics, against floors.

    .venv/bin/python -m bench.backup_drill [--tickets 150000] [--db both|sqlite|postgres]

One office-year of synthetic tickets (the generator of bench.reports_summary). Floors measured in
the same run: copying the SQLite file with the file system (what any backup must at least cost),
and for PostgreSQL `pg_dump` in its plain SQL format to /dev/null. Results: a table on stdout and
JSON in bench/results/backup_drill.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.machine import Run
from bench.reports_summary import Ids, load_office
from counter.db import Database
from operations.backup import _libpq, backup, verify
from saduak import migrations

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "backup_drill.json"


def timed(fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def median_of(fn: Callable[[], Any], n: int) -> float:
    return sorted(timed(fn) for _ in range(n))[n // 2]


def measure(
    url: str, tmp: Path, tickets: int, repeat: int, floor: Callable[[], Any]
) -> dict[str, Any]:
    db = Database(url)
    try:
        _, rows, _, _ = load_office(db, "bench", tickets, Ids(), seed=1)
    finally:
        db.dispose()
    out = tmp / "backups"
    floor_s = median_of(floor, repeat)
    backup_s = median_of(lambda: backup(url, out, keep=2), repeat)
    copy = sorted(out.iterdir())[-1]
    verify_s = timed(lambda: verify(copy, url))
    return {
        "tickets": len(rows["ticket"]) if isinstance(rows, dict) and "ticket" in rows else tickets,
        "backup_bytes": copy.stat().st_size,
        "floor_s": round(floor_s, 3),
        "backup_s": round(backup_s, 3),
        "backup_over_floor": round(backup_s / floor_s, 2),
        "verify_s": round(verify_s, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("both", "sqlite", "postgres"), default="both")
    parser.add_argument("--tickets", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    run = Run.start("backup_drill", argv)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    if args.db in ("both", "sqlite"):
        tmp = Path(tempfile.mkdtemp(prefix="saduak-bench-backup-"))
        url = f"sqlite:///{tmp / 'office.db'}"
        migrations.upgrade(url)
        results["sqlite"] = measure(
            url,
            tmp,
            args.tickets,
            args.repeat,
            lambda: shutil.copyfile(tmp / "office.db", tmp / "floor.db"),
        )
        shutil.rmtree(tmp)
    if args.db in ("both", "postgres"):
        from tests.conftest import create_pg_database, drop_pg_database, pg_url

        name = create_pg_database("saduak_bench_backup")
        tmp = Path(tempfile.mkdtemp(prefix="saduak-bench-backup-"))
        try:
            url = pg_url(name)
            migrations.upgrade(url)
            conn, env = _libpq(url)
            results["postgresql"] = measure(
                url,
                tmp,
                args.tickets,
                args.repeat,
                lambda: subprocess.run(["pg_dump", *conn, "-f", "/dev/null"], env=env, check=True),
            )
        finally:
            drop_pg_database(name)
            shutil.rmtree(tmp)
    results = {**run.header(), **results}
    print("| database | tickets | backup | floor | backup / floor | restore drill | file |")
    print("|---|---|---|---|---|---|---|")
    for kind in ("sqlite", "postgresql"):
        if kind in results:
            r = results[kind]
            print(
                f"| {kind} | {r['tickets']:,} | {r['backup_s']:.2f} s | {r['floor_s']:.2f} s | "
                f"{r['backup_over_floor']} | {r['verify_s']:.2f} s | "
                f"{r['backup_bytes'] / 1e6:.1f} MB |"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    host = results["host"]
    print(f"written {args.out}; load {host['load_average_start']} -> {host['load_average_end']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
