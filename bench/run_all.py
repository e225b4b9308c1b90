"""Run every benchmark in bench/, one after another, each as `python -m MODULE` with its defaults.

    .venv/bin/python -m bench.run_all

Each benchmark writes its own JSON under bench/results/. To add one, append its module to
BENCHMARKS. Exits non-zero when any benchmark failed to run (a missed target is not a failure).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in this order.
BENCHMARKS: list[str] = [
    "bench.http_queue",
    "bench.cost_growth",
    "bench.forecast_replay",
    "bench.kiosk_print",
    "bench.display_fanout",
    "bench.status_fanout",
    "bench.issue_with_pages",
    "bench.reports_summary",
    "bench.estimate_accuracy",
    "bench.backup_drill",
    "bench.login_flood",
]


def main() -> int:
    failed: list[str] = []
    for module in BENCHMARKS:
        print(f"\n=== {module} ===", flush=True)
        started = time.monotonic()
        code = subprocess.run([sys.executable, "-m", module], cwd=ROOT, check=False).returncode
        took = time.monotonic() - started
        print(f"=== {module}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {took:.0f}s ===")
        if code != 0:
            failed.append(module)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
        return 1
    print(f"\nall {len(BENCHMARKS)} benchmark(s) ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
