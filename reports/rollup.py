"""From transactions to stored facts and per day-and-service aggregates, and from those
aggregates back to a period's summary. Pure functions: the service does the I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any, NamedTuple

from reports.metrics import (
    Durations,
    SortedRuns,
    Tally,
    Transaction,
    count_at_most,
    duration_stats,
    local_hour,
    merge_sorted,
    outside_class,
    pack,
    share,
    transactions_of,
    unpack,
    wait_bands,
)
from reports.metrics import Event as Event

# Bump when the fact rules change: sealed days of an older version are rebuilt.
# 2: serving segments of transactions split by a hold; breakdown rollups (report_day_group).
# 3: each service line's priority and normal waits (kind "line"); calls by reason
#    (report_day_call): the fairness evidence reads rollups too.
# 4: counter sessions per day (report_day_session): counter time, open days and the staff
#    assessment read rollups too.
FACTS_VERSION = 4

# The breakdowns kept as rollups (report_day_group), so the dashboard and the evidence pack
# read rollups like the summary. end_hour and weekday_hour keep counts only; line (a service's
# priority or normal tickets, key "service id:p" or ":n") keeps counts and waits.
GROUP_KINDS = (
    "counter",
    "staff",
    "priority",
    "outside",
    "hour",
    "end_hour",
    "weekday_hour",
    "line",
)
COUNTS_ONLY = frozenset({"end_hour", "weekday_hour"})
WAITS_ONLY = frozenset({"line"})
# The reason a call records when its detail has none: calls logged before reasons were
# recorded were all call-next's.
DEFAULT_CALL_REASON = "normal"
OUT_OF_ORDER = "out_of_order"


def line_key(service_id: int, priority: bool) -> str:
    """The key of a service line's breakdown (kind "line")."""
    return f"{service_id}:{'p' if priority else 'n'}"


COUNT_FIELDS = (
    "issued",
    "transferred_in",
    "served",
    "transferred",
    "no_show",
    "cancelled",
    "unserved",
    "open",
)


@dataclass(frozen=True)
class OfficeClock:
    """What classifying a moment needs: the office's zone, hours and holidays."""

    tz: tzinfo
    opens: time
    closes: time
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Thresholds:
    """Per service: standard service seconds and wait target seconds."""

    standard_s: int
    target_s: int


# The thresholds of a service on a business day: the standard in force that day (standards are
# versioned, so a past day is rated against the standard of its time, never today's).
ThresholdsAt = Callable[[int, date], Thresholds]
DEFAULT_THRESHOLDS = Thresholds(15 * 60, 15 * 60)


def fixed(thresholds: Mapping[int, Thresholds]) -> ThresholdsAt:
    """Thresholds that do not change with the day (tests, and services never re-standardised)."""
    return lambda service_id, _day: thresholds.get(service_id, DEFAULT_THRESHOLDS)


@dataclass
class DayServiceAgg:
    """Counts and sorted durations of one service on one business day (stored or live)."""

    office_id: int
    business_day: date
    service_id: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_FIELDS, 0))
    hold_s: int = 0
    waits: Sequence[int] = ()
    walks: Sequence[int] = ()
    services: Sequence[int] = ()
    totals: Sequence[int] = ()
    # A breakdown's kind and key (report_day_group); empty for the service's own rollup. A
    # breakdown mixes services, so it carries its verdicts, rated when its day was sealed.
    kind: str = ""
    key: str = ""
    within_standard: int = 0
    within_target: int = 0

    @classmethod
    def from_group_row(cls, row: Sequence[Any]) -> DayServiceAgg:
        office_id, day, kind, key, *counts, hold_s, w_std, w_target = row[:14]
        waits, walks, services, totals = row[14:]
        return cls(
            office_id,
            day,
            0,
            {**dict(zip(COUNT_FIELDS[:-1], counts, strict=True)), "open": 0},
            hold_s,
            unpack(waits),
            unpack(walks),
            unpack(services),
            unpack(totals),
            kind,
            key,
            w_std,
            w_target,
        )

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> DayServiceAgg:
        (
            office_id,
            day,
            service_id,
            issued,
            t_in,
            served,
            transferred,
            no_show,
            cancelled,
            unserved,
            hold_s,
            waits,
            walks,
            services,
            totals,
        ) = row
        counts = dict(
            issued=issued,
            transferred_in=t_in,
            served=served,
            transferred=transferred,
            no_show=no_show,
            cancelled=cancelled,
            unserved=unserved,
            open=0,
        )
        return cls(
            office_id,
            day,
            service_id,
            counts,
            hold_s,
            unpack(waits),
            unpack(walks),
            unpack(services),
            unpack(totals),
        )

    def as_row(self, day_column: str = "business_day") -> dict[str, Any]:
        c = self.counts
        group = (
            {
                "kind": self.kind,
                "key": self.key,
                "within_standard": self.within_standard,
                "within_target": self.within_target,
            }
            if self.kind
            else {"service_id": self.service_id}
        )
        return {
            "office_id": self.office_id,
            day_column: self.business_day,
            **group,
            **{k: c[k] for k in COUNT_FIELDS if k != "open"},
            "hold_s": self.hold_s,
            "waits": pack(self.waits),
            "walks": pack(self.walks),
            "services": pack(self.services),
            "totals": pack(self.totals),
        }


def merge_aggs(
    office_id: int, first_day: date, aggs: Iterable[DayServiceAgg]
) -> list[DayServiceAgg]:
    """Several days' aggregates as one per service (and breakdown: a month rollup), dated
    `first_day`."""
    grouped: dict[tuple[str, str, int], list[DayServiceAgg]] = {}
    for agg in aggs:
        grouped.setdefault((agg.kind, agg.key, agg.service_id), []).append(agg)
    out = []
    for (kind, key, service_id), group in sorted(grouped.items()):
        counts = dict.fromkeys(COUNT_FIELDS, 0)
        for agg in group:
            for k in COUNT_FIELDS:
                counts[k] += agg.counts.get(k, 0)
        out.append(
            DayServiceAgg(
                office_id=office_id,
                business_day=first_day,
                service_id=service_id,
                counts=counts,
                hold_s=sum(a.hold_s for a in group),
                waits=merge_sorted(a.waits for a in group),
                walks=merge_sorted(a.walks for a in group),
                services=merge_sorted(a.services for a in group),
                totals=merge_sorted(a.totals for a in group),
                kind=kind,
                key=key,
                within_standard=sum(a.within_standard for a in group),
                within_target=sum(a.within_target for a in group),
            )
        )
    return out


@dataclass
class DayCalls:
    """The calls of one business day's tickets for one service and reason (report_day_call);
    `seqs`: the event numbers of out-of-order calls (empty for the others)."""

    office_id: int
    business_day: date
    service_id: int
    reason: str
    calls: int = 0
    seqs: list[int] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> DayCalls:
        office_id, day, service_id, reason, calls, seqs = row
        return cls(office_id, day, service_id, reason, calls, list(unpack(seqs)) if seqs else [])

    def as_row(self) -> dict[str, Any]:
        return {
            "office_id": self.office_id,
            "business_day": self.business_day,
            "service_id": self.service_id,
            "reason": self.reason,
            "calls": self.calls,
            "seqs": pack(sorted(self.seqs)),
        }


class Built(NamedTuple):
    """What `build` makes of some tickets: fact rows, aggregates and calls."""

    facts: list[dict[str, Any]]
    aggs: list[DayServiceAgg]
    calls: list[DayCalls]


@dataclass
class TicketRecord:
    ticket_id: int
    business_day: date
    number: str
    priority: str | None
    events: list[Event]
    # A booked ticket's slot: its wait counts from the later of slot and check-in.
    booked_for: datetime | None = None


def build(
    office_id: int, tickets: Iterable[TicketRecord], clock: OfficeClock, thresholds: ThresholdsAt
) -> Built:
    """Fact rows (report_transaction) and aggregates for these tickets: per day and service
    (kind "": rated when a period is summarised), and per day and breakdown (the GROUP_KINDS,
    which mix services: rated here, each transaction against its service's standard that day);
    and the calls of the tickets by day, service and reason.
    """
    facts: list[dict[str, Any]] = []
    tallies: dict[tuple[date, str, str, int], Tally] = {}
    calls: dict[tuple[date, int, str], DayCalls] = {}

    def tally_of(k: tuple[date, str, str, int]) -> Tally:
        tally = tallies.get(k)
        if tally is None:
            tally = tallies[k] = Tally()
        return tally

    for ticket in tickets:
        day = ticket.business_day
        for ev in ticket.events:
            if ev.kind != "called":
                continue
            reason = ev.reason or DEFAULT_CALL_REASON
            entry = calls.get((day, ev.service_id, reason))
            if entry is None:
                entry = calls[(day, ev.service_id, reason)] = DayCalls(
                    office_id, day, ev.service_id, reason
                )
            entry.calls += 1
            if reason == OUT_OF_ORDER:
                entry.seqs.append(ev.seq)
        for tx in transactions_of(
            ticket.ticket_id, ticket.events, ticket.priority, booked_for=ticket.booked_for
        ):
            fact = fact_row(office_id, ticket, tx, clock)
            facts.append(fact)
            tally_of((day, "", "", tx.service_id)).add(tx, 0, 0)
            th = thresholds(tx.service_id, day)
            for kind, key in group_keys(fact):
                tally_of((day, kind, key, 0)).add(tx, th.standard_s, th.target_s)
    aggs = [
        DayServiceAgg(
            office_id=office_id,
            business_day=day,
            service_id=service_id,
            counts=tally.counts_only(),
            hold_s=tally.hold_s,
            waits=() if kind in COUNTS_ONLY else sorted(tally.waits),
            walks=() if kind in COUNTS_ONLY | WAITS_ONLY else sorted(tally.walks),
            services=() if kind in COUNTS_ONLY | WAITS_ONLY else sorted(tally.services),
            totals=() if kind in COUNTS_ONLY | WAITS_ONLY else sorted(tally.totals),
            kind=kind,
            key=key,
            within_standard=tally.within_standard,
            within_target=tally.within_target,
        )
        for (day, kind, key, service_id), tally in sorted(tallies.items())
    ]
    return Built(facts, aggs, [calls[k] for k in sorted(calls)])


def summarise_overall(aggs: Sequence[DayServiceAgg], thresholds: ThresholdsAt) -> dict[str, Any]:
    """summarise_services(...)[0] without the per-service figures, wait and service only: the
    sorted runs read as one (a trend's points, the evidence pack's quarters and months)."""
    within_std = within_target = 0
    for agg in aggs:
        th = thresholds(agg.service_id, agg.business_day)
        within_std += count_at_most(agg.services, th.standard_s)
        within_target += count_at_most(agg.waits, th.target_s)
    return _light_metrics(aggs, within_std, within_target)


def group_metrics(aggs: Sequence[DayServiceAgg]) -> dict[str, Any]:
    """The metrics of one breakdown key over a period, from its day or month aggregates and
    the verdicts they carry."""
    within_std = sum(a.within_standard for a in aggs)
    return _light_metrics(aggs, within_std, sum(a.within_target for a in aggs))


def group_counts(aggs: Sequence[DayServiceAgg]) -> dict[str, Any]:
    """group_metrics without the durations' statistics: the counts, shares and verdicts (the
    staff assessment)."""
    return counts_dict(
        _summed_counts(aggs),
        sum(a.hold_s for a in aggs),
        sum(len(a.waits) for a in aggs),
        sum(len(a.services) for a in aggs),
        sum(a.within_standard for a in aggs),
        sum(a.within_target for a in aggs),
    )


def _summed_counts(aggs: Iterable[DayServiceAgg]) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_FIELDS, 0)
    for agg in aggs:
        for k in COUNT_FIELDS:
            counts[k] += agg.counts.get(k, 0)
    return counts


def _light_metrics(
    aggs: Sequence[DayServiceAgg], within_standard: int, within_target: int
) -> dict[str, Any]:
    return metrics_dict(
        _summed_counts(aggs),
        sum(a.hold_s for a in aggs),
        SortedRuns([a.waits for a in aggs]),
        None,
        SortedRuns([a.services for a in aggs]),
        None,
        within_standard,
        within_target,
    )


def group_keys(fact: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The breakdowns a transaction counts in (the dashboard's tables, hours and heat map)."""
    keys = [
        ("priority", fact["priority"] or ""),
        ("hour", str(fact["arrival_hour"])),
        ("line", line_key(fact["service_id"], bool(fact["priority"]))),
    ]
    if fact["counter_id"] is not None:
        keys.append(("counter", str(fact["counter_id"])))
    if fact["staff_id"] is not None:
        keys.append(("staff", str(fact["staff_id"])))
    if fact["outside"]:
        keys.append(("outside", fact["outside"]))
    if fact["outcome"] == "done" and fact["end_hour"] is not None:
        keys.append(("end_hour", str(fact["end_hour"])))
    if fact["arrival"] == "issued":
        keys.append(("weekday_hour", f"{fact['weekday']}:{fact['arrival_hour']}"))
    return keys


def fact_row(
    office_id: int, ticket: TicketRecord, tx: Transaction, clock: OfficeClock
) -> dict[str, Any]:
    hour, weekday = local_hour(tx.queued_at, clock.tz)
    end_hour = local_hour(tx.ended_at, clock.tz)[0] if tx.ended_at is not None else None
    outside = None
    if tx.completed and tx.started_at is not None:
        outside = outside_class(
            tx.started_at.astimezone(clock.tz), clock.opens, clock.closes, clock.holidays
        )
    return {
        "office_id": office_id,
        "ticket_id": tx.ticket_id,
        "transaction_no": tx.transaction_no,
        "business_day": ticket.business_day,
        "number": ticket.number,
        "service_id": tx.service_id,
        "priority": tx.priority,
        "arrival": tx.arrival,
        "outcome": tx.outcome,
        "counter_id": tx.counter_id,
        "staff_id": tx.staff_id,
        "queued_at": tx.queued_at,
        "called_at": tx.called_at,
        "started_at": tx.started_at,
        "ended_at": tx.ended_at,
        "recalls": tx.recalls,
        "wait_s": tx.wait_s,
        "walk_s": tx.walk_s,
        "service_s": tx.service_s,
        "hold_s": tx.hold_s,
        "total_s": tx.total_s,
        "arrival_hour": hour,
        "weekday": weekday,
        "end_hour": end_hour,
        "outside": outside,
        "segments": segments_text(tx),
    }


def segments_text(tx: Transaction) -> str | None:
    """The serving segments as stored ("start-end,…" in epoch seconds); None for one segment
    from the first start to the end (the export then reads started_at and ended_at)."""
    if not tx.segments or (
        len(tx.segments) == 1 and tx.segments[0] == (tx.started_at, tx.ended_at)
    ):
        return None
    return ",".join(f"{round(a.timestamp())}-{round(b.timestamp())}" for a, b in tx.segments)


# ------------------------------------------------------------------ summaries


def summarise_services(
    aggs: Iterable[DayServiceAgg], thresholds: ThresholdsAt
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """(overall, per service id) metrics of a period from its day-service aggregates; each
    aggregate is rated against the thresholds of its own day (a month rollup is only used
    where no standard changed within the month)."""
    grouped: dict[int, list[DayServiceAgg]] = {}
    for agg in aggs:
        grouped.setdefault(agg.service_id, []).append(agg)
    per_service: dict[int, dict[str, Any]] = {}
    merged: dict[str, list[Sequence[int]]] = {
        "waits": [],
        "walks": [],
        "services": [],
        "totals": [],
    }
    overall_counts = dict.fromkeys(COUNT_FIELDS, 0)
    overall_hold = overall_std = overall_target = 0
    for service_id, group in sorted(grouped.items()):
        counts = dict.fromkeys(COUNT_FIELDS, 0)
        hold = within_std = within_target = 0
        for agg in group:
            for k in COUNT_FIELDS:
                counts[k] += agg.counts.get(k, 0)
            hold += agg.hold_s
            th = thresholds(service_id, agg.business_day)
            within_std += count_at_most(agg.services, th.standard_s)
            within_target += count_at_most(agg.waits, th.target_s)
        # Each service's runs (a day's or a month's each) read as one: never merged.
        waits = SortedRuns([a.waits for a in group])
        walks = SortedRuns([a.walks for a in group])
        services = SortedRuns([a.services for a in group])
        totals = SortedRuns([a.totals for a in group])
        per_service[service_id] = metrics_dict(
            counts, hold, waits, walks, services, totals, within_std, within_target
        )
        for k in COUNT_FIELDS:
            overall_counts[k] += counts[k]
        overall_hold += hold
        overall_std += within_std
        overall_target += within_target
        merged["waits"].extend(waits.runs)
        merged["walks"].extend(walks.runs)
        merged["services"].extend(services.runs)
        merged["totals"].extend(totals.runs)
    # Every service's runs read as one.
    overall = metrics_dict(
        overall_counts,
        overall_hold,
        SortedRuns(merged["waits"]),
        SortedRuns(merged["walks"]),
        SortedRuns(merged["services"]),
        SortedRuns(merged["totals"]),
        overall_std,
        overall_target,
    )
    return overall, per_service


def metrics_dict(
    counts: Mapping[str, int],
    hold_s: int,
    waits: Durations,
    walks: Durations | None,
    services: Durations,
    totals: Durations | None,
    within_standard: int,
    within_target: int,
) -> dict[str, Any]:
    """The metrics of one group, from its counts and sorted durations (seconds). Breakdowns
    and trend points pass no walks and totals: they show wait and service only (LIGHT)."""
    durations = {"wait": duration_stats(waits).as_dict()}
    if walks is not None:
        durations["walk"] = duration_stats(walks).as_dict()
    durations["service"] = duration_stats(services).as_dict()
    if totals is not None:
        durations["total"] = duration_stats(totals).as_dict()
    counted = counts_dict(counts, hold_s, len(waits), len(services), within_standard, within_target)
    return {
        **{k: counted[k] for k in (*COUNT_FIELDS, "hold_s", "no_show_pct")},
        **durations,
        "wait_bands": wait_bands(waits),
        **{k: counted[k] for k in _VERDICTS},
    }


_VERDICTS = ("within_standard", "within_target", "within_standard_pct", "within_target_pct")


def counts_dict(
    counts: Mapping[str, int],
    hold_s: int,
    waited: int,
    served: int,
    within_standard: int,
    within_target: int,
) -> dict[str, Any]:
    """A group's counts, no-show share and verdicts (`waited`, `served`: how many waits and
    services were timed, the verdicts' denominators)."""
    called_off = counts.get("served", 0) + counts.get("transferred", 0)
    ended = called_off + counts.get("no_show", 0) + counts.get("cancelled", 0)
    return {
        **{k: counts.get(k, 0) for k in COUNT_FIELDS},
        "hold_s": hold_s,
        "no_show_pct": share(counts.get("no_show", 0), ended + counts.get("unserved", 0)),
        "within_standard": within_standard,
        "within_target": within_target,
        "within_standard_pct": share(within_standard, served),
        "within_target_pct": share(within_target, waited),
    }


def tally_metrics(tally: Tally, *, light: bool = False) -> dict[str, Any]:
    """The same metrics for a group tallied from transaction rows (counter, hour, staff…);
    `light`: wait and service only, as the breakdown rollups give them."""
    return metrics_dict(
        tally.counts_only(),
        tally.hold_s,
        sorted(tally.waits),
        None if light else sorted(tally.walks),
        sorted(tally.services),
        None if light else sorted(tally.totals),
        tally.within_standard,
        tally.within_target,
    )


def tally_by(rows: Iterable[Any], key: Any, thresholds: ThresholdsAt) -> dict[Any, Tally]:
    """Group transaction rows by key(row) into tallies (thresholds of each row's service on
    its business day)."""
    out: dict[Any, Tally] = {}
    for row in rows:
        k = key(row)
        tally = out.get(k)
        if tally is None:
            tally = out[k] = Tally()
        th = thresholds(row.service_id, row.business_day)
        tally.add(row, th.standard_s, th.target_s)
    return out


def local_day_bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """UTC instants of local midnight starting `first` and ending `last`."""
    from datetime import UTC, timedelta

    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end
