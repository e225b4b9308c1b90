"""Where and on what a benchmark ran: the header of every result file (the code measured, the
machine, its load), and the machine's CPU counters the benchmarks read."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (all its threads), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_cpu_seconds() -> float | None:
    """CPU seconds all cores spent not idle since boot, from /proc/stat; None elsewhere."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def git_state() -> dict[str, Any]:
    """The code measured: commit, and whether tracked files differed from it."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
            )
        except OSError:
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "HEAD") or None
    dirty = bool(git("status", "--porcelain", "--untracked-files=no")) if commit else None
    return {"commit": commit, "uncommitted_changes": dirty}


@dataclass
class Run:
    """One run of a benchmark, from its start: `header()` is what its result file begins with."""

    benchmark: str
    argv: list[str]
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    began: float = field(default_factory=time.perf_counter)
    load_start: tuple[float, float, float] = field(default_factory=os.getloadavg)

    @classmethod
    def start(cls, benchmark: str, argv: list[str] | None) -> Run:
        return cls(benchmark, list(argv if argv is not None else sys.argv[1:]))

    def header(self) -> dict[str, Any]:
        """The benchmark, when and how long, the exact command, the code, and the machine with
        its load average (1, 5, 15 minutes) at the start and the end: on a loaded machine every
        absolute figure is inflated, so a reader must know the load."""
        return {
            "benchmark": self.benchmark,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "wall_seconds": round(time.perf_counter() - self.began, 1),
            "command": " ".join([f"python -m bench.{self.benchmark}", *self.argv]),
            "code": git_state(),
            "host": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "sqlite": sqlite3.sqlite_version,
                "load_average_start": [round(x, 1) for x in self.load_start],
                "load_average_end": [round(x, 1) for x in os.getloadavg()],
            },
        }
