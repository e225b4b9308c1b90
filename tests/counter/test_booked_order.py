"""Booked tickets in the calling rule and in the forecast that replays it: due at their slot,
ahead of walk-ins, at most `booked_in_row` in a row while walk-ins wait; before their slot only
when nobody else waits; aged from the later of slot and check-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from counter.queue.forecast import CounterPlan, forecast
from counter.queue.policy import Candidate, CounterMix, CounterPolicy, ServiceSlot, choose

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
X = 1


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def walk_in(tid: int, minute: float, priority: bool = False) -> Candidate:
    return Candidate(tid, X, priority, at(minute))


def booked(tid: int, checked_in: float, slot: float) -> Candidate:
    return Candidate(tid, X, False, at(checked_in), at(slot))


def drain(tickets: list[Candidate], policy: CounterPolicy, now: datetime) -> list[int]:
    """Call everything at one instant, as one counter would, call after call."""
    left, mix, called = list(tickets), CounterMix(), []
    while left:
        choice = choose(left, policy, mix, now)
        assert choice is not None
        mix = choice.mix
        called.append(choice.candidate.ticket_id)
        left.remove(choice.candidate)
    return called


POLICY = CounterPolicy(services=(ServiceSlot(X),))


class TestChoose:
    def test_a_due_booking_goes_ahead_of_earlier_walk_ins(self) -> None:
        tickets = [walk_in(1, -20), walk_in(2, -15), booked(3, -10, 0)]
        choice = choose(tickets, POLICY, CounterMix(), NOW)
        assert choice is not None
        assert choice.candidate.ticket_id == 3 and choice.reason == "booked"

    def test_before_its_slot_a_booking_waits_behind_walk_ins(self) -> None:
        tickets = [walk_in(1, -20), booked(3, -10, 5)]
        assert drain(tickets, POLICY, NOW) == [1, 3]

    def test_before_its_slot_a_booking_is_called_rather_than_leave_a_counter_idle(self) -> None:
        choice = choose([booked(3, -10, 5)], POLICY, CounterMix(), NOW)
        assert choice is not None and choice.candidate.ticket_id == 3

    @pytest.mark.parametrize(
        ("in_row", "order"),
        [
            (2, [11, 12, 1, 13, 14, 2, 3]),
            (1, [11, 1, 12, 2, 13, 3, 14]),
            (0, [1, 2, 3, 11, 12, 13, 14]),
        ],
    )
    def test_walk_ins_are_never_starved_by_a_run_of_bookings(
        self, in_row: int, order: list[int]
    ) -> None:
        tickets = [walk_in(1, -9), walk_in(2, -8), walk_in(3, -7)]
        tickets += [booked(10 + i, -20, -5 + i) for i in range(1, 5)]
        policy = CounterPolicy(services=(ServiceSlot(X),), booked_in_row=in_row)
        assert drain(tickets, policy, NOW) == order

    def test_bookings_alone_do_not_use_up_the_run(self) -> None:
        # Two bookings called while no walk-in waited; then a walk-in arrives: the run is fresh.
        policy = CounterPolicy(services=(ServiceSlot(X),), booked_in_row=1)
        mix = CounterMix()
        for tid in (11, 12):
            choice = choose([booked(tid, -20, -5)], policy, mix, NOW)
            assert choice is not None
            mix = choice.mix
        choice = choose([walk_in(1, -1), booked(13, -20, -4)], policy, mix, NOW)
        assert choice is not None and choice.candidate.ticket_id == 13

    def test_a_booking_ages_from_its_slot_not_from_an_early_check_in(self) -> None:
        # Checked in 40 minutes ago for a slot 5 minutes ago: not aged (cap 30); a walk-in of
        # 31 minutes is, and goes first.
        tickets = [walk_in(1, -31), booked(2, -40, -5)]
        choice = choose(tickets, POLICY, CounterMix(), NOW)
        assert choice is not None and choice.candidate.ticket_id == 1
        assert choice.reason == "aged"
        # A booking 31 minutes past its slot is aged too, and older than a 20-minute walk-in.
        choice = choose([walk_in(1, -20), booked(2, -40, -31)], POLICY, CounterMix(), NOW)
        assert choice is not None and choice.candidate.ticket_id == 2
        assert choice.reason == "aged"


class TestForecast:
    def test_a_booked_ticket_is_forecast_at_its_slot_and_walk_ins_behind_it_know(self) -> None:
        # One counter, 10 minutes a call. Walk-ins 1-4 wait; booking 9 checked in early for a
        # slot in 20 minutes. Worked by hand: t=0 calls 1, t=10 calls 2, t=20 the booking is due
        # and goes ahead of 3 and 4, which follow at t=30 and t=40.
        waiting = [
            walk_in(1, -5),
            walk_in(2, -4),
            walk_in(3, -3),
            walk_in(4, -2),
            booked(9, -1, 20),
        ]
        plan = CounterPlan(1, POLICY, CounterMix(), NOW)
        f = forecast(waiting, [plan], {X: 10}, NOW)
        got = {tid: (f.ticket(tid).waiting_ahead, f.ticket(tid).minutes) for tid in (1, 2, 3, 4, 9)}
        assert got == {1: (0, 0), 2: (1, 10), 3: (3, 30), 4: (4, 40), 9: (2, 20)}
        # The forecast's order is the calling rule's own, replayed at each call's time.
        order = sorted(got, key=lambda tid: got[tid][1])
        assert order == [1, 2, 9, 3, 4]

    def test_the_forecast_replays_the_run_bound(self) -> None:
        tickets = [walk_in(1, -9), walk_in(2, -8), walk_in(3, -7)]
        tickets += [booked(10 + i, -20, -5 + i) for i in range(1, 5)]
        plan = CounterPlan(1, POLICY, CounterMix(), NOW)
        f = forecast(tickets, [plan], {X: 1}, NOW)
        by_ahead = sorted((f.ticket(t.ticket_id).waiting_ahead, t.ticket_id) for t in tickets)
        # Calls are one minute apart, so later slots are due by then: the same order as drain.
        assert [tid for _, tid in by_ahead] == drain(tickets, POLICY, NOW)

    def test_a_newcomer_walk_in_is_told_about_the_bookings_due_before_it(self) -> None:
        waiting = [booked(9, -1, 0), booked(10, -1, 5)]
        plan = CounterPlan(1, POLICY, CounterMix(), NOW)
        f = forecast(waiting, [plan], {X: 10}, NOW, newcomers=[X])
        # t=0: booking 9 (due); t=10: booking 10 (due; run of 2 allowed); t=20: the newcomer.
        assert f.newcomers[X].waiting_ahead == 2 and f.newcomers[X].minutes == 20
