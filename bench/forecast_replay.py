"""What the wait forecast costs as the line grows, in one process, against reading its input.

The forecast (counter.service.waits.office_forecast) reads the office's waiting lines and
replays its counters calling through them; every issue's answer, every status-page event and
every kiosk list pays for it, so it bounds how an issue's cost grows with the line
(`bench.cost_growth`). Measured here without HTTP, threads or a server, on SQLite, for the demo
office with a line of 10, 100 and 1,000 waiting tickets (written as `bench.cost_growth` writes
them: spread over the services counter 1 calls, one second apart, so the arrival rates it
foresees are high):

- read: `repository.waiting_lines`, the lines as the forecast reads them;
- forecast: `office_forecast` reading the lines whole (a process's first forecast of the day,
  or after a long gap), without the kiosk's newcomers: its reads and the replay;
- kept: the same from the lines the process keeps (`WaitingKept`, caught up with the events
  since: here none), as a status page's event or an issue's answer asks for it;
- with newcomers: the kept lines' forecast with every active service's wait for a new ticket
  (the kiosk list);
- floor: the same waiting tickets read with the database's own driver (`sqlite3`, one
  statement, no SQLAlchemy) and put in arrival order: the least any forecast must do, since
  every waiting ticket has a place to be told.

Each is the median of `--repeat` runs, taken in turns so a changing load weighs on all alike.
The call durations and arrival rates are read once beforehand, as the app keeps them for a
minute. Reported, not enforced.

Reproduce:

    .venv/bin/python -m bench.forecast_replay                  # about 30 seconds
    .venv/bin/python -m bench.forecast_replay --lines 1000 --repeat 50
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.cost_growth import office_id_of, prepare, set_line
from bench.http_queue import write_json
from bench.machine import Run
from counter import repository as repo
from counter.db import Database
from counter.models import Office
from counter.queue.forecast import LOADED_PER_LINE
from counter.service.waits import CallMinutes, WaitingKept, office_forecast, recent_arrivals
from counter.unit_of_work import local_day

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "forecast_replay.json"
LINES = (10, 100, 1000)

FLOOR_SQL = (
    "SELECT id, service_id, priority IS NOT NULL, queued_at, booked_for FROM ticket"
    " WHERE office_id = ? AND business_day = ? AND status = 'waiting'"
)


def measure(db: Database, path: Path, office_id: int, repeat: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    raw = sqlite3.connect(path)
    with db.read() as session:
        office = session.get(Office, office_id)
        assert office is not None
        today = local_day(now, office.timezone)
        samples = CallMinutes.read(session, office_id, now).samples
        arrivals = recent_arrivals(session, office, now)

        def read() -> Any:
            return repo.waiting_lines(session, office_id, today, LOADED_PER_LINE)

        def plain() -> Any:
            return office_forecast(session, office, now, samples, arrivals)

        kept = WaitingKept.read(session, office, today)

        def from_kept() -> Any:
            waiting = kept.caught_up(session, office, today).tickets.values()
            return office_forecast(session, office, now, samples, arrivals, waiting=waiting)

        def newcomers() -> Any:
            waiting = kept.caught_up(session, office, today).tickets.values()
            return office_forecast(
                session, office, now, samples, arrivals, newcomers=True, waiting=waiting
            )

        def floor() -> Any:
            rows = raw.execute(FLOOR_SQL, (office_id, today.isoformat())).fetchall()
            return sorted(rows, key=lambda row: (row[4] or row[3], row[0]))

        steps: dict[str, Callable[[], Any]] = {
            "read": read,
            "forecast": plain,
            "kept": from_kept,
            "with_newcomers": newcomers,
            "floor": floor,
        }
        times: dict[str, list[float]] = {name: [] for name in steps}
        for step in steps.values():
            step()  # warm: statements built and cached
        for _ in range(repeat):
            for name, step in steps.items():
                began = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - began)
        waiting = len(read()[0])
    raw.close()
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {
        "waiting": waiting,
        **{f"{name}_ms": round(ms, 3) for name, ms in medians.items()},
        "forecast_over_floor": round(medians["forecast"] / medians["floor"], 2),
        "kept_over_floor": round(medians["kept"] / medians["floor"], 2),
        "with_newcomers_over_floor": round(medians["with_newcomers"] / medians["floor"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.forecast_replay",
        description="The wait forecast's cost as the line grows, against reading its input.",
    )
    parser.add_argument("--lines", type=int, nargs="+", default=list(LINES))
    parser.add_argument("--repeat", type=int, default=30, help="runs per step (default 30)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    run = Run.start("forecast_replay", argv)
    workdir = Path(tempfile.mkdtemp(prefix="saduak-forecast-"))
    rows = []
    try:
        path = workdir / "saduak.db"
        url = f"sqlite:///{path}"
        prepare(url, 0)
        office_id = office_id_of(url)
        db = Database(url)
        try:
            for length in args.lines:
                set_line(db, office_id, length)
                row = {"line": length, **measure(db, path, office_id, args.repeat)}
                rows.append(row)
                print(
                    f"line {length:>5}: read {row['read_ms']:.2f} ms, forecast"
                    f" {row['forecast_ms']:.2f} ms, kept {row['kept_ms']:.2f} ms,"
                    f" with newcomers {row['with_newcomers_ms']:.2f}"
                    f" ms, floor {row['floor_ms']:.2f} ms (forecast / floor"
                    f" {row['forecast_over_floor']})",
                    flush=True,
                )
        finally:
            db.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    smallest, largest = rows[0], rows[-1]
    growth = round(largest["forecast_ms"] / smallest["forecast_ms"], 2)
    kept_growth = round(largest["kept_ms"] / smallest["kept_ms"], 2)
    print(f"forecast, largest line / smallest: {growth} (kept lines: {kept_growth})")
    payload = {
        **run.header(),
        "settings": {"lines": args.lines, "repeat": args.repeat, "db": "sqlite"},
        "rows": rows,
        "forecast_growth": growth,
        "kept_growth": kept_growth,
    }
    write_json(args.out, payload)
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
