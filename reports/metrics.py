"""Pure report arithmetic: transactions from a ticket's events, duration statistics, survey
statistics, Yamane's sample size and the hour classes. No database, no clock."""

from __future__ import annotations

import math
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

# Wait bands of the GECC evidence, in minutes: ≤15, 15–30, 30–60, >60 [DOMAIN.md].
WAIT_BAND_EDGES_MIN = (15, 30, 60)
LUNCH = (time(12, 0), time(13, 0))
# What a KPI tile is coloured against by default [D, DOMAIN.md]: satisfaction 85 %; the shares
# of waits within target and services within standard 80 % (no GECC figure exists for either).
# An office sets its own satisfaction and within-standard targets (OfficeSettings).
KPI_TARGETS = {"within_target_pct": 80.0, "within_standard_pct": 80.0, "satisfaction_pct": 85.0}
YAMANE_E = 0.05

# Kinds that end a transaction, and how it counts.
OUTCOME_OF = {
    "finished": "done",
    "transferred": "transferred",
    "no_show": "no_show",
    "cancelled": "cancelled",
    "closed_unserved": "unserved",
}
OUTCOMES = ("done", "transferred", "no_show", "cancelled", "unserved", "open")


@dataclass(frozen=True, slots=True)
class Event:
    """The fields of one TicketEvent that the metrics read."""

    seq: int
    kind: str
    at: datetime
    transaction_no: int
    service_id: int
    counter_id: int | None = None
    staff_id: int | None = None
    # Why a `called` event's ticket was chosen (its detail.reason; see reports/fairness.py).
    reason: str | None = None


@dataclass(slots=True)
class Transaction:
    """One wait-and-serve of a ticket: from issue (or a transfer in) to its end."""

    ticket_id: int
    transaction_no: int
    service_id: int
    arrival: str  # issued | requeued
    queued_at: datetime
    priority: str | None = None
    outcome: str = "open"
    counter_id: int | None = None
    staff_id: int | None = None
    called_at: datetime | None = None  # the call that led to service
    started_at: datetime | None = None
    ended_at: datetime | None = None
    recalls: int = 0
    wait_s: int | None = None
    walk_s: int | None = None
    service_s: int | None = None
    hold_s: int = 0
    total_s: int | None = None
    # (start, end) of each stretch of actual service: more than one when a hold split it.
    segments: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        """Service happened and ended (finished here, or sent on to another service)."""
        return self.outcome in ("done", "transferred")


def _seconds(later: datetime, earlier: datetime) -> int:
    return round((later - earlier).total_seconds())


def transactions_of(
    ticket_id: int,
    events: Iterable[Event],
    priority: str | None = None,
    *,
    booked_for: datetime | None = None,
) -> list[Transaction]:
    """Replay a ticket's event log into its transactions (see the definitions in DOMAIN.md).

    wait = the last call before service started − issue (or transfer in; for a booked ticket,
    `booked_for`, the later of its slot and its check-in): after a no-show and
    reactivation the last call counts; walk = first start − the last call or call-back before
    it; service = the time actually serving, summed over segments split by holds; hold = time
    held; total (on the transaction that finished a visit) = finish − issue of the visit.
    Durations exist only for completed transactions.
    """
    out: list[Transaction] = []
    tx: Transaction | None = None
    last_call: datetime | None = None  # latest 'called' of this transaction
    last_contact: datetime | None = None  # latest 'called' or 'unheld'
    serving_since: datetime | None = None
    held_since: datetime | None = None
    service_total = 0.0

    def end_hold(at: datetime) -> None:
        nonlocal held_since
        if tx is not None and held_since is not None:
            tx.hold_s += _seconds(at, held_since)
            held_since = None

    def end_serving(at: datetime) -> None:
        nonlocal serving_since, service_total
        if serving_since is not None:
            service_total += (at - serving_since).total_seconds()
            if tx is not None:
                tx.segments.append((serving_since, at))
            serving_since = None

    for ev in sorted(events, key=lambda e: e.seq):
        kind = ev.kind
        if kind in ("issued", "requeued"):
            queued_at = ev.at
            if kind == "issued" and booked_for is not None:
                queued_at = max(queued_at, booked_for)
            tx = Transaction(
                ticket_id=ticket_id,
                transaction_no=ev.transaction_no,
                service_id=ev.service_id,
                arrival=kind,
                queued_at=queued_at,
                priority=priority,
            )
            out.append(tx)
            last_call = last_contact = serving_since = held_since = None
            service_total = 0.0
            continue
        if tx is None or ev.transaction_no != tx.transaction_no:
            continue  # print status and other bookkeeping, or a log that starts mid-way
        if kind == "called":
            last_call = last_contact = ev.at
            tx.counter_id, tx.staff_id = ev.counter_id, ev.staff_id
        elif kind == "recalled":
            tx.recalls += 1
        elif kind == "unheld":
            end_hold(ev.at)
            last_contact = ev.at
        elif kind == "started":
            if tx.started_at is None:
                tx.started_at = ev.at
                tx.called_at = last_call
                tx.counter_id, tx.staff_id = ev.counter_id, ev.staff_id
                if last_call is not None:
                    tx.wait_s = _seconds(last_call, tx.queued_at)
                if last_contact is not None:
                    tx.walk_s = _seconds(ev.at, last_contact)
            serving_since = ev.at
        elif kind == "held":
            end_serving(ev.at)
            held_since = ev.at
        elif kind == "released":
            end_hold(ev.at)
        elif kind == "reactivated":
            tx.outcome = "open"
            tx.ended_at = None
        elif kind in OUTCOME_OF:
            end_hold(ev.at)
            tx.outcome = OUTCOME_OF[kind]
            tx.ended_at = ev.at
            if kind in ("finished", "transferred"):
                end_serving(ev.at)
                tx.service_s = round(service_total)
                if ev.counter_id is not None:
                    tx.counter_id = ev.counter_id
            serving_since = None
    for t in out:
        if not t.completed:
            # No-shows, cancels and unserved tickets never enter the duration statistics.
            t.wait_s = t.walk_s = t.service_s = None
            t.segments = []
        elif t.started_at is None or t.wait_s is None:
            t.wait_s = t.walk_s = t.service_s = None
    if out and out[-1].outcome == "done" and out[-1].ended_at is not None:
        out[-1].total_s = _seconds(out[-1].ended_at, out[0].queued_at)
    return out


# ------------------------------------------------------------------ hours


def outside_class(
    local: datetime, opens: time, closes: time, holidays: frozenset[date] = frozenset()
) -> str | None:
    """Why a moment is outside normal hours: holiday, saturday, sunday, lunch, before, after."""
    if local.date() in holidays:
        return "holiday"
    weekday = local.weekday()
    if weekday == 5:
        return "saturday"
    if weekday == 6:
        return "sunday"
    t = local.time()
    if t < opens:
        return "before"
    if t >= closes:
        return "after"
    if LUNCH[0] <= t < LUNCH[1]:
        return "lunch"
    return None


def local_hour(at: datetime, tz: tzinfo) -> tuple[int, int]:
    """(hour, weekday) of an aware instant in the office's timezone."""
    local = at.astimezone(tz)
    return local.hour, local.weekday()


# ------------------------------------------------------------------ sorted durations

_NATIVE_LE = sys.byteorder == "little"


def pack(values: Iterable[int]) -> bytes:
    """Sorted unsigned 32-bit little-endian seconds (negative clock skew is stored as 0)."""
    arr = array("I", sorted(max(0, min(int(v), 2**32 - 1)) for v in values))
    if not _NATIVE_LE:
        arr.byteswap()
    return arr.tobytes()


def unpack(blob: bytes) -> array[int]:
    arr = array("I")
    arr.frombytes(blob)
    if not _NATIVE_LE:
        arr.byteswap()
    return arr


def merge_sorted(runs: Iterable[Sequence[int]]) -> list[int]:
    """One sorted list from sorted runs (Timsort merges the runs; it does not re-sort them)."""
    joined = array("I")
    for run in runs:
        joined.extend(run)
    return sorted(joined)


class SortedRuns:
    """Several sorted runs read as one sorted sequence without merging them: its length, sum,
    counts at or below a value (bisect per run) and k-th smallest (binary search on the value).
    Used for a period's overall figures, where the per-service lists are already sorted."""

    # The k-th smallest comes from one merge (C speed) when the runs are short (a day's
    # breakdown over a month: many runs of a few values), and otherwise from a binary search on
    # the value that bisects every run at each step (a year's month rollups: a dozen long runs,
    # where a search costs a few hundred bisects and a merge copies and sorts every value).
    # A search costs ~17 steps x runs bisects (in Python), a merge copies and sorts every value
    # (in C): merge when the runs average fewer values than this.
    SHORT_RUN = 512

    def __init__(self, runs: Iterable[Sequence[int]]) -> None:
        self.runs = [r for r in runs if len(r)]
        self._n = sum(len(r) for r in self.runs)
        self._merged: list[int] | None = None

    def __len__(self) -> int:
        return self._n

    def total(self) -> int:
        return sum(sum(r) for r in self.runs)

    def count_at_most(self, limit: float) -> int:
        return sum(bisect_right(r, limit) for r in self.runs)

    def __getitem__(self, k: int) -> int:
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(k)
        if k == self._n - 1:
            return max(r[-1] for r in self.runs)
        if len(self.runs) == 1:
            return self.runs[0][k]
        if self._merged is not None or self._n < self.SHORT_RUN * len(self.runs):
            if self._merged is None:
                self._merged = merge_sorted(self.runs)
            return self._merged[k]
        lo, hi = min(r[0] for r in self.runs), max(r[-1] for r in self.runs)
        # The smallest value with more than k values at or below it.
        while lo < hi:
            mid = (lo + hi) // 2
            if self.count_at_most(mid) > k:
                hi = mid
            else:
                lo = mid + 1
        return lo


Durations = Sequence[int] | SortedRuns


@dataclass(frozen=True)
class DurationStats:
    n: int
    mean: float | None
    median: float | None
    p90: int | None
    max: int | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "n": self.n,
            "mean": self.mean,
            "median": self.median,
            "p90": self.p90,
            "max": self.max,
        }


def median_of_sorted(values: Durations) -> float | None:
    n = len(values)
    if n == 0:
        return None
    mid = n // 2
    return float(values[mid]) if n % 2 else (values[mid - 1] + values[mid]) / 2


def nearest_rank(values: Durations, p: float) -> int | None:
    """The p-th percentile by nearest rank: the smallest value with at least p % at or below."""
    n = len(values)
    if n == 0:
        return None
    rank = max(1, math.ceil(p / 100 * n))
    return values[rank - 1]


def duration_stats(sorted_values: Durations) -> DurationStats:
    n = len(sorted_values)
    if n == 0:
        return DurationStats(0, None, None, None, None)
    total = sorted_values.total() if isinstance(sorted_values, SortedRuns) else sum(sorted_values)
    return DurationStats(
        n=n,
        mean=total / n,
        median=median_of_sorted(sorted_values),
        p90=nearest_rank(sorted_values, 90),
        max=sorted_values[-1],
    )


def count_at_most(sorted_values: Durations, limit_s: float) -> int:
    if isinstance(sorted_values, SortedRuns):
        return sorted_values.count_at_most(limit_s)
    return bisect_right(sorted_values, limit_s)


def wait_bands(sorted_waits: Durations) -> dict[str, int]:
    """Counts of waits ≤15, 15–30, 30–60 and >60 minutes (each band includes its upper edge)."""
    cuts = [count_at_most(sorted_waits, m * 60) for m in WAIT_BAND_EDGES_MIN]
    n = len(sorted_waits)
    return {
        "le15": cuts[0],
        "15to30": cuts[1] - cuts[0],
        "30to60": cuts[2] - cuts[1],
        "gt60": n - cuts[2],
    }


def share(part: int, whole: int) -> float | None:
    """Percentage, or None when there is nothing to divide."""
    return None if whole == 0 else part / whole * 100


# ------------------------------------------------------------------ satisfaction


@dataclass
class ScoreTally:
    """Running n, Σx and Σx² of 5-level scores: enough for mean and SD of any grouping."""

    n: int = 0
    total: int = 0
    squares: int = 0

    def add(self, score: int, count: int = 1) -> None:
        self.n += count
        self.total += score * count
        self.squares += score * score * count

    def merge(self, other: ScoreTally) -> None:
        self.n += other.n
        self.total += other.total
        self.squares += other.squares

    @property
    def mean(self) -> float | None:
        return None if self.n == 0 else self.total / self.n

    @property
    def sd(self) -> float | None:
        """Sample standard deviation (n − 1), as Thai satisfaction reports print S.D."""
        if self.n < 2:
            return None if self.n == 0 else 0.0
        variance = (self.squares - self.total * self.total / self.n) / (self.n - 1)
        return math.sqrt(max(0.0, variance))

    @property
    def percent(self) -> float | None:
        """mean / 5 × 100."""
        mean = self.mean
        return None if mean is None else mean / 5 * 100

    def as_dict(self) -> dict[str, float | int | None]:
        """Item answers (never "n": people are counted as respondents, elsewhere)."""
        return {"answers": self.n, "mean": self.mean, "sd": self.sd, "percent": self.percent}


def yamane(population: int, e: float = YAMANE_E) -> int:
    """Taro Yamane's sample size n = N / (1 + N e²), rounded up; 0 for no population."""
    if population <= 0:
        return 0
    return math.ceil(population / (1 + population * e * e))


# ------------------------------------------------------------------ grouping


@dataclass
class Tally:
    """Counts and duration lists of one group of transactions (a service, a counter, an hour…)."""

    issued: int = 0
    transferred_in: int = 0
    served: int = 0
    transferred: int = 0
    no_show: int = 0
    cancelled: int = 0
    unserved: int = 0
    open: int = 0
    hold_s: int = 0
    waits: list[int] = field(default_factory=list)
    walks: list[int] = field(default_factory=list)
    services: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    # Thresholds per transaction, for shares within standard/target in mixed groups.
    within_standard: int = 0
    within_target: int = 0

    def add(self, t: Transaction | TransactionRow, standard_s: int, target_s: int) -> None:
        if t.arrival == "issued":
            self.issued += 1
        else:
            self.transferred_in += 1
        outcome = t.outcome
        if outcome == "done":
            self.served += 1
        elif outcome == "transferred":
            self.transferred += 1
        elif outcome == "no_show":
            self.no_show += 1
        elif outcome == "cancelled":
            self.cancelled += 1
        elif outcome == "unserved":
            self.unserved += 1
        else:
            self.open += 1
        self.hold_s += t.hold_s or 0
        if t.wait_s is not None:
            self.waits.append(t.wait_s)
            self.within_target += t.wait_s <= target_s
        if t.walk_s is not None:
            self.walks.append(t.walk_s)
        if t.service_s is not None:
            self.services.append(t.service_s)
            self.within_standard += t.service_s <= standard_s
        if t.total_s is not None:
            self.totals.append(t.total_s)

    def counts_only(self) -> dict[str, int]:
        return {
            "issued": self.issued,
            "transferred_in": self.transferred_in,
            "served": self.served,
            "transferred": self.transferred,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "unserved": self.unserved,
            "open": self.open,
        }


@dataclass(frozen=True, slots=True)
class TransactionRow:
    """A transaction as read back from report_transaction (the fields groupings need)."""

    ticket_id: int
    transaction_no: int
    business_day: date
    service_id: int
    priority: str | None
    arrival: str
    outcome: str
    counter_id: int | None
    staff_id: int | None
    wait_s: int | None
    walk_s: int | None
    service_s: int | None
    hold_s: int
    total_s: int | None
    arrival_hour: int
    weekday: int
    end_hour: int | None
    outside: str | None
