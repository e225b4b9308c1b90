"""Key metrics of one office for the province comparison, derived from its ticket event log.

Definitions follow DOMAIN.md: per transaction (a transfer starts a new one), wait runs from the
issue (or the transfer) to the call that led to service — the last call before the first start,
or the first call when the ticket was never served; service time is the sum of the started
stretches, so held time never counts. The reports package computes the full set; this is the
small part a province compares.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

WAIT_STARTS = ("issued", "requeued")
CALLS = ("called",)
SERVICE_ENDS = ("held", "finished", "transferred", "closed_unserved", "cancelled")
SERVED_ENDS = ("finished", "transferred")


@dataclass(frozen=True)
class Event:
    ticket_id: int
    transaction_no: int
    kind: str
    at: datetime
    service_id: int


@dataclass(frozen=True)
class Standards:
    standard_minutes: int
    wait_target_minutes: int


@dataclass(frozen=True)
class OfficeMetrics:
    tickets: int
    served: int
    waits: int
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    within_standard_pct: float | None
    within_target_pct: float | None


@dataclass
class _Transaction:
    service_id: int
    wait_start: datetime | None = None
    first_call: datetime | None = None
    last_call: datetime | None = None
    call_before_start: datetime | None = None
    serving_since: datetime | None = None
    service_seconds: float = 0.0
    started: bool = False
    served: bool = False
    kinds: list[str] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile: a value that occurred, as a person would read it off a list."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def office_metrics(events: Iterable[Event], standards: Mapping[int, Standards]) -> OfficeMetrics:
    tickets: set[int] = set()
    transactions: dict[tuple[int, int], _Transaction] = {}
    for e in events:
        if e.kind == "issued":
            tickets.add(e.ticket_id)
        tx = transactions.setdefault((e.ticket_id, e.transaction_no), _Transaction(e.service_id))
        if e.kind in WAIT_STARTS and tx.wait_start is None:
            tx.wait_start = e.at
        elif e.kind in CALLS:
            tx.first_call = tx.first_call or e.at
            tx.last_call = e.at
        elif e.kind == "started":
            if not tx.started:
                tx.call_before_start = tx.last_call
            tx.started = True
            tx.serving_since = e.at
        if e.kind in SERVICE_ENDS and tx.serving_since is not None:
            tx.service_seconds += (e.at - tx.serving_since).total_seconds()
            tx.serving_since = None
        if e.kind in SERVED_ENDS and tx.started:
            tx.served = True

    waits: list[float] = []
    within_target = 0
    served = 0
    within_standard = 0
    for tx in transactions.values():
        std = standards.get(tx.service_id)
        wait_end = tx.call_before_start or tx.first_call
        if tx.wait_start is not None and wait_end is not None:
            minutes = max(0.0, (wait_end - tx.wait_start).total_seconds() / 60)
            waits.append(minutes)
            if std is not None and minutes <= std.wait_target_minutes:
                within_target += 1
        if tx.served:
            served += 1
            if std is not None and tx.service_seconds <= std.standard_minutes * 60:
                within_standard += 1
    return OfficeMetrics(
        tickets=len(tickets),
        served=served,
        waits=len(waits),
        wait_median_minutes=statistics.median(waits) if waits else None,
        wait_p90_minutes=percentile(waits, 90),
        within_standard_pct=100 * within_standard / served if served else None,
        within_target_pct=100 * within_target / len(waits) if waits else None,
    )
