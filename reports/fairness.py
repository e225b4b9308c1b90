"""Fairness evidence: were tickets called in the order the office's policy sets?

Every `called` event records why that ticket was chosen (`detail.reason`): call-next writes the
policy's reason — `aged` (a normal ticket past the ageing cap), `priority` or `normal` (its turn in
the priority : normal mix) — and a call by number writes `out_of_order` with the staff member's
note. A call is *in policy order* when call-next chose it. Recalls are their own event kind and
are not calls. Waits by priority come from the one metrics engine (transaction rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from counter.models import Ticket, TicketEvent
from reports.metrics import TransactionRow, share
from reports.rollup import ThresholdsAt, tally_by, tally_metrics

POLICY_REASONS = ("aged", "priority", "normal")
OUT_OF_ORDER = "out_of_order"


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


def _calls_of(office_id: int, first: date, last: date) -> Any:
    e, t = TicketEvent, Ticket
    return (
        sa.select(col(e.id))
        .join(t, col(t.id) == col(e.ticket_id))
        .where(
            col(t.office_id) == office_id,
            col(t.business_day) >= first,
            col(t.business_day) <= last,
            col(e.kind) == "called",
        )
    )


def _reason() -> Any:
    # JSON path, compiled for each database (json_extract on SQLite, ->> on PostgreSQL).
    return sa.type_coerce(col(TicketEvent.detail), sa.JSON)["reason"].as_string()


def call_counts(
    session: Session, office_id: int, first: date, last: date
) -> dict[tuple[int, str], int]:
    """(service id, reason) -> calls of the tickets of these business days, counted in SQL."""
    e = TicketEvent
    ids = _calls_of(office_id, first, last).subquery()
    # The reason is computed once in a subquery: PostgreSQL groups only by an identical
    # expression, and each JSON path would carry its own bound parameter.
    each = (
        sa.select(col(e.service_id).label("service_id"), _reason().label("reason"))
        .where(col(e.id).in_(sa.select(ids.c.id)))
        .subquery()
    )
    rows = session.execute(
        sa.select(each.c.service_id, each.c.reason, sa.func.count()).group_by(
            each.c.service_id, each.c.reason
        )
    ).all()
    out: dict[tuple[int, str], int] = {}
    for sid, reason, n in rows:
        # Calls logged before reasons were recorded were all call-next's.
        key = (sid, reason or "normal")
        out[key] = out.get(key, 0) + int(n)
    return out


def out_of_order_calls(session: Session, office_id: int, first: date, last: date) -> list[Call]:
    """Every call by number (out of policy order), in the order they happened."""
    e, t = TicketEvent, Ticket
    ids = _calls_of(office_id, first, last).subquery()
    rows = session.execute(
        sa.select(
            col(e.at),
            col(e.ticket_id),
            col(t.number),
            col(t.priority),
            col(e.service_id),
            col(e.counter_id),
            col(e.staff_id),
            col(e.detail),
        )
        .join(t, col(t.id) == col(e.ticket_id))
        .where(col(e.id).in_(sa.select(ids.c.id)), _reason() == OUT_OF_ORDER)
        .order_by(col(e.at), col(e.seq))
    ).all()
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
        for at, tid, number, priority, sid, cid, stid, detail in rows
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
    counts: Mapping[tuple[int, str], int],
    out_of_order: Sequence[Call],
    rows: Iterable[TransactionRow],
    thresholds: ThresholdsAt,
    *,
    service_order: Callable[[int], Any],
    describe: Callable[[Call], dict[str, Any]],
) -> dict[str, Any]:
    """Per service line: calls in policy order; every out-of-order call; priority vs normal
    waits per line and overall (seconds, from the engine's transaction rows)."""
    rows = list(rows)
    lines: dict[int, dict[str, int]] = {}
    overall: dict[str, int] = {}
    for (sid, reason), n in counts.items():
        lines.setdefault(sid, {})[reason] = lines.get(sid, {}).get(reason, 0) + n
        overall[reason] = overall.get(reason, 0) + n
    waits = tally_by(
        rows, lambda r: (r.service_id, "priority" if r.priority else "normal"), thresholds
    )
    overall_waits = tally_by(rows, lambda r: "priority" if r.priority else "normal", thresholds)

    def wait_of(tallies: Mapping[Any, Any], key: Any) -> dict[str, Any] | None:
        tally = tallies.get(key)
        if tally is None:
            return None
        return {"waited": len(tally.waits), "wait": tally_metrics(tally)["wait"]}

    services = sorted({*lines, *(r.service_id for r in rows)}, key=service_order)
    return {
        "overall": {
            **_line(overall),
            "priority_wait": wait_of(overall_waits, "priority"),
            "normal_wait": wait_of(overall_waits, "normal"),
        },
        "by_service": [
            {
                "service_id": sid,
                **_line(lines.get(sid, {})),
                "priority_wait": wait_of(waits, (sid, "priority")),
                "normal_wait": wait_of(waits, (sid, "normal")),
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
