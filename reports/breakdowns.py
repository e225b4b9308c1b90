"""The dashboard's breakdowns of a period (per counter, staff member, priority, outside-hours
class and hour of arrival), read from the breakdown rollups or tallied from transaction rows,
and the tables, hourly profile, heat map and counter time made of them. Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reports.context import OfficeContext, counter_name, counter_no
from reports.metrics import TransactionRow
from reports.rollup import (
    DayServiceAgg,
    OfficeClock,
    ThresholdsAt,
    group_counts,
    group_metrics,
    tally_by,
    tally_metrics,
)
from reports.sessions import CounterInterval, SessionTotals, open_by_hour


class _Tables(dict[str, dict[Any, dict[str, Any]]]):
    """Breakdown kind -> key -> metrics, each kind's made from its rollups when first asked for
    (the evidence pack shows some tables, the dashboard all)."""

    def __init__(self, groups: dict[str, dict[Any, list[DayServiceAgg]]]) -> None:
        super().__init__()
        self.groups = groups

    def __missing__(self, kind: str) -> dict[Any, dict[str, Any]]:
        table = self[kind] = {k: group_metrics(a) for k, a in self.groups.get(kind, {}).items()}
        return table


@dataclass
class Breakdowns:
    """The dashboard's breakdowns of a period: metrics per counter, staff, priority, outside
    class and arrival hour; the hourly and weekday × hour arrival counts; counter busy time."""

    metrics: dict[str, dict[Any, dict[str, Any]]]
    arrivals: dict[int, int]  # issued tickets by local hour of issue
    served: dict[int, int]  # finished services by local hour of finish
    weekday_hour: dict[tuple[int, int], int]  # issued tickets by weekday and hour
    busy: dict[int, int]  # walk + service seconds of a counter's completed transactions

    def counts(self, kind: str) -> Mapping[Any, Mapping[str, Any]]:
        """A table's counts and verdicts, without its durations' statistics unless made."""
        if kind in self.metrics or not isinstance(self.metrics, _Tables):
            return self.metrics[kind]
        return {k: group_counts(a) for k, a in self.metrics.groups.get(kind, {}).items()}


_TABLE_KINDS = {"counter": int, "staff": int, "priority": str, "outside": str, "hour": int}


def breakdowns_from_groups(groups: Sequence[DayServiceAgg]) -> Breakdowns:
    """From the breakdown rollups (report_day_group / report_month_group and live days)."""
    by_key: dict[tuple[str, str], list[DayServiceAgg]] = {}
    for a in groups:
        by_key.setdefault((a.kind, a.key), []).append(a)
    tables: dict[str, dict[Any, list[DayServiceAgg]]] = {k: {} for k in _TABLE_KINDS}
    parts = Breakdowns(_Tables(tables), {}, {}, {}, {})
    for (kind, key), aggs in by_key.items():
        if kind in _TABLE_KINDS:
            tables[kind][_TABLE_KINDS[kind](key)] = aggs
        if kind == "hour":
            parts.arrivals[int(key)] = sum(a.counts["issued"] for a in aggs)
        elif kind == "end_hour":
            parts.served[int(key)] = sum(a.counts["served"] for a in aggs)
        elif kind == "weekday_hour":
            wd, hour = key.split(":")
            parts.weekday_hour[(int(wd), int(hour))] = sum(a.counts["issued"] for a in aggs)
        elif kind == "counter":
            parts.busy[int(key)] = sum(sum(a.services) + sum(a.walks) for a in aggs)
    return parts


def breakdowns_from_rows(rows: Sequence[TransactionRow], th: ThresholdsAt) -> Breakdowns:
    """The same from transaction rows (one counter's dashboard)."""
    keys: dict[str, Callable[[TransactionRow], Any]] = {
        "counter": lambda r: r.counter_id,
        "staff": lambda r: r.staff_id,
        "priority": lambda r: r.priority or "",
        "outside": lambda r: r.outside,
        "hour": lambda r: r.arrival_hour,
    }
    parts = Breakdowns({}, {}, {}, {}, {})
    for kind, key in keys.items():
        parts.metrics[kind] = {
            k: tally_metrics(t, light=True)
            for k, t in tally_by([r for r in rows if key(r) is not None], key, th).items()
            if not (kind == "outside" and not k)
        }
    for r in rows:
        if r.arrival == "issued":
            parts.arrivals[r.arrival_hour] = parts.arrivals.get(r.arrival_hour, 0) + 1
            wh = (r.weekday, r.arrival_hour)
            parts.weekday_hour[wh] = parts.weekday_hour.get(wh, 0) + 1
        if r.outcome == "done" and r.end_hour is not None:
            parts.served[r.end_hour] = parts.served.get(r.end_hour, 0) + 1
        if r.counter_id is not None and r.service_s is not None:
            parts.busy[r.counter_id] = (
                parts.busy.get(r.counter_id, 0) + r.service_s + (r.walk_s or 0)
            )
    return parts


def breakdown_tables(
    ctx: OfficeContext, parts: Breakdowns, satisfaction: Mapping[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """The dashboard's tables by counter, priority and outside-hours class."""
    return {
        "counters": [
            {
                "counter_id": cid,
                "name_th": counter_name(ctx, cid),
                **metrics,
                "satisfaction": satisfaction["by_counter"].get(cid),
            }
            for cid, metrics in sorted(
                parts.metrics["counter"].items(), key=lambda kv: counter_no(ctx, kv[0])
            )
        ],
        "priority": [
            {"priority": p, **metrics} for p, metrics in sorted(parts.metrics["priority"].items())
        ],
        "outside": [
            {"outside": k, **metrics} for k, metrics in sorted(parts.metrics["outside"].items())
        ],
    }


def hourly(
    parts: Breakdowns, intervals: Sequence[CounterInterval], clock: OfficeClock, open_days: int
) -> list[dict[str, Any]]:
    """Per local hour: average arrivals and served per day the office was open, and average
    open counters."""
    return hourly_rows(parts, open_by_hour(intervals, clock.tz), open_days)


def hourly_rows(
    parts: Breakdowns, open_s: Mapping[int, float], open_days: int
) -> list[dict[str, Any]]:
    """The same from the open counter seconds per local hour (the session rollups)."""
    n_days = max(1, open_days)
    arrivals, served = parts.arrivals, parts.served
    hours = sorted(
        {h for h, n in arrivals.items() if n}
        | set(served)
        | {h for h, s in open_s.items() if s > 0}
    )
    return [
        {
            "hour": h,
            "arrivals_total": arrivals.get(h, 0),
            "served_total": served.get(h, 0),
            "arrivals_per_day": arrivals.get(h, 0) / n_days,
            "served_per_day": served.get(h, 0) / n_days,
            "open_counters": open_s.get(h, 0.0) / 3600 / n_days,
        }
        for h in hours
    ]


def heatmap(parts: Breakdowns, open_days: Sequence[date]) -> dict[str, Any]:
    """Average arrivals per open day for weekday × hour."""
    days_by_weekday = [sum(1 for d in open_days if d.weekday() == wd) for wd in range(7)]
    counts = parts.weekday_hour
    hours = sorted({h for (_, h), n in counts.items() if n}) or list(range(8, 17))
    grid = [
        [counts.get((wd, h), 0) / max(1, days_by_weekday[wd]) for h in hours] for wd in range(7)
    ]
    peak = max((v for row in grid for v in row), default=0.0)
    return {"hours": hours, "grid": grid, "peak": peak, "days": days_by_weekday}


def counter_time(
    ctx: OfficeContext, busy: Mapping[int, int], sessions: SessionTotals
) -> list[dict[str, Any]]:
    """Per counter: seconds open, paused (by reason), busy serving and idle."""
    out = []
    for cid in sorted(ctx.counters, key=lambda c: ctx.counters[c].number):
        open_s = sessions.open_s.get(cid, 0)
        paused = sessions.paused_s.get(cid, {})
        if not open_s and not busy.get(cid):
            continue
        paused_s = sum(paused.values())
        busy_s = busy.get(cid, 0)
        out.append(
            {
                "counter_id": cid,
                "number": ctx.counters[cid].number,
                "name_th": counter_name(ctx, cid),
                "open_s": open_s,
                "paused_s": paused_s,
                "paused_by_reason": paused,
                "busy_s": busy_s,
                "idle_s": max(0, open_s - paused_s - busy_s),
            }
        )
    return out
