"""Fixtures of the display tests: a live server over a seeded SQLite office, staff at its desks,
and the shared chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.displays.support import Desks, Office, seed_office, sqlite_copy
from tests.live import LiveServer

# Fast heartbeats and last-seen writes so the tests see them without waiting.
FAST_FEED = {
    "SADUAK_DISPLAY_HEARTBEAT_SECONDS": "1",
    "SADUAK_DISPLAY_LAST_SEEN_SECONDS": "1",
}


@pytest.fixture(scope="module")
def office(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Office:
    """The demo office in its own SQLite file, shared by one test module."""
    return seed_office(sqlite_copy(sqlite_template, tmp_path_factory.mktemp("display-office")))


@pytest.fixture(scope="module")
def server(office: Office, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(office.url, env=FAST_FEED, log_dir=tmp_path_factory.mktemp("logs"))
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
async def desks(server: LiveServer, office: Office) -> AsyncIterator[Desks]:
    async with Desks(server.url, office) as desks:
        yield desks
