"""The in-process bus: fan-out inside one process (the single-process SQLite deployment, tests)."""

from __future__ import annotations

from counter.bus._base import DEFAULT_MAX_QUEUE, _FanOutBus


class MemoryBus(_FanOutBus):
    """Fan-out inside one process (the single-process SQLite deployment, and tests)."""

    def __init__(self, *, max_queue: int = DEFAULT_MAX_QUEUE, namespace: str = "") -> None:
        super().__init__(max_queue=max_queue, namespace=namespace)

    async def _send(self, channel: str, text: str) -> None:
        self._dispatch(channel, text)
