"""A sliding-window limit per key: a kiosk device, so a stuck screen cannot flood the queue; a
source address, so nobody floods the public complaint form."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable


class RateLimiter:
    """At most `limit` events per `window` seconds per key, counted in this process.

    Several app processes each count their own share; the limit is a guard against a runaway
    screen, not an accounting rule, so that is close enough.
    """

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[Hashable, deque[float]] = {}

    # Keys kept before the idle ones are swept (source addresses of a public form are unbounded).
    MAX_KEYS = 10_000

    def allow(self, key: Hashable) -> bool:
        now = self.clock()
        if len(self._events) > self.MAX_KEYS:
            self._events = {
                k: q for k, q in self._events.items() if q and now - q[-1] < self.window
            }
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def refund(self, key: Hashable) -> None:
        """Take back the latest event allowed for the key: the work it stood for never happened
        (e.g. the ticket could not be stored), so it must not use up the device's share."""
        events = self._events.get(key)
        if events:
            events.pop()
