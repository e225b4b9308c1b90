"""Staff assessment for the office head: one row per staff member and period, from the same
engine as every other report (the staff breakdown rollups, counter sessions, survey tallies).

Handled with care (PDPA): shown to the manager role only. Service speed is judged against each
service's standard (% within standard), never as raw minutes, since services differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reports.metrics import share


def assessment(
    tallies: Mapping[int, Mapping[str, Any]],
    open_s: Mapping[int, int],
    paused: Mapping[int, Mapping[str, int]],
    satisfaction_by_staff: Mapping[int, Mapping[str, Any]],
    name: Callable[[int], str],
) -> list[dict[str, Any]]:
    """Per staff member: transactions they served, % within each service's standard, the
    satisfaction of the tickets they served (respondents and answers), no-show and transfer
    rates of the tickets they called, and time their counter was open / paused by reason.
    `tallies`: staff id -> the counts of the transactions they were called for (the engine's
    staff breakdown: counts and verdicts against each day's standard); `open_s` and `paused`:
    staff id -> seconds of the counter sessions they opened (the session rollups)."""
    people = sorted({*tallies, *open_s, *paused, *satisfaction_by_staff}, key=lambda s: name(s))
    out = []
    for sid in people:
        m = tallies.get(sid)
        served = m["served"] + m["transferred"] if m else 0
        out.append(
            {
                "staff_id": sid,
                "name": name(sid),
                "transactions": served,
                "within_standard": m["within_standard"] if m else 0,
                "within_standard_pct": m["within_standard_pct"] if m else None,
                "no_show": m["no_show"] if m else 0,
                "no_show_pct": m["no_show_pct"] if m else None,
                "transferred": m["transferred"] if m else 0,
                "transfer_pct": share(m["transferred"], served) if m else None,
                "satisfaction": satisfaction_by_staff.get(sid),
                "open_s": open_s.get(sid, 0),
                "paused_s": sum(paused.get(sid, {}).values()),
                "paused_by_reason": paused.get(sid, {}),
            }
        )
    return out
