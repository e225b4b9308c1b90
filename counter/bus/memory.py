"""The in-process bus: fan-out inside one process (the single-process SQLite deployment, tests)."""

from __future__ import annotations

from counter.bus._base import _FanOutBus


class MemoryBus(_FanOutBus):
    """Fan-out inside one process (the single-process SQLite deployment, and tests)."""

    async def _send(self, channel: str, text: str) -> None:
        self._dispatch(channel, text)
