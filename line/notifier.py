"""LINE notices follow each office's events like every live page does: a channel of the office's
feed (counter/feed.py), with no pages of its own.

On every office event (and every `RESYNC_SECONDS`, and whenever a citizen links a ticket) the
channel plans the office's notices (`LineService.plan`: outbox rows, written once whatever the
number of processes); the outbox worker of channel "line" sends them. Neither runs in the queue's
transaction or on its request path, so a slow or failing LINE API never delays a call."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime
from typing import Any

from fastapi import FastAPI

from counter.feed import Channel, FeedHub, OfficeFeed, Peer, Snapshot, event_seq
from counter.outbox import OutboxWorker
from line.client import LineApi
from line.service import CHANNEL, LineService

log = logging.getLogger(__name__)

# Plan again this often without events: catches an event missed while the bus was away.
RESYNC_SECONDS = 30.0


class LineNotices(Channel):
    """The office's LINE notices, planned after its events. It has no peers."""

    kind = "line"
    ordered = False
    heartbeat_seconds = 3600.0
    resync_seconds = RESYNC_SECONDS

    def __init__(self, office: OfficeFeed, *, service: LineService) -> None:
        super().__init__(office)
        self.service = service
        self._plan_queued = False

    async def snapshot(self, peers: list[Peer]) -> Mapping[Peer, Snapshot | None] | None:
        return {}

    async def on_event(self, event: dict[str, Any]) -> None:
        if event_seq(event) is not None:
            self.request_plan()

    def resync(self, peers: Iterable[Peer] | None = None) -> None:
        # A (re)subscription, a sequence gap, the periodic resync: plan from the database.
        super().resync(peers)
        self.request_plan()

    def heartbeat_text(self, peer: Peer, at: datetime) -> str:
        return ""

    def request_plan(self) -> None:
        """Plan soon, once for however many events arrive meanwhile."""
        if not self._plan_queued:
            self._plan_queued = True
            self.post(self._plan_job)

    async def _plan_job(self) -> None:
        self._plan_queued = False
        await self.service.plan(self.office_id)


def follow(feeds: FeedHub, office_id: int) -> LineNotices:
    """Start (or find) the office's notices in this process."""
    return feeds.channel(office_id, LineNotices)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The LINE client, service, notices of every office with LINE on, and the outbox worker of
    channel "line", for the app's lifetime (`app.state.line`, `app.state.line_worker`)."""
    settings = app.state.settings
    feeds: FeedHub = app.state.feeds
    api = LineApi(settings.line_api_url, timeout=settings.line_timeout_seconds)
    service = LineService(
        app.state.db,
        app.state.queue,
        api,
        chat_url=settings.line_chat_url,
        clock=app.state.queue.clock,
        # The bookings, handed over by the app factory (line cannot import them).
        bookings=getattr(app.state, "line_bookings", None),
    )
    worker = OutboxWorker(
        app.state.db, CHANNEL, service.send, clock=app.state.queue.clock, concurrency=4
    )
    service.on_written.append(worker.wake)
    service.on_linked.append(lambda office_id: follow(feeds, office_id).request_plan())
    feeds.configure(LineNotices, service=service)
    app.state.line = service
    app.state.line_worker = worker
    for office_id in await service.offices():
        follow(feeds, office_id)
    worker.start()
    try:
        yield
    finally:
        await worker.stop()
        await api.close()
