"""The forecast's replay against a plain one written here: each counter, when free, calls what
`choose` picks among the heads of the lines it serves (as Call next does: the first of each
service's normal, priority and booked line, by place), without the replay's shortcut for tickets
past the ageing cap and without its bookkeeping of heads, keeps it for the service's minutes,
and so on.
Random offices: shared and separate services, both serving modes, priority ratios, ageing caps
that most of a long replay passes, booked tickets, counters free at different times."""

from __future__ import annotations

import heapq
import random
from datetime import UTC, datetime, timedelta

import pytest

from counter.queue.forecast import CounterPlan, forecast
from counter.queue.policy import (
    Candidate,
    CounterMix,
    CounterPolicy,
    Line,
    ServeMode,
    ServiceSlot,
    choose,
)

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def office(seed: int) -> tuple[list[Candidate], list[CounterPlan], dict[int, float]]:
    rnd = random.Random(seed)
    services = list(range(1, rnd.randint(2, 7)))
    plans = []
    for number in range(1, rnd.randint(2, 5)):
        ids = rnd.sample(services, rnd.randint(1, len(services)))
        policy = CounterPolicy(
            tuple(ServiceSlot(s, rnd.randint(0, 2), rnd.randint(1, 3)) for s in ids),
            mode=rnd.choice(list(ServeMode)),
            priority_share=rnd.randint(0, 2),
            normal_share=rnd.randint(1, 3),
            ageing_cap=timedelta(minutes=rnd.choice([5, 20, 45])),
            booked_in_row=rnd.randint(0, 2),
        )
        mix = CounterMix(rnd.randint(0, 2), {s: rnd.randint(-2, 2) for s in ids})
        free_at = NOW + timedelta(minutes=rnd.choice([0, 0, 3, 11]))
        plans.append(CounterPlan(number, policy, mix, free_at))
    waiting = []
    for tid in range(1, rnd.randint(1, 150)):
        booked = NOW + timedelta(minutes=rnd.randint(-20, 120)) if rnd.random() < 0.1 else None
        queued = NOW - timedelta(minutes=rnd.uniform(0, 60))
        waiting.append(Candidate(tid, rnd.choice(services), rnd.random() < 0.2, queued, booked))
    minutes = {s: rnd.uniform(1, 9) for s in services}
    return waiting, plans, minutes


def plain_replay(
    waiting: list[Candidate], plans: list[CounterPlan], minutes: dict[int, float]
) -> dict[int, tuple[int, float]]:
    left = list(waiting)
    mixes = [plan.mix for plan in plans]
    calls = [0] * len(plans)
    free = [(plan.free_at, plan.number, i) for i, plan in enumerate(plans)]
    heapq.heapify(free)
    told: dict[int, tuple[int, float]] = {}
    while free and left:
        at, number, i = heapq.heappop(free)
        heads: dict[object, Candidate] = {}
        for c in left:
            if c.line not in heads or c.place < heads[c.line].place:
                heads[c.line] = c
        choice = choose(heads.values(), plans[i].policy, mixes[i], at)
        if choice is None:
            continue  # nothing it serves waits: it leaves the replay
        picked = choice.candidate
        mixes[i] = choice.mix
        left.remove(picked)
        ahead = sum(
            n
            for n, plan in zip(calls, plans, strict=True)
            if picked.service_id in plan.policy.service_ids
        )
        told[picked.ticket_id] = (ahead, max(0.0, (at - NOW).total_seconds() / 60))
        calls[i] += 1
        heapq.heappush(free, (at + timedelta(minutes=minutes[picked.service_id]), number, i))
    return told


@pytest.mark.parametrize("seed", range(60))
def test_the_replay_calls_whom_the_rule_calls_when_it_calls_them(seed: int) -> None:
    waiting, plans, minutes = office(seed)
    expected = plain_replay(waiting, plans, minutes)
    replayed = forecast(waiting, plans, minutes, NOW).called
    assert replayed.keys() == expected.keys()
    for tid, (ahead, wait) in expected.items():
        assert replayed[tid][0] == ahead, tid
        assert max(0.0, (replayed[tid][1] - NOW).total_seconds() / 60) == pytest.approx(wait), tid


def test_most_of_a_long_replay_is_past_the_ageing_cap() -> None:
    """The offices above are long enough that the shortcut is exercised, not only the rule."""
    aged = total = 0
    for seed in range(60):
        waiting, plans, minutes = office(seed)
        left = list(waiting)
        order = plain_replay(waiting, plans, minutes)
        for tid, (_, wait) in order.items():
            ticket = next(c for c in left if c.ticket_id == tid)
            cap = min(p.policy.ageing_cap for p in plans)
            total += 1
            aged += NOW + timedelta(minutes=wait) - ticket.waits_from >= cap
    assert total > 1000
    assert aged / total > 0.5


@pytest.mark.parametrize("seed", range(40))
def test_a_ticket_is_told_the_same_with_or_without_the_newcomers_waits(seed: int) -> None:
    """The status pages share a forecast made without the kiosk's newcomers, the kiosk one made
    with them (QueueViews.office_forecast): each newcomer goes on in a copy of the replay, so
    every waiting ticket is told the same by both, arrivals foreseen or not."""
    waiting, plans, minutes = office(seed)
    rnd = random.Random(seed)
    services = sorted({s for plan in plans for s in plan.policy.service_ids})
    arrivals = {(s, kind): rnd.uniform(0, 0.4) for s in services for kind in Line}
    alone = forecast(waiting, plans, minutes, NOW, arrivals=arrivals)
    with_them = forecast(waiting, plans, minutes, NOW, arrivals=arrivals, newcomers=services)
    assert with_them.newcomers.keys() == set(services)
    assert alone.called == with_them.called
    assert [alone.wait_of(c) for c in waiting] == [with_them.wait_of(c) for c in waiting]


@pytest.mark.parametrize("seed", range(60))
def test_a_newcomer_is_told_what_its_ticket_is_told_once_issued(seed: int) -> None:
    """The kiosk's list tells each service's wait for a ticket taken now: the very estimate
    that ticket gets once issued, whatever the priority ratio, weights, ageing and foreseen
    arrivals, and when the replay stops short (a small `max_calls`)."""
    waiting, plans, minutes = office(seed)
    rnd = random.Random(seed)
    services = sorted(minutes)  # some served by no counter
    arrivals = {(s, kind): rnd.uniform(0, 0.4) for s in services for kind in Line}
    max_calls = rnd.choice([1000, 1000, 30])
    before = forecast(
        waiting, plans, minutes, NOW, arrivals=arrivals, newcomers=services, max_calls=max_calls
    )
    for s in services:
        ticket = Candidate(10**6, s, False, NOW)
        issued = forecast(
            [*waiting, ticket], plans, minutes, NOW, arrivals=arrivals, max_calls=max_calls
        )
        assert before.newcomers[s] == issued.wait_of(ticket), s


@pytest.mark.parametrize("seed", range(40))
def test_a_newcomer_is_told_its_ticket_s_wait_where_other_lines_are_loaded_in_part(
    seed: int,
) -> None:
    """Lines longer than the forecast loads are given by their first tickets and their length
    (`line_sizes`): the replay stops where one runs out, and a newcomer not yet weighed by then
    is placed past it, as its ticket is."""
    waiting, plans, minutes = office(seed)
    lines: dict[tuple[int, Line], list[Candidate]] = {}
    for c in sorted(waiting, key=lambda c: c.place):
        lines.setdefault(c.line, []).append(c)
    for s in sorted(minutes):
        own = (s, Line.NORMAL)
        loaded = [c for key, line in lines.items() for c in (line if key == own else line[:1])]
        sizes = {key: (len(line), line[-1].place[0]) for key, line in lines.items()}
        before = forecast(loaded, plans, minutes, NOW, newcomers=[s], line_sizes=sizes)
        ticket = Candidate(10**6, s, False, NOW)
        sizes[own] = (sizes[own][0] + 1 if own in sizes else 1, NOW)
        issued = forecast([*loaded, ticket], plans, minutes, NOW, line_sizes=sizes)
        assert before.newcomers[s] == issued.wait_of(ticket), s


@pytest.mark.parametrize("seed", range(40))
def test_a_newcomer_is_told_its_ticket_s_wait_where_its_own_line_is_loaded_in_part(
    seed: int,
) -> None:
    """Its own line known by its first ticket and its length: the ticket, once issued, is one
    of the line's tickets not loaded, and the newcomer, not yet one, is counted behind them all
    the same."""
    waiting, plans, minutes = office(seed)
    lines: dict[tuple[int, Line], list[Candidate]] = {}
    for c in sorted(waiting, key=lambda c: c.place):
        lines.setdefault(c.line, []).append(c)
    loaded = [line[0] for line in lines.values()]
    for s in sorted(minutes):
        own = (s, Line.NORMAL)
        if len(lines.get(own, ())) < 2:
            continue  # its line, and its ticket with it, would be loaded whole
        sizes = {key: (len(line), line[-1].place[0]) for key, line in lines.items()}
        before = forecast(loaded, plans, minutes, NOW, newcomers=[s], line_sizes=sizes)
        ticket = Candidate(10**6, s, False, NOW)
        sizes[own] = (sizes[own][0] + 1, NOW)
        issued = forecast(loaded, plans, minutes, NOW, line_sizes=sizes)
        assert before.newcomers[s] == issued.wait_of(ticket), s
