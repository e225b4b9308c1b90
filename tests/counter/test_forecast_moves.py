"""People ahead move as the line moves, however far back: each call of a ticket ahead takes one
off the count of every ticket behind it, past the replayed calls too (where the forecast places
tickets without replaying them). The forecast is read as the service layer reads it: the first
`LOADED_PER_LINE` tickets of each line and every line's length and last arrival."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from counter.queue.forecast import (
    LOADED_PER_LINE,
    MAX_SIMULATED_CALLS,
    CounterPlan,
    Forecast,
    forecast,
)
from counter.queue.policy import Candidate, CounterMix, CounterPolicy, Line, ServiceSlot, choose

NOW = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
X, Y = 1, 2
DAY = timedelta(hours=12)
MINUTES = {X: 8.0, Y: 12.0}


def arrivals(services: list[int], n: int, seed: int) -> list[Candidate]:
    """`n` tickets arrived unevenly over the morning (gaps of a few seconds to a few minutes)."""
    rng = random.Random(seed)
    at = NOW - timedelta(hours=6)
    out = []
    for tid in range(1, n + 1):
        at += timedelta(seconds=rng.choice([2, 5, 20, 45, 90, 200]))
        out.append(Candidate(tid, rng.choice(services), rng.random() < 0.08, at))
    return out


def read(waiting: list[Candidate], plans: list[CounterPlan], now: datetime) -> Forecast:
    """The forecast as counter.service.waits makes it (repository.waiting_lines)."""
    lines: dict[tuple[int, Line], list[Candidate]] = {}
    for c in sorted(waiting, key=lambda c: c.place):
        lines.setdefault(c.line, []).append(c)
    loaded = [c for line in lines.values() for c in line[:LOADED_PER_LINE]]
    sizes = {key: (len(line), line[-1].place[0]) for key, line in lines.items()}
    return forecast(loaded, plans, MINUTES, now, line_sizes=sizes)


def run(waiting: list[Candidate], plans: list[CounterPlan], calls: int) -> None:
    """The counters call as they will (the one free first, by its own rule) and, after each call,
    every ticket still waiting is told again: never more ahead than before, and one less (at
    least) wherever the counter that called serves its service."""
    waiting = list(waiting)
    assert len(waiting) > 3 * MAX_SIMULATED_CALLS
    now = NOW
    told = read(waiting, plans, now)
    for _ in range(calls):
        k = min(range(len(plans)), key=lambda i: (plans[i].free_at, plans[i].number))
        plan = plans[k]
        now = plan.free_at
        heads = {}
        for c in sorted(waiting, key=lambda c: c.place):
            heads.setdefault(c.line, c)
        choice = choose(heads.values(), plan.policy, plan.mix, now)
        assert choice is not None
        waiting.remove(choice.candidate)
        duration = timedelta(minutes=MINUTES[choice.candidate.service_id])
        plans[k] = replace(plan, mix=choice.mix, free_at=now + duration)
        new = read(waiting, plans, now)
        for c in waiting:
            before, after = told.wait_of(c).waiting_ahead, new.wait_of(c).waiting_ahead
            assert after <= before, (c, before, after)
            if c.service_id in plan.policy.service_ids:
                assert after <= before - 1, (c, before, after)
        told = new


def plan(number: int, *services: int) -> CounterPlan:
    policy = CounterPolicy(tuple(ServiceSlot(s) for s in services), ageing_cap=DAY)
    return CounterPlan(number, policy, CounterMix(), NOW)


def test_one_line_one_counter_each_call_takes_one_off_everyone_behind() -> None:
    waiting = [replace(c, priority=False) for c in arrivals([X], 700, seed=1)]
    plans = [plan(1, X)]
    first = read(waiting, plans, NOW)
    assert [first.wait_of(c).waiting_ahead for c in waiting] == list(range(len(waiting)))
    run(waiting, plans, calls=25)


def test_one_line_with_priority_tickets_moves_by_one_everywhere() -> None:
    run(arrivals([X], 600, seed=2), [plan(1, X)], calls=25)


def test_shared_counters_never_add_anyone_ahead_as_the_lines_move() -> None:
    # Counter 1 serves X and Y in one line, counter 2 X alone, counter 3 Y alone.
    plans = [plan(1, X, Y), plan(2, X), plan(3, Y)]
    run(arrivals([X, X, Y], 900, seed=3), plans, calls=30)
