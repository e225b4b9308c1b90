"""Fairness evidence: were tickets called in the order the office's policy sets?

Every `called` event records why that ticket was chosen (`detail.reason`): call-next writes the
policy's reason — `aged` (a normal ticket past the ageing cap), `priority` or `normal` (its turn in
the priority : normal mix) — and a call by number writes `out_of_order` with the staff member's
note. A call is *in policy order* when call-next chose it. Recalls are their own event kind and
are not calls. Calls are counted by the rollups (report_day_call, built with the other rollups in
reports/rollup.py), and waits by priority come from the same engine (the "line" breakdowns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from reports import repository as repo
from reports.metrics import SortedRuns, duration_stats, share
from reports.rollup import OUT_OF_ORDER, DayCalls

# Calls the counter's own rule made (counter/queue/policy.py), a booked ticket at its slot too.
POLICY_REASONS = ("aged", "booked", "priority", "normal")


@dataclass(frozen=True)
class Call:
    at: datetime
    ticket_id: int
    number: str
    priority: str | None
    service_id: int
    counter_id: int | None
    staff_id: int | None
    reason: str
    note: str
    foreign_service: bool


def out_of_order_calls(session: Session, office_id: int, calls: Iterable[DayCalls]) -> list[Call]:
    """Every call by number (out of policy order) among `calls`, in the order they happened."""
    seqs = [seq for c in calls if c.reason == OUT_OF_ORDER for seq in c.seqs]
    return [
        Call(
            at=at,
            ticket_id=tid,
            number=number,
            priority=priority,
            service_id=sid,
            counter_id=cid,
            staff_id=stid,
            reason=OUT_OF_ORDER,
            note=str((detail or {}).get("note") or ""),
            foreign_service=bool((detail or {}).get("foreign_service")),
        )
        for at, tid, number, priority, sid, cid, stid, detail in repo.calls_by_seq(
            session, office_id, seqs
        )
    ]


def _line(counts: Mapping[str, int]) -> dict[str, Any]:
    by_reason = {r: counts.get(r, 0) for r in (*POLICY_REASONS, OUT_OF_ORDER)}
    in_order = sum(by_reason[r] for r in POLICY_REASONS)
    calls = sum(counts.values())
    return {
        "calls": calls,
        "in_order": in_order,
        "out_of_order": by_reason[OUT_OF_ORDER],
        "in_order_pct": share(in_order, calls),
        "by_reason": by_reason,
    }


def fairness(
    calls: Iterable[DayCalls],
    out_of_order: Sequence[Call],
    line_waits: Mapping[tuple[int, bool], Sequence[Sequence[int]]],
    *,
    service_order: Callable[[int], Any],
    describe: Callable[[Call], dict[str, Any]],
) -> dict[str, Any]:
    """Per service line: calls in policy order; every out-of-order call; priority vs normal
    waits per line and overall (seconds). `line_waits`: (service id, priority?) -> the sorted
    wait runs of that line's transactions (one per day or month rollup)."""
    lines: dict[int, dict[str, int]] = {}
    overall: dict[str, int] = {}
    for c in calls:
        line = lines.setdefault(c.service_id, {})
        line[c.reason] = line.get(c.reason, 0) + c.calls
        overall[c.reason] = overall.get(c.reason, 0) + c.calls

    def wait_of(runs: Sequence[Sequence[int]]) -> dict[str, Any]:
        waits = SortedRuns(runs)
        return {"waited": len(waits), "wait": duration_stats(waits).as_dict()}

    def overall_wait(priority: bool) -> dict[str, Any] | None:
        if not any(p == priority for _, p in line_waits):
            return None  # no ticket of this kind in the period
        return wait_of([r for (_, p), rs in line_waits.items() if p == priority for r in rs])

    def line_wait(sid: int, priority: bool) -> dict[str, Any] | None:
        runs = line_waits.get((sid, priority))
        return None if runs is None else wait_of(runs)

    services = sorted({*lines, *(sid for sid, _ in line_waits)}, key=service_order)
    return {
        "overall": {
            **_line(overall),
            "priority_wait": overall_wait(True),
            "normal_wait": overall_wait(False),
        },
        "by_service": [
            {
                "service_id": sid,
                **_line(lines.get(sid, {})),
                "priority_wait": line_wait(sid, True),
                "normal_wait": line_wait(sid, False),
            }
            for sid in services
        ],
        "out_of_order": [
            {
                "at": c.at.isoformat(),
                "ticket_id": c.ticket_id,
                "number": c.number,
                "priority": c.priority,
                "service_id": c.service_id,
                "note": c.note,
                "foreign_service": c.foreign_service,
                **describe(c),
            }
            for c in out_of_order
        ],
    }
