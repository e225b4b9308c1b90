"""Who is called before whom, and about when: the office's counters calling in turn, by their rules.

The forecast replays the very rule that calls (`policy.choose`, with each counter's own CounterMix)
over today's waiting lines: the counter that is free first calls, keeps that citizen for the
service's expected time, is free again, calls again, and so on until every line is empty. A
ticket's `waiting_ahead` is how many tickets the counters able to serve it call before it; its
wait is when it is called. One pass serves the whole office; "how long would a new ticket of
this service wait" goes on from where that ticket would first be weighed (see `forecast`).
Booked tickets wait in a line of their own per service, by slot, and `choose` calls them when
due at each replayed call's time, so a booked ticket's estimate is its slot (or later, when the
counters are busy) and the walk-ins behind it are told the truth too.

Tickets that do not exist yet still go first: a priority ticket issued later, a booking falling
due, a ticket of a service a shared counter serves first or by weight. The replay expects them at
the rate each line was joined lately in this office (`arrival_rates`, the last hour) and lets the
same rule call them (`_Foreseen`); who goes first is the rule's business, not a formula beside it.
`waiting_ahead` still counts only tickets that exist: those are people; the others are why people
are told "about", with a range.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import itertools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter

from counter.queue.policy import (
    Candidate,
    Choice,
    CounterMix,
    CounterPolicy,
    Line,
    age_key,
    aged,
    choose,
)

# A newcomer sorts after every real ticket queued at the same instant (ids stay below 2**61);
# foreseen tickets (arrivals after now) are numbered from 2**61, below the newcomers.
_NEWCOMER_ID = 2**62
_FORESEEN_ID = 2**61
# Arrivals are expected at each line's rate over this recent window (or since the day's first
# ticket, when the day is younger), measured over no less than the shorter span.
ARRIVAL_WINDOW = timedelta(hours=1)
ARRIVAL_MIN_SPAN = timedelta(minutes=15)
# Observed durations count like this many samples against the published standard (the prior).
PRIOR_WEIGHT = 4.0
# The most recent observations per service that count, and how far above their median one may
# count (the durations are skewed: a mean, not a median, adds up to the wait).
SAMPLES_PER_SERVICE = 30
OUTLIER_FACTOR = 3.0
# Calls replayed one by one; beyond them the forecast extrapolates. A line holds at most 999
# tickets (numbers stop there each day), so an office's busiest line is replayed whole: a ticket
# counted by the replay is told one less at every call of a ticket ahead of it, which an
# extrapolation only approaches. Replaying costs about as much as placing every ticket past a
# shorter replay did (tens of microseconds a call).
MAX_SIMULATED_CALLS = 1000
# Tickets loaded per (service, priority) line: a whole line (see above); a longer line would be
# known by its length.
LOADED_PER_LINE = 1000
# A citizen kept past the expected time still needs a while: this share of the expected time.
OVERRUN_SHARE = 0.35
# The range around the point estimate: relative parts, and minutes added to the top.
RANGE_LOW = 0.3
RANGE_HIGH = 0.4
RANGE_SLACK_MINUTES = 2.0


@dataclass(frozen=True)
class CounterPlan:
    """A counter as the forecast sees it: its rules, its mix, and when it calls next."""

    number: int
    policy: CounterPolicy
    mix: CounterMix
    # Now when idle; later when someone is at the counter, or while it is paused.
    free_at: datetime


@dataclass(frozen=True)
class Estimate:
    waiting_ahead: int
    minutes: int
    low: int
    high: int

    @property
    def range(self) -> tuple[int, int]:
        return (self.low, self.high)


NOT_WAITING = Estimate(0, 0, 0, 0)


@dataclass(frozen=True)
class Forecast:
    now: datetime
    # Ticket id -> (tickets called before it, when it is called), for the tickets replayed.
    called: Mapping[int, tuple[int, datetime]]
    # Service id -> the estimate of a normal ticket of that service issued now.
    newcomers: Mapping[int, Estimate]
    # The tickets past the replayed calls, placed on demand (see _Beyond).
    beyond: _Beyond | None = None
    left_over: Mapping[int, Candidate] = field(default_factory=dict)
    # Ticket id -> the waiting ticket as the forecast was given it (line, place, wait start).
    loaded: Mapping[int, Candidate] = field(default_factory=dict)

    def _replayed(self, ticket_id: int) -> tuple[int, float] | None:
        called = self.called.get(ticket_id)
        return None if called is None else (called[0], _minutes(called[1], self.now))

    def wait_of(self, ticket: Candidate) -> Estimate:
        """The estimate of one waiting ticket (made on demand: most callers want one)."""
        wait = self._replayed(ticket.ticket_id)
        if wait is None and self.beyond is not None:
            wait = self.beyond.place(ticket)
        return NOT_WAITING if wait is None else estimate(*wait)

    def holds(self, tickets: Iterable[Candidate]) -> bool:
        """Whether each of these tickets waited in the lines this forecast replayed as it waits
        now: in the same line, from the same moment (a ticket put back in a line since has
        another place and is not held)."""
        return all(self.loaded.get(c.ticket_id) == c for c in tickets)

    def ticket(self, ticket_id: int) -> Estimate:
        """The estimate of a ticket this forecast loaded."""
        if ticket_id in self.left_over:
            return self.wait_of(self.left_over[ticket_id])
        wait = self._replayed(ticket_id)
        return NOT_WAITING if wait is None else estimate(*wait)


def expected_minutes(samples: Sequence[float], prior: float) -> float:
    """Minutes a counter spends per call of one service: the mean of the recent observations
    (each capped at a few times their median, so one forgotten Finish does not skew it), drawn
    toward the standard while they are few."""
    recent = samples[-SAMPLES_PER_SERVICE:]
    n = len(recent)
    if n == 0:
        return float(prior)
    cap = OUTLIER_FACTOR * statistics.median(recent)
    mean = sum(min(x, cap) for x in recent) / n
    return (n * mean + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)


def remaining_minutes(expected: float, elapsed: float) -> float:
    """How much longer the citizen at a counter will take, given how long it has been."""
    return max(expected - elapsed, OVERRUN_SHARE * expected)


def wait_range(minutes: float) -> tuple[int, int]:
    """A range people can act on: whole minutes when short, steps of five beyond a quarter hour."""
    low = minutes * (1 - RANGE_LOW)
    high = minutes * (1 + RANGE_HIGH) + RANGE_SLACK_MINUTES
    if high <= 15:
        lo = max(1, math.floor(low))
        return lo, max(lo + 1, math.ceil(high))
    lo = max(1, 5 * math.floor(low / 5))
    return lo, max(lo + 5, 5 * math.ceil(high / 5))


def estimate(waiting_ahead: int, minutes: float) -> Estimate:
    if waiting_ahead == 0 and minutes <= 0:
        return Estimate(0, 0, 0, 0)
    low, high = wait_range(minutes)
    return Estimate(waiting_ahead, max(1, round(minutes)), low, high)


def arrival_rates(
    joins: Iterable[Candidate], now: datetime, day_began: datetime | None = None
) -> dict[tuple[int, Line], float]:
    """(service, line) -> tickets a minute that joined that line lately: over the last
    `ARRIVAL_WINDOW`, or since `day_began` (today's first ticket) when the day is younger.

    `joins`: one candidate per ticket joining a line (issued, transferred in, put back), queued
    at that moment (repository.recent_joins). A booked ticket arrives in its line when it falls
    due, the later of its slot and its check-in."""
    since = now - ARRIVAL_WINDOW
    if day_began is not None:
        since = max(since, day_began)
    span = max(now - since, ARRIVAL_MIN_SPAN).total_seconds() / 60
    counts: dict[tuple[int, Line], int] = {}
    for c in joins:
        if since <= c.waits_from <= now:
            counts[c.line] = counts.get(c.line, 0) + 1
    return {line: n / span for line, n in counts.items()}


def forecast(
    waiting: Iterable[Candidate],
    counters: Sequence[CounterPlan],
    minutes_per_call: Mapping[int, float],
    now: datetime,
    *,
    newcomers: Iterable[int] = (),
    default_minutes: float = 15.0,
    max_calls: int = MAX_SIMULATED_CALLS,
    line_sizes: Mapping[tuple[int, Line], tuple[int, datetime]] | None = None,
    until: int | None = None,
    arrivals: Mapping[tuple[int, Line], float] | None = None,
    arrivals_until: datetime | None = None,
) -> Forecast:
    """Replay the counters calling until the lines are empty.

    `minutes_per_call`: service id -> expected minutes a call of it keeps a counter.
    `newcomers`: services whose wait for a new normal ticket is wanted: exactly the wait that
    ticket is told once issued now. Until its line is empty the rule never weighs it (it is
    behind), nor while the counters able to call it call older tickets past the ageing cap; at
    the first call after that which weighs the heads, a copy of the replay goes on with it in
    its line until it is called (`_Replay.run`, `_Replay.fork`): each newcomer costs the calls
    from there, not a replay of its own.
    `max_calls`: past this many calls the rest is extrapolated (see `_Beyond`), so a line of
    thousands costs no more than a long day's. `line_sizes`: (service, line) -> the full
    length and last arrival of each line, when `waiting` holds only the first tickets of each.
    `until`: stop once this ticket is called (the others are then only roughly placed).
    `arrivals`: (service, line) -> tickets a minute expected to join it from now on (see
    `arrival_rates`), until `arrivals_until` (the office's closing time) if given; they are
    called in the replay as the rule calls them, and count in no one's `waiting_ahead`.
    """
    replay = _Replay(
        waiting,
        counters,
        minutes_per_call,
        now,
        default_minutes=default_minutes,
        max_calls=max_calls,
        line_sizes=line_sizes,
        arrivals=arrivals or {},
        arrivals_until=arrivals_until,
    )
    # A new normal ticket of each service asked for, issued now.
    wanted = {s: Candidate(_NEWCOMER_ID + s, s, False, now) for s in newcomers}
    pending = {s: c for s, c in wanted.items() if s in replay.able}
    forks: dict[int, _Replay] = {}
    replay.run(until, pending, forks)
    beyond = replay.beyond()
    for s, newcomer in pending.items():
        key = (s, Line.NORMAL)
        if key not in replay.pos and key not in replay.partial and not replay.stopped:
            # Its line ran empty and no counter weighed it since: it goes on from the end.
            forks[s] = replay.fork()
            forks[s].join(newcomer)
    news: dict[int, Estimate] = {}
    for s, newcomer in wanted.items():
        fork = forks.get(s)
        if fork is None:
            # Never at the head of its line within the replay: placed past it, as it would be.
            news[s] = estimate(*beyond.place(newcomer))
            continue
        fork.run(newcomer.ticket_id, {}, {})
        called = fork.called.get(newcomer.ticket_id)
        if called is None:
            news[s] = estimate(*fork.beyond().place(newcomer))
        else:
            news[s] = estimate(called[0], _minutes(called[1], now))
    left_over = {
        c.ticket_id: c
        for key, i in replay.pos.items()
        for c in itertools.islice(replay.lines[key], i, None)
    }
    loaded = {c.ticket_id: c for line in replay.lines.values() for c in line}
    return Forecast(now, replay.called, news, beyond, left_over, loaded)


def _minutes(at: datetime, now: datetime) -> float:
    return max(0.0, (at - now).total_seconds() / 60)


class _Replay:
    """The state of a replay between calls: what is left in each line, when each counter calls
    next, its mix, and the tickets foreseen; `run` goes on calling, `fork` copies it (the lines
    are shared: a line is a list read from a position, never changed)."""

    def __init__(
        self,
        waiting: Iterable[Candidate],
        counters: Sequence[CounterPlan],
        minutes_per_call: Mapping[int, float],
        now: datetime,
        *,
        default_minutes: float,
        max_calls: int,
        line_sizes: Mapping[tuple[int, Line], tuple[int, datetime]] | None,
        arrivals: Mapping[tuple[int, Line], float],
        arrivals_until: datetime | None,
    ) -> None:
        lines: dict[tuple[int, Line], list[Candidate]] = {}
        for c in sorted(waiting, key=attrgetter("place")):
            lines.setdefault(c.line, []).append(c)
        self.now, self.counters, self.max_calls = now, counters, max_calls
        self.minutes_per_call, self.default_minutes = minutes_per_call, default_minutes
        self.line_sizes = line_sizes or {}
        # (service, line) -> its tickets by place, and where its head stands in it (lines with
        # someone left in them only).
        self.lines = lines
        self.pos = {key: 0 for key in lines}
        self.left = sum(len(line) for line in lines.values())
        self.sizes = {key: len(line) for key, line in lines.items()}
        self.sizes.update({key: size for key, (size, _) in self.line_sizes.items()})
        # Lines loaded only in part: the replay stops before one of them runs out.
        self.last_loaded = {key: line[-1].place[0] for key, line in lines.items()}
        self.partial = {key for key, size in self.sizes.items() if size > len(lines.get(key, ()))}
        self.taken: dict[tuple[int, Line], int] = {}
        # Foreseen arrivals begin now; a booked line's after the last slot already checked in.
        starts = {key: max(now, last) for key, last in self.last_loaded.items()}
        starts.update({key: max(now, last) for key, (_, last) in self.line_sizes.items()})
        self.foreseen = _Foreseen(arrivals, starts, now, arrivals_until, max_calls)
        self.service_sets = [plan.policy.service_ids for plan in counters]
        self.able: dict[int, list[int]] = {}
        for i, ids in enumerate(self.service_sets):
            for service_id in ids:
                self.able.setdefault(service_id, []).append(i)
        # The heaps of line heads by age (`_index_heads`): one per distinct set of services,
        # each counter's, and those each service's heads go to.
        self.heap_services = list(dict.fromkeys(self.service_sets))
        self.heap_of = [self.heap_services.index(ids) for ids in self.service_sets]
        self.heaps_of: dict[int, list[int]] = {}
        for h, ids in enumerate(self.heap_services):
            for service_id in ids:
                self.heaps_of.setdefault(service_id, []).append(h)
        self.calls = [0] * len(counters)
        self.mixes = [plan.mix for plan in counters]
        self.durations = {s: timedelta(minutes=m) for s, m in minutes_per_call.items()}
        self.default_duration = timedelta(minutes=default_minutes)
        self.heap = [(plan.free_at, plan.number, i) for i, plan in enumerate(counters)]
        heapq.heapify(self.heap)
        # Ticket id -> (calls before it by the counters able to serve it, when it is called).
        self.called: dict[int, tuple[int, datetime]] = {}
        self.ncalled = 0
        # Stopped short (ticket `until` called, or a line loaded in part ran out): a newcomer
        # never weighed before then is placed past the replay, as its ticket would be.
        self.stopped = False
        self._index_heads()

    def _index_heads(self) -> None:
        """The line heads (real and foreseen) each counter may call, by age, oldest first, so
        that once its oldest has waited past the ageing cap (most of a long replay) the counter
        calls it without weighing every head: `choose`'s first rule (`aged`), in a heap, one per
        set of services (counters serving the same share it). An entry stays until it is found
        no longer at the head of its line."""
        self.oldest: list[list[tuple[tuple[datetime, int], Candidate]]] = [
            [] for _ in self.heap_services
        ]
        for key, i in self.pos.items():
            self._at_head(self.lines[key][i])
        for c in self.foreseen.first.values():
            self._at_head(c)
        for heap in self.oldest:
            heapq.heapify(heap)

    def _at_head(self, c: Candidate) -> None:
        entry = (age_key(c), c)
        for h in self.heaps_of.get(c.service_id, ()):
            heapq.heappush(self.oldest[h], entry)

    def fork(self, calling: tuple[datetime, int, int] | None = None) -> _Replay:
        """A copy that goes on on its own from here (`calling`: a counter taken from the heap
        for a call not made yet)."""
        other = copy.copy(self)
        other.pos = dict(self.pos)
        other.sizes = dict(self.sizes)
        other.last_loaded = dict(self.last_loaded)
        other.taken = dict(self.taken)
        other.calls = list(self.calls)
        other.mixes = list(self.mixes)
        other.heap = list(self.heap)
        if calling is not None:
            heapq.heappush(other.heap, calling)
        other.called = {}
        other.foreseen = self.foreseen.fork()
        other.lines = dict(self.lines)
        other._index_heads()
        return other

    def join(self, c: Candidate) -> None:
        """A ticket joins its line, which is empty, at this point of the replay."""
        key = c.line
        assert key not in self.pos
        self.lines[key] = [c]
        self.pos[key] = 0
        self.sizes[key] = self.sizes.get(key, 0) + 1
        last = self.last_loaded.get(key)
        self.last_loaded[key] = c.place[0] if last is None else max(last, c.place[0])
        self.left += 1
        self._at_head(c)

    def run(
        self,
        until: int | None,
        pending: dict[int, Candidate],
        forks: dict[int, _Replay],
    ) -> None:
        """Call until the lines are empty, `max_calls` are made, or ticket `until` is called.

        `pending`: newcomers (service -> its new normal ticket) not in the lines. While its line
        has someone in it, a newcomer is behind and changes nothing. Once the line is empty it
        is at the head, and still changes nothing while the counters able to serve it call a
        ticket past the ageing cap older than it; the first call that weighs the heads (where
        its presence could change the choice or the counter's mix) is where its own replay
        parts from this one: it is forked into `forks` there and leaves `pending`."""
        lines, pos, heap, calls, mixes = self.lines, self.pos, self.heap, self.calls, self.mixes
        oldest, foreseen, able, called = self.oldest, self.foreseen, self.able, self.called
        service_sets, durations = self.service_sets, self.durations
        default_duration, taken, partial = self.default_duration, self.taken, self.partial
        first = foreseen.first
        at_head = self._at_head
        heap_of, heaps_of = self.heap_of, self.heaps_of
        heappop, heappush, heapreplace = heapq.heappop, heapq.heappush, heapq.heapreplace
        now, max_calls = self.now, self.max_calls
        left, ncalled = self.left, self.ncalled
        # Pending newcomers at the head of their line.
        ready = {s for s in pending if (s, Line.NORMAL) not in pos}

        def drop_stale(mine: list[tuple[tuple[datetime, int], Candidate]]) -> Candidate | None:
            """The oldest head in `mine`, past the entries no longer at the head of a line."""
            while mine:
                c = mine[0][1]
                if _FORESEEN_ID <= c.ticket_id < _NEWCOMER_ID:
                    if first.get(c.line) is c:
                        return c
                else:
                    j = pos.get(c.line)
                    if j is not None and lines[c.line][j] is c:
                        return c
                heappop(mine)
            return None

        while heap and left and ncalled < max_calls:
            at, number, i = heappop(heap)
            policy = self.counters[i].policy
            served = service_sets[i]
            mine = oldest[heap_of[i]]
            top = drop_stale(mine)
            # Its oldest head came before now, so before every newcomer and foreseen ticket:
            # past the ageing cap it is called whoever else waits or is foreseen to (their
            # arrival is left until a call that weighs them; it changes nothing before).
            if (
                top is not None
                and top.waits_from <= now
                and at - top.waits_from >= policy.ageing_cap
            ):
                picked = top
            else:
                if ready and not ready.isdisjoint(served):
                    self.left, self.ncalled = left, ncalled
                    for s in sorted(ready & served):
                        fork = forks[s] = self.fork((at, number, i))
                        fork.join(pending.pop(s))
                    ready -= served
                for c in foreseen.arrive(at):
                    at_head(c)
                top = drop_stale(mine)
                choice: Choice | None
                if top is not None and aged(top, policy, at):
                    choice = Choice(top, mixes[i], "aged")
                else:
                    heads = [lines[key][j] for key, j in pos.items() if key[0] in served]
                    if first:
                        heads += foreseen.heads(served)
                    choice = choose(heads, policy, mixes[i], at) if heads else None
                if choice is None:
                    # Nothing this counter may call: it waits for the next foreseen arrival it
                    # serves, or leaves the forecast.
                    back = foreseen.next_for(served)
                    if back is not None:
                        heapq.heappush(heap, (back, number, i))
                    continue
                picked = choice.candidate
                mixes[i] = choice.mix
            key = picked.line
            heappush(heap, (at + durations.get(picked.service_id, default_duration), number, i))
            if _FORESEEN_ID <= picked.ticket_id < _NEWCOMER_ID:
                head = foreseen.take(key)
                if head is not None:
                    at_head(head)
                continue
            j = pos[key] + 1
            line = lines[key]
            if j < len(line):
                pos[key] = j
                head = line[j]
                if picked is top:
                    # The next of its line takes its place in this counter's heap at once.
                    entry = (age_key(head), head)
                    for h in heaps_of[picked.service_id]:
                        if h == heap_of[i]:
                            heapreplace(mine, entry)
                        else:
                            heappush(oldest[h], entry)
                else:
                    at_head(head)
            else:
                del pos[key]
                if picked is top:
                    heappop(mine)
                if key[1] == Line.NORMAL and key[0] in pending and key not in partial:
                    ready.add(key[0])
            taken[key] = taken.get(key, 0) + 1
            left -= 1
            ncalled += 1
            called[picked.ticket_id] = (sum(map(calls.__getitem__, able[picked.service_id])), at)
            calls[i] += 1
            if picked.ticket_id == until or (key in partial and key not in pos):
                self.stopped = True
                break
        self.left, self.ncalled = left, ncalled

    def beyond(self) -> _Beyond:
        """Where the replay stopped, what places the tickets past it."""
        now = self.now
        # Past the replay booked tickets are few: they count as normal tickets at their slots.
        loaded: dict[tuple[int, Line], list[tuple[datetime, int]]] = {}
        for key, i in self.pos.items():
            loaded.setdefault(_bucket(key), []).extend(
                c.place for c in itertools.islice(self.lines[key], i, None)
            )
        for places in loaded.values():
            places.sort()
        unloaded: dict[tuple[int, Line], int] = {}
        for key, size in self.sizes.items():
            line = self.lines.get(key, ())
            left_in_line = len(line) - self.pos[key] if key in self.pos else 0
            rest = size - left_in_line - self.taken.get(key, 0)
            unloaded[_bucket(key)] = unloaded.get(_bucket(key), 0) + rest
        return _Beyond(
            loaded,
            unloaded,
            _latest(self.last_loaded.items()),
            _latest((key, last) for key, (_, last) in self.line_sizes.items()),
            [(plan.policy.priority_share, plan.policy.normal_share) for plan in self.counters],
            self.service_sets,
            self.able,
            {
                i: (self.calls[i], _minutes(self.counters[i].free_at, now), _minutes(at, now))
                for at, _, i in self.heap
            },
            [mix.cycle_pos for mix in self.mixes],
            self.minutes_per_call,
            self.default_minutes,
            now,
        )


class _Foreseen:
    """Tickets expected to join the lines after now, each line at its recent rate: its k-th at
    (k − ½) / rate after the line's start, so that by any time about as many have come as are
    expected to on average. They stand in lines of their own, behind every real ticket of the
    same line (they come later), and the counters' own rule calls them. At most `budget` come
    (the first, in order of arrival), so a replay ends even where they come faster than the
    counters call. Only the first of each line is made a Candidate (the rule weighs the heads of
    lines alone); a line's others are known by how many have come. Arrivals are counted in whole
    microseconds after now (what a datetime holds), and a line's by arithmetic: a replay that
    passes hundreds at once counts them in a step per line."""

    def __init__(
        self,
        rates: Mapping[tuple[int, Line], float],
        starts: Mapping[tuple[int, Line], datetime],
        now: datetime,
        until: datetime | None,
        budget: int,
    ) -> None:
        self.now = now
        # Microseconds between two arrivals of a line, and from now to its start.
        self.every = {key: 60e6 / rate for key, rate in rates.items() if rate > 0}
        self.starts = {key: _micros(starts.get(key, now) - now) for key in self.every}
        self.until = None if until is None else _micros(until - now)
        self.budget = budget
        # How many of each line have come, and how many of those were called.
        self.arrived = dict.fromkeys(self.every, 0)
        self.taken = dict.fromkeys(self.every, 0)
        # The first foreseen ticket waiting in each line that has one.
        self.first: dict[tuple[int, Line], Candidate] = {}

    def fork(self) -> _Foreseen:
        other = copy.copy(self)
        other.arrived = dict(self.arrived)
        other.taken = dict(self.taken)
        other.first = dict(self.first)
        return other

    def _at(self, key: tuple[int, Line], k: int) -> int:
        """When the k-th of a line comes, in microseconds after now."""
        return self.starts[key] + round((k - 0.5) * self.every[key])

    def _come_by(self, key: tuple[int, Line], upto: int) -> int:
        """How many of a line come by `upto` (and before the office stops issuing)."""
        if self.until is not None:
            upto = min(upto, self.until)
        k = max(0, math.floor((upto - self.starts[key]) / self.every[key] + 0.5))
        while k > 0 and self._at(key, k) > upto:
            k -= 1
        while self._at(key, k + 1) <= upto:
            k += 1
        return k

    def arrive(self, now: datetime) -> list[Candidate]:
        """Everyone foreseen up to `now` joins their line; returns those now at the head of it."""
        if self.budget <= 0:
            return []
        upto = _micros(now - self.now)
        arrived = self.arrived
        come = {key: self._come_by(key, upto) for key in arrived}
        total = sum(come[key] - n for key, n in arrived.items())
        if total > self.budget:
            # The budget ends among these: they come one by one, in order of arrival.
            come = dict(arrived)
            coming = [(self._at(key, n + 1), n + 1, key) for key, n in arrived.items()]
            heapq.heapify(coming)
            left = self.budget
            while left and coming and coming[0][0] <= upto:
                at, k, key = heapq.heappop(coming)
                if self.until is not None and at > self.until:
                    continue
                come[key] = k
                left -= 1
                heapq.heappush(coming, (self._at(key, k + 1), k + 1, key))
            total = self.budget - left
        self.budget -= total
        heads = []
        for key, k in come.items():
            if k > arrived[key]:
                if self.taken[key] == arrived[key]:
                    c = self.first[key] = self._ticket(key, self.taken[key] + 1)
                    heads.append(c)
                arrived[key] = k
        return heads

    def _ticket(self, key: tuple[int, Line], k: int) -> Candidate:
        """The k-th of a line: numbered by (k, line), which orders those coming at the same
        instant as they come."""
        service_id, kind = key
        when = self.now + timedelta(microseconds=self._at(key, k))
        ticket_id = _FORESEEN_ID + (k << 32) + service_id * 4 + kind
        due = when if kind == Line.BOOKED else None
        return Candidate(ticket_id, service_id, kind == Line.PRIORITY, when, due)

    def heads(self, service_ids: frozenset[int]) -> list[Candidate]:
        """The first foreseen ticket of each line of these services that has one."""
        return [c for (s, _), c in self.first.items() if s in service_ids]

    def take(self, key: tuple[int, Line]) -> Candidate | None:
        """The head of a line is called; returns the next one, if any."""
        del self.first[key]
        taken = self.taken[key] = self.taken[key] + 1
        if taken == self.arrived[key]:
            return None
        c = self.first[key] = self._ticket(key, taken + 1)
        return c

    def next_for(self, service_ids: frozenset[int]) -> datetime | None:
        """When the next foreseen ticket of these services comes, if one still does."""
        if self.budget <= 0:
            return None
        times = [self._at(key, n + 1) for key, n in self.arrived.items() if key[0] in service_ids]
        times = [at for at in times if self.until is None or at <= self.until]
        return None if not times else self.now + timedelta(microseconds=min(times))


def _micros(span: timedelta) -> int:
    return span // _MICROSECOND


_MICROSECOND = timedelta(microseconds=1)


def _bucket(key: tuple[int, Line]) -> tuple[int, Line]:
    """The line past the replay: booked tickets join the normal line of their service."""
    service_id, kind = key
    return (service_id, Line.PRIORITY if kind == Line.PRIORITY else Line.NORMAL)


def _latest(
    items: Iterable[tuple[tuple[int, Line], datetime]],
) -> dict[tuple[int, Line], datetime]:
    out: dict[tuple[int, Line], datetime] = {}
    for key, at in items:
        b = _bucket(key)
        out[b] = max(out[b], at) if b in out else at
    return out


class _Beyond:
    """Past the replayed calls: the rest in priority-then-arrival order, each behind those left
    before it that its counters also serve, at the pace those counters kept in the replay. A line
    known only by its length (the part not loaded) is assumed to have arrived evenly since its
    last loaded ticket. A service no counter serves has only its own line, priced as one counter
    working through it (the staff have to open one first).

    Counted so that the count moves with the line: the tickets of its own line ahead of it are
    counted whole; another service's line counts by the part its counters take, rounded down
    from the tickets ahead (so one fewer ahead never means more); the other kind (priority or
    normal) by the slots the counters' priority ratio gives it before this ticket's turn, from
    where the replay left the ratio's cycle. A call of the head ticket, which moves the replay's
    end by one call, then takes one off."""

    def __init__(
        self,
        loaded: Mapping[tuple[int, Line], list[tuple[datetime, int]]],
        unloaded: Mapping[tuple[int, Line], int],
        last_loaded: Mapping[tuple[int, Line], datetime],
        line_last: Mapping[tuple[int, Line], datetime],
        shares: Sequence[tuple[int, int]],
        service_sets: Sequence[frozenset[int]],
        able: Mapping[int, list[int]],
        pace: Mapping[int, tuple[int, float, float]],
        cycle_pos: Sequence[int],
        minutes_per_call: Mapping[int, float],
        default_minutes: float,
        now: datetime,
    ) -> None:
        self.loaded, self.unloaded, self.last_loaded = loaded, unloaded, last_loaded
        self.line_last, self.shares, self.cycle_pos = line_last, shares, cycle_pos
        # Counter -> (calls replayed, minutes it began, minutes it is next free), still calling.
        self.service_sets, self.able, self.pace = service_sets, able, pace
        self.minutes_per_call, self.default_minutes = minutes_per_call, default_minutes
        self.now = now
        self.groups: dict[int, _Group | None] = {}
        self.shared: dict[tuple[int, tuple[int, ...]], float] = {}

    def place(self, c: Candidate) -> tuple[int, float]:
        per_call = self.minutes_per_call.get(c.service_id, self.default_minutes)
        own = _bucket(c.line)[1]
        priority = own == Line.PRIORITY
        other_kind = Line.NORMAL if priority else Line.PRIORITY
        group = self._group(c.service_id, per_call)
        if group is None:
            before = self._ahead_in(c, (c.service_id, own))
            if not priority:
                before += self._length((c.service_id, Line.PRIORITY))
            return before, (before + 1) * per_call
        # Tickets of another service go partly to counters that cannot serve this one: count
        # the part its own counters will take, by their pace.
        same = self._ahead_in(c, (c.service_id, own))
        other = self._length((c.service_id, other_kind))
        for s, part in group.others:
            same += math.floor(part * self._ahead_in(c, (s, own)) + 1e-9)
            other += math.floor(part * self._length((s, other_kind)) + 1e-9)
        slots = group.slots_before(priority, same + 1)
        before = same + (other if slots is None else min(other, slots))
        return group.done + before, group.free + before / group.rate

    def _group(self, service_id: int, per_call: float) -> _Group | None:
        """The counters still calling that serve a service, as every ticket of it sees them."""
        if service_id in self.groups:
            return self.groups[service_id]
        going = [i for i in self.able.get(service_id, []) if i in self.pace]
        group = None
        if going:
            reach = frozenset().union(*(self.service_sets[i] for i in going))
            others = [(s, self._share(s, going)) for s in sorted(reach) if s != service_id]
            first = min(going, key=lambda i: (self.pace[i][2], i))
            group = _Group(
                others=[(s, part) for s, part in others if part > 0],
                shares=[self.shares[i] for i in going],
                cycle_pos=self.cycle_pos[first],
                done=sum(self.pace[i][0] for i in going),
                rate=sum(self._rate(i, per_call) for i in going),
                free=min(self.pace[i][2] for i in going),
            )
        self.groups[service_id] = group
        return group

    def _rate(self, counter: int, per_call: float) -> float:
        """Calls a minute of one counter in the replay (from the standard if it made none)."""
        n, began, free = self.pace[counter]
        return n / (free - began) if n and free > began else 1 / per_call

    def _share(self, service_id: int, mine: list[int]) -> float:
        """The part of a service's tickets that go to the counters `mine`, by their pace."""
        key = (service_id, tuple(mine))
        if key not in self.shared:
            able = [i for i in self.able.get(service_id, []) if i in self.pace]
            total = sum(self._rate(i, self.default_minutes) for i in able)
            part = sum(self._rate(i, self.default_minutes) for i in able if i in mine)
            self.shared[key] = part / total if total else 0.0
        return self.shared[key]

    def _length(self, line: tuple[int, Line]) -> int:
        return len(self.loaded.get(line, ())) + self.unloaded.get(line, 0)

    def _ahead_in(self, c: Candidate, line: tuple[int, Line]) -> int:
        """Tickets of one line left before `c` in arrival order."""
        loaded = self.loaded.get(line, [])
        arrived = c.place[0]
        n = bisect.bisect_left(loaded, c.place)
        unloaded = self.unloaded.get(line, 0)
        since = self.last_loaded.get(line)
        if unloaded and since is not None and arrived > since:
            if line == _bucket(c.line) and c.ticket_id < _NEWCOMER_ID:
                unloaded -= 1  # a ticket is among them itself; a newcomer is not one yet
            # Not loaded: assume they came evenly up to the line's last arrival.
            span = (self.line_last.get(line, self.now) - since).total_seconds()
            share = 1.0 if span <= 0 else (arrived - since).total_seconds() / span
            n += round(unloaded * min(1.0, share))
        return n


@dataclass
class _Group:
    """The counters still calling past the replay that serve one service (see _Beyond)."""

    # Other services they serve: (service, the part of its tickets they take).
    others: list[tuple[int, float]]
    # Their priority ratios (priority share, normal share), and where the first to call next
    # stands in its cycle.
    shares: list[tuple[int, int]]
    cycle_pos: int
    done: int  # calls they made in the replay
    rate: float  # calls a minute, together
    free: float  # minutes until the first of them is free after the replay

    def slots_before(self, priority: bool, turn: int) -> int | None:
        """Calls of the other kind (normal for a priority ticket, priority for a normal one)
        the ratio makes before the `turn`-th call of this kind, were both kinds to wait
        throughout (None: every one of them, the ratio giving this kind none)."""
        if len(set(self.shares)) == 1:
            # One ratio: its cycle, from where the replay left it.
            p, n = self.shares[0]
            mine = p if priority else n
            if mine == 0:
                return None
            cycle = p + n
            # The offsets, from the cycle's current place, of the calls of this kind.
            offsets = [t for t in range(cycle) if ((self.cycle_pos + t) % cycle < p) == priority]
            full, k = divmod(turn - 1, mine)
            return full * cycle + offsets[k] - (turn - 1)
        # Counters with different ratios: their mean, rounded down.
        prio = sum(s[0] for s in self.shares) / len(self.shares)
        normal = sum(s[1] for s in self.shares) / len(self.shares)
        part, rest = (prio, normal) if priority else (normal, prio)
        if part == 0:
            return None
        # As if each cycle began with the priority calls.
        return math.floor((turn - 1 if priority else turn) / part * rest + 1e-9)
