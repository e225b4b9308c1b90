"""Report sections that other feature packages contribute (complaints, …).

Reports may not import its sibling packages; the app factory hands it their section functions
instead (`app.state.report_sections`). Each takes the office, the period's first and last local
day, and the period's served count from this package's engine (so "per 1,000 served" uses the
same figure as the rest of the report), and returns a JSON-ready dict.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

Section = Callable[[int, date, date, int | None], Awaitable[dict[str, Any]]]


def registered(state: Any) -> Mapping[str, Section]:
    sections: Mapping[str, Section] = getattr(state, "report_sections", {})
    return sections


async def add_sections(
    state: Any, data: dict[str, Any], office_id: int, first: date, last: date
) -> dict[str, Any]:
    """`data` (a summary, dashboard or evidence pack) with each registered section added."""
    served = (data.get("overall") or {}).get("served")
    for name, section in registered(state).items():
        data[name] = await section(office_id, first, last, served)
    return data
