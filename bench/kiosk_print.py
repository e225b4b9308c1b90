"""Kiosk printing: render time per ticket, and tap-to-printed latency over HTTP, direct and
through a kiosk print agent.

    .venv/bin/python -m bench.kiosk_print [--tickets 100] [--out bench/results/kiosk_print.json]

1. Render: `kiosk.printing.render_ticket` for 58 mm (384 dots), 80 mm (512) and 576-dot printers,
   after one warm-up (fonts loaded), p50/p99 over N renders.
2. Tap to printed: a real `saduak serve` process on a fresh SQLite database, a kiosk whose printer
   is the fake network printer (printer/fake.py, on loopback in this process), and N sequential
   POST /api/v1/tickets with the kiosk's token. The response comes back once the ticket is on
   "paper" (status checked before and after the cut), so its latency is tap-to-printed.
3. Through the agent, in the same run and against the same fake printer: a second kiosk whose
   printer is `agent://`, served by a real `saduak kiosk-agent` process on this machine; taps
   alternate between the two kiosks, so both paths see the same load. The response comes back
   once the agent has acknowledged the slip (status before and after the cut, on its side).
   Target: agent p99 <= 1.5 x direct p99.
4. Bytes on the wire for one 512-dot ticket: the slip as the agent receives it (1-bit PNG in
   the JSON job message), the ESC/POS job the printer receives, and the plain slip record an
   agent would need to render itself.
5. Thai word breaks (printer/thaiwords.py, PyThaiNLP): the cold cost in a fresh process
   (import plus dictionary, and the memory it adds), and the word breaking of one slip's texts
   with nothing cached (every service name of the catalogue, the office name, wait and footer),
   each also as a ratio to the 512-dot render p50 of the same run.
   `--words-only` measures only this.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.machine import Run
from counter.auth import DeviceKind, add_device, hash_password
from counter.bus import MemoryBus
from counter.db import Database
from counter.models import Device, Office
from counter.seed import seed_demo
from counter.service import QueueService, TicketView
from kiosk.printing import render_ticket, slip_for
from printer import agent_protocol
from printer.config import PrinterConfig
from printer.escpos_io import compose_job
from saduak import migrations
from tests.kiosk.agent_support import AgentProcess, wait_until
from tests.live import LiveServer
from tests.printer.fake import FakePrinter


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


def main(argv: list[str] | None = None) -> None:
    run = Run.start("kiosk_print", argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bench/results/kiosk_print.json"))
    parser.add_argument("--words-only", action="store_true", help="only the Thai word breaks")
    args = parser.parse_args(argv)
    if args.words_only:
        print(json.dumps(thai_words_cost(args.tickets), indent=2))
        return

    workdir = Path(tempfile.mkdtemp(prefix="saduak-bench-kiosk-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    migrations.upgrade(url)
    db = Database(url)
    now = datetime.now(UTC)
    results: dict[str, object] = {}
    try:
        with FakePrinter.running() as fp:
            with db.write() as session:
                seed_demo(
                    session,
                    now,
                    passwords={n: "x" for n in ("admin", "manager", "staff1", "staff2")},
                    make_hash=lambda _p, h=hash_password("x"): h,
                )
                _, token = add_device(
                    session, 1, DeviceKind.KIOSK, "bench", now, printer=fp.url + "?width=512"
                )
                agent_kiosk, agent_token = add_device(
                    session, 1, DeviceKind.KIOSK, "bench-agent", now, printer="agent://"
                )
                agent_kiosk_id = agent_kiosk.id

            # 1. Render time.

            async def one_view() -> tuple[TicketView, Office]:
                queue = QueueService(db, MemoryBus())
                await queue.bus.start()
                view = await queue.issue_ticket(1, "id_card_renewal", "elderly")
                office = await queue.office(1)
                await queue.bus.stop()
                return view, office

            view, office = asyncio.run(one_view())
            render: dict[str, object] = {}
            for width in (384, 512, 576):
                render_ticket(view, office, width)
                ms = []
                for _ in range(args.tickets):
                    started = time.perf_counter()
                    render_ticket(view, office, width)
                    ms.append((time.perf_counter() - started) * 1000)
                render[str(width)] = summary(ms)
            results["render"] = render
            words = thai_words_cost(args.tickets)
            render_512: dict[str, float] = render["512"]  # type: ignore[assignment]
            for key in ("cold_load_ms", "slip_words_ms_p50"):
                words[key.removesuffix("_ms").removesuffix("_ms_p50") + "_over_render_p50"] = round(
                    words[key] / render_512["p50_ms"], 2
                )
            results["thai_words"] = words

            # 4. Bytes on the wire.
            image = render_ticket(view, office, 512)
            message = agent_protocol.job_message(1, "ticket", view.number, image)
            results["bytes_per_ticket"] = {
                "agent_job_message": len(json.dumps(message)),
                "png": len(agent_protocol.encode_image(image)) * 3 // 4,
                "escpos_job": len(compose_job(PrinterConfig.parse(fp.url), image)),
                "slip_record_json": len(
                    json.dumps(dataclasses.asdict(slip_for(view, office)), ensure_ascii=False)
                ),
            }

            # 2 and 3. Tap to printed over HTTP, direct and through the agent.
            with LiveServer(
                url,
                env={
                    "SADUAK_KIOSK_RATE_PER_MINUTE": "100000",
                    "SADUAK_PRINTER_ALLOW": "127.0.0.1:*",
                },
            ) as server:
                agent = AgentProcess(
                    server.url, agent_token, fp.url + "?width=512", workdir / "agent-state"
                )
                with agent:

                    def agent_connected() -> bool:
                        with db.read() as session:
                            device = session.get(Device, agent_kiosk_id)
                            return device is not None and device.printer_state == "ok"

                    wait_until(agent_connected, 60, "the agent to connect", agent.logs)
                    paths = {"direct": token, "agent": agent_token}
                    ms: dict[str, list[float]] = {name: [] for name in paths}
                    printed = dict.fromkeys(paths, 0)
                    with httpx.Client(base_url=server.url, timeout=30) as client:
                        for i in range(args.tickets + 5):
                            for name, kiosk_token in paths.items():
                                started = time.perf_counter()
                                r = client.post(
                                    "/api/v1/tickets",
                                    json={"service": "birth"},
                                    headers={
                                        "Authorization": f"Bearer {kiosk_token}",
                                        "Idempotency-Key": str(uuid.uuid4()),
                                    },
                                )
                                took = (time.perf_counter() - started) * 1000
                                r.raise_for_status()
                                if i >= 5:  # warm-up: connections, caches
                                    ms[name].append(took)
                                    printed[name] += r.json()["print_status"] == "printed"
                results["tap_to_printed"] = {**summary(ms["direct"]), "printed": printed["direct"]}
                results["tap_to_printed_agent"] = {
                    **summary(ms["agent"]),
                    "printed": printed["agent"],
                }
                results["agent_p99_over_direct_p99"] = round(
                    pct(ms["agent"], 0.99) / pct(ms["direct"], 0.99), 2
                )
    finally:
        db.dispose()
        shutil.rmtree(workdir, ignore_errors=True)

    render_rows: dict[str, dict[str, float]] = results["render"]  # type: ignore[assignment]
    tap: dict[str, float] = results["tap_to_printed"]  # type: ignore[assignment]
    agent_tap: dict[str, float] = results["tap_to_printed_agent"]  # type: ignore[assignment]
    print(f"{'ms':<28}{'p50':>8}{'p99':>8}{'max':>8}")
    for width, row in render_rows.items():
        print(
            f"{'render, ' + width + ' dots':<28}{row['p50_ms']:>8}{row['p99_ms']:>8}"
            f"{row['max_ms']:>8}"
        )
    for label, row in (("tap to printed (HTTP)", tap), ("... through the agent", agent_tap)):
        print(
            f"{label:<28}{row['p50_ms']:>8}{row['p99_ms']:>8}{row['max_ms']:>8}"
            f"   {row['printed']}/{row['n']} printed"
        )
    print(f"agent p99 / direct p99: {results['agent_p99_over_direct_p99']} (target <= 1.5)")
    print("bytes per ticket:", results["bytes_per_ticket"])
    print("Thai word breaks:", results["thai_words"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    header = run.header()
    host = header["host"]
    print(
        "load average (1, 5, 15 min) before and after:",
        host["load_average_start"],
        host["load_average_end"],
    )
    args.out.write_text(json.dumps({**header, **results}, indent=2))


# Resident memory from /proc: ru_maxrss would carry the parent's high-water mark over the fork.
_COLD_LOAD = """
import time
def rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
before = rss_kb()
started = time.perf_counter()
from printer import thaiwords
thaiwords.warm_up()
print(time.perf_counter() - started, rss_kb() - before)
"""


def thai_words_cost(rounds: int) -> dict[str, float]:
    """The cold load in fresh processes, then one slip's word breaks with nothing cached."""
    import subprocess
    import sys

    from counter.seed import catalogue
    from printer import thaiwords

    loads, grown = [], []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", _COLD_LOAD], capture_output=True, text=True, check=True
        ).stdout.split()
        loads.append(float(out[0]) * 1000)
        grown.append(int(out[1]) / 1024)
    thaiwords.warm_up()
    texts = [row.name_th for row in catalogue()]
    texts += [
        "ที่ทำการปกครองอำเภอเมืองเชียงใหม่",
        "รอ 12 คิว (ประมาณ 20–35 นาที)",
        "กรุณารอฟังเสียงเรียกและดูหมายเลขที่จอแสดงผล",
    ]
    per_text, per_slip = [], []
    for _ in range(rounds):
        thaiwords.word_boundaries.cache_clear()
        started = time.perf_counter()
        for text in texts:
            thaiwords.word_boundaries(text)
        elapsed = (time.perf_counter() - started) * 1000
        per_text.append(elapsed / len(texts))
        # A slip has one service name, the office name, the wait and the footer.
        per_slip.append(elapsed / len(texts) * 4)
    return {
        "cold_load_ms": round(statistics.median(loads), 1),
        "cold_load_ms_max": round(max(loads), 1),
        "memory_added_mb": round(statistics.median(grown), 1),
        "texts": len(texts),
        "per_text_ms_p50": round(statistics.median(per_text), 3),
        "slip_words_ms_p50": round(statistics.median(per_slip), 3),
    }


if __name__ == "__main__":
    main()
