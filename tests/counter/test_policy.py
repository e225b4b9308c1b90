"""Which ticket a counter calls next: order, weights, the priority ratio and the ageing cap."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest

from counter.queue.policy import (
    Candidate,
    CounterMix,
    CounterPolicy,
    ServeMode,
    ServiceSlot,
    call_order,
    choose,
)

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Line:
    """A waiting line the test drains by repeatedly choosing, as a counter would."""

    def __init__(self) -> None:
        self.tickets: list[Candidate] = []
        self._next = 1

    def add(self, service: int, minute: float, *, priority: bool = False) -> int:
        ticket_id = self._next
        self._next += 1
        self.tickets.append(Candidate(ticket_id, service, priority, at(minute)))
        return ticket_id

    def drain(self, policy: CounterPolicy, now: datetime, n: int | None = None) -> list[int]:
        mix = CounterMix()
        called = []
        while self.tickets and (n is None or len(called) < n):
            choice = choose(self.tickets, policy, mix, now)
            if choice is None:
                break
            mix = choice.mix
            called.append(choice.candidate.ticket_id)
            self.tickets.remove(choice.candidate)
        return called


def policy(*slots: ServiceSlot, **kw: object) -> CounterPolicy:
    return CounterPolicy(services=slots, **kw)  # type: ignore[arg-type]


class TestOrder:
    def test_first_come_first_served_within_one_service(self) -> None:
        line = Line()
        ids = [line.add(1, m) for m in (0, 1, 2, 3)]
        assert line.drain(policy(ServiceSlot(1)), at(5)) == ids

    def test_the_first_position_with_someone_waiting_goes_first(self) -> None:
        line = Line()
        b = line.add(2, 0)
        a = line.add(1, 3)
        assert line.drain(policy(ServiceSlot(1, 0), ServiceSlot(2, 1)), at(5)) == [a, b]

    def test_services_at_the_same_position_share_one_line(self) -> None:
        line = Line()
        x = line.add(1, 2)
        y = line.add(2, 1)
        z = line.add(1, 0)
        assert line.drain(policy(ServiceSlot(1, 0), ServiceSlot(2, 0)), at(5)) == [z, y, x]

    def test_a_service_the_counter_does_not_serve_is_never_chosen(self) -> None:
        line = Line()
        line.add(9, 0)
        assert choose(line.tickets, policy(ServiceSlot(1)), CounterMix(), at(1)) is None


class TestWeights:
    def test_weights_three_to_one_interleave_over_a_day(self) -> None:
        line = Line()
        for m in range(40):
            line.add(1, m)
            line.add(2, m)
        p = policy(
            ServiceSlot(1, 0, 3),
            ServiceSlot(2, 1, 1),
            mode=ServeMode.WEIGHT,
            ageing_cap=timedelta(hours=10),
        )
        called = line.drain(p, at(41), n=40)
        services = [1 if i % 2 == 1 else 2 for i in called]
        assert Counter(services) == {1: 30, 2: 10}
        # Smooth: never more than three of service 1 in a row.
        run = longest = 0
        for s in services:
            run = run + 1 if s == 1 else 0
            longest = max(longest, run)
        assert longest == 3

    def test_an_empty_service_does_not_hold_the_others_back(self) -> None:
        line = Line()
        ids = [line.add(2, m) for m in range(5)]
        p = policy(ServiceSlot(1, 0, 5), ServiceSlot(2, 1, 1), mode=ServeMode.WEIGHT)
        assert line.drain(p, at(6)) == ids

    def test_weights_below_one_are_refused(self) -> None:
        with pytest.raises(ValueError, match="weight"):
            policy(ServiceSlot(1, 0, 0))


class TestPriority:
    def test_default_ratio_alternates_priority_and_normal_while_both_wait(self) -> None:
        line = Line()
        normal = [line.add(1, m) for m in range(4)]
        prio = [line.add(1, 10 + m, priority=True) for m in range(4)]
        called = line.drain(policy(ServiceSlot(1)), at(15))
        assert called == [
            prio[0],
            normal[0],
            prio[1],
            normal[1],
            prio[2],
            normal[2],
            prio[3],
            normal[3],
        ]

    def test_one_priority_to_two_normal(self) -> None:
        line = Line()
        normal = [line.add(1, m) for m in range(6)]
        prio = [line.add(1, 10 + m, priority=True) for m in range(3)]
        called = line.drain(policy(ServiceSlot(1), priority_share=1, normal_share=2), at(15))
        assert called == [
            prio[0],
            normal[0],
            normal[1],
            prio[1],
            normal[2],
            normal[3],
            prio[2],
            normal[4],
            normal[5],
        ]

    def test_only_one_kind_waiting_is_served_in_order(self) -> None:
        line = Line()
        prio = [line.add(1, m, priority=True) for m in range(3)]
        assert line.drain(policy(ServiceSlot(1)), at(5)) == prio

    def test_ratio_of_zero_priority_means_priority_only_when_alone(self) -> None:
        line = Line()
        n = line.add(1, 1)
        p = line.add(1, 0, priority=True)
        assert line.drain(policy(ServiceSlot(1), priority_share=0, normal_share=1), at(5)) == [n, p]

    def test_an_all_zero_ratio_is_refused(self) -> None:
        with pytest.raises(ValueError, match="ratio"):
            policy(ServiceSlot(1), priority_share=0, normal_share=0)


class TestAgeing:
    def test_a_ticket_past_the_cap_goes_before_priority_and_order(self) -> None:
        line = Line()
        line.add(1, 40, priority=True)
        line.add(1, 41)
        old = line.add(2, 0)  # a low-order service, waiting 45 minutes
        p = policy(ServiceSlot(1, 0), ServiceSlot(2, 1), ageing_cap=timedelta(minutes=30))
        choice = choose(line.tickets, p, CounterMix(), at(45))
        assert choice is not None
        assert choice.candidate.ticket_id == old
        assert choice.reason == "aged"

    def test_aged_tickets_go_oldest_first(self) -> None:
        line = Line()
        b = line.add(2, 5)
        a = line.add(1, 0)
        p = policy(ServiceSlot(1, 1), ServiceSlot(2, 0), ageing_cap=timedelta(minutes=30))
        assert line.drain(p, at(60), n=2) == [a, b]

    def test_below_the_cap_order_rules(self) -> None:
        line = Line()
        low = line.add(2, 0)
        high = line.add(1, 10)
        p = policy(ServiceSlot(1, 0), ServiceSlot(2, 1), ageing_cap=timedelta(minutes=30))
        assert line.drain(p, at(29)) == [high, low]


class TestCallOrder:
    """The console's waiting list: the order the counter would call, made by `choose` itself."""

    POLICIES: ClassVar[dict[str, CounterPolicy]] = {
        "in order": policy(ServiceSlot(1, 0), ServiceSlot(2, 1), ServiceSlot(3, 1)),
        "by weight": policy(ServiceSlot(1, 0, 3), ServiceSlot(2, 1, 1), mode=ServeMode.WEIGHT),
        "priority 2:1": policy(ServiceSlot(1), ServiceSlot(2), priority_share=2, normal_share=1),
        "short ageing cap": policy(
            ServiceSlot(1, 0), ServiceSlot(2, 1), ageing_cap=timedelta(minutes=20)
        ),
    }

    @pytest.mark.parametrize("name", POLICIES)
    @pytest.mark.parametrize("seed", range(5))
    def test_it_is_the_order_of_calling_next_again_and_again(self, name: str, seed: int) -> None:
        rng = random.Random(seed)
        line = Line()
        for _ in range(rng.randint(1, 25)):
            line.add(rng.choice([1, 2, 3, 9]), rng.uniform(0, 40), priority=rng.random() < 0.3)
        counter = self.POLICIES[name]
        now = at(45)
        order = [
            c.candidate.ticket_id for c in call_order(line.tickets, counter, CounterMix(), now)
        ]
        # The independent computation: drain the whole line with `choose`, one call at a time.
        assert order == line.drain(counter, now)

    def test_the_next_ticket_comes_first_even_when_another_arrived_earlier(self) -> None:
        # Counter 1 serves births (service 1) before ID cards (service 2): the ID-card ticket
        # that came first is called after every birth ticket, so it is listed after them.
        line = Line()
        id_card = line.add(2, 0)
        births = [line.add(1, m) for m in (3, 5)]
        order = call_order(
            line.tickets, policy(ServiceSlot(1, 0), ServiceSlot(2, 1)), CounterMix(), at(6)
        )
        assert [c.candidate.ticket_id for c in order] == [*births, id_card]
        assert [c.reason for c in order] == ["normal", "normal", "normal"]

    def test_the_counters_own_mix_decides_who_is_first(self) -> None:
        line = Line()
        normal = line.add(1, 0)
        elderly = line.add(1, 1, priority=True)
        counter = policy(ServiceSlot(1))
        due_priority = call_order(line.tickets, counter, CounterMix(cycle_pos=0), at(2))
        due_normal = call_order(line.tickets, counter, CounterMix(cycle_pos=1), at(2))
        assert [c.candidate.ticket_id for c in due_priority] == [elderly, normal]
        assert [c.candidate.ticket_id for c in due_normal] == [normal, elderly]

    def test_nothing_it_does_not_serve_is_listed(self) -> None:
        line = Line()
        line.add(9, 0)
        assert call_order(line.tickets, policy(ServiceSlot(1)), CounterMix(), at(1)) == []
