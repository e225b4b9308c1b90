"""Complaint figures for a period: pure arithmetic over the register's rows.

Definitions (written in the report footer too):
- received: complaints whose received time falls in the period (office-local days);
- % acknowledged within the deadline: of those whose acknowledgement is decided (acknowledged,
  or still unacknowledged past the deadline), the share acknowledged by the deadline;
- % resolved within the deadline: likewise, resolved or referred by the resolve deadline;
- median days: calendar days from receipt to acknowledgement / to resolution or referral;
- per 1,000 served: received ÷ served transactions of the same period × 1,000;
- open / overdue: of the period's complaints, those still open now / open past a deadline;
- recurring root causes: the same root cause (ignoring case and spacing) recorded twice or more.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from complaints.models import Complaint
from complaints.workflow import OPEN, Category, Channel, Status, overdue

DAY_SECONDS = 86_400


def _days(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / DAY_SECONDS


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole * 100, 1)


def _median(values: list[float]) -> float | None:
    return None if not values else round(statistics.median(values), 2)


def overdue_of(c: Complaint, now: datetime) -> str | None:
    found = overdue(
        Status(c.status), c.acknowledged_at, c.acknowledge_due_at, c.resolve_due_at, now
    )
    return None if found is None else found.value


def done_at(c: Complaint) -> datetime | None:
    """When the office finished with it: resolved, or referred to another agency."""
    return c.resolved_at or c.referred_at


def normalise_cause(text: str) -> str:
    return " ".join(text.split()).casefold()


def figures(rows: Sequence[Complaint], now: datetime, served: int | None) -> dict[str, Any]:
    ack_decided = ack_within = 0
    res_decided = res_within = 0
    ack_days: list[float] = []
    res_days: list[float] = []
    causes: dict[str, list[Complaint]] = {}
    open_now = overdue_now = 0
    for c in rows:
        if c.acknowledged_at is not None:
            ack_decided += 1
            ack_within += c.acknowledged_at <= c.acknowledge_due_at
            ack_days.append(_days(c.received_at, c.acknowledged_at))
        elif c.acknowledge_due_at < now and c.status in OPEN:
            ack_decided += 1
        finished = done_at(c)
        if finished is not None:
            res_decided += 1
            res_within += finished <= c.resolve_due_at
            res_days.append(_days(c.received_at, finished))
        elif c.resolve_due_at < now:
            res_decided += 1
        if c.status in OPEN:
            open_now += 1
            overdue_now += overdue_of(c, now) is not None
        if c.root_cause:
            causes.setdefault(normalise_cause(c.root_cause), []).append(c)
    recurring: list[dict[str, Any]] = [
        {
            "root_cause": group[0].root_cause,
            "count": len(group),
            "categories": dict(Counter(c.category for c in group)),
        }
        for group in causes.values()
        if len(group) >= 2
    ]
    recurring.sort(key=lambda r: (-int(r["count"]), str(r["root_cause"])))
    return {
        "received": len(rows),
        "by_channel": {ch.value: sum(c.channel == ch for c in rows) for ch in Channel},
        "by_category": {cat.value: sum(c.category == cat for c in rows) for cat in Category},
        "by_status": {st.value: sum(c.status == st for c in rows) for st in Status},
        "acknowledged_decided": ack_decided,
        "acknowledged_within": ack_within,
        "acknowledged_within_pct": _pct(ack_within, ack_decided),
        "resolved_decided": res_decided,
        "resolved_within": res_within,
        "resolved_within_pct": _pct(res_within, res_decided),
        "median_days_to_acknowledge": _median(ack_days),
        "median_days_to_resolve": _median(res_days),
        "served": served,
        "per_1000_served": (None if not served else round(len(rows) / served * 1000, 2)),
        "open": open_now,
        "overdue": overdue_now,
        "recurring_root_causes": recurring,
    }
