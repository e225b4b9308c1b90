"""The feed's ticker keeps two schedules, heartbeats and resyncs, each on time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from counter.bus import MemoryBus
from counter.db import Database
from counter.feed import Channel, FeedHub, Peer, Snapshot
from tests.conftest import SQLITE_ONLY, FakeClock

# The ticker is the subject, not the database.
pytestmark = SQLITE_ONLY


class Rare(Channel):
    """Beats hourly (as the LINE notices do) but resyncs often."""

    kind = "rare"
    heartbeat_seconds = 3600.0
    resync_seconds = 0.05

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.resyncs = 0
        self.beats = 0

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None] | None:
        return {}

    def resync(self, peers: Iterable[Peer] | None = None) -> None:
        self.resyncs += 1
        super().resync(peers)

    async def _heartbeat_job(self) -> None:
        self.beats += 1


async def test_a_channel_that_beats_rarely_still_resyncs_on_its_own_schedule(
    database: Database,
) -> None:
    bus = MemoryBus()
    await bus.start()
    hub = FeedHub(db=database, bus=bus, clock=FakeClock())
    try:
        channel = hub.channel(1, Rare)
        await channel.office.wait_subscribed()
        subscribed = channel.resyncs  # the resync every (re)subscription makes
        async with asyncio.timeout(5):
            while channel.resyncs < subscribed + 3:
                await asyncio.sleep(0.01)
        assert channel.beats == 0  # the hour has not passed
    finally:
        await hub.stop()
        await bus.stop()
