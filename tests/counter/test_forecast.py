"""Position and wait from the rules that call: the pure forecast, checked by hand-worked cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from counter.queue.forecast import (
    CounterPlan,
    Estimate,
    expected_minutes,
    forecast,
    remaining_minutes,
    wait_range,
)
from counter.queue.policy import Candidate, CounterMix, CounterPolicy, ServiceSlot
from kiosk.texts import service_wait_text, wait_text

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
X, Y = 1, 2  # two services


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def ticket(tid: int, service: int, minute: float, priority: bool = False) -> Candidate:
    return Candidate(tid, service, priority, at(minute))


def counter(
    number: int,
    *slots: ServiceSlot,
    free_in: float = 0,
    mix: CounterMix | None = None,
    **kw: object,
) -> CounterPlan:
    policy = CounterPolicy(services=slots, **kw)  # type: ignore[arg-type]
    return CounterPlan(number, policy, mix or CounterMix(), at(free_in))


class TestPosition:
    def test_a_priority_ticket_at_a_shared_counter_goes_ahead_of_earlier_normal_ones(self) -> None:
        # One counter serves X and Y in one line, one priority to one normal ticket.
        waiting = [
            ticket(1, X, -20),
            ticket(2, Y, -15),
            ticket(3, X, -10),
            ticket(4, Y, -5, priority=True),
        ]
        plan = counter(1, ServiceSlot(X), ServiceSlot(Y))
        f = forecast(waiting, [plan], {X: 10, Y: 10}, NOW)
        # Calls: 4 (priority is due first), 1, 2, 3.
        assert {tid: f.ticket(tid).waiting_ahead for tid in (1, 2, 3, 4)} == {
            4: 0,
            1: 1,
            2: 2,
            3: 3,
        }
        assert [f.ticket(tid).minutes for tid in (4, 1, 2, 3)] == [0, 10, 20, 30]

    def test_a_ticket_of_x_waits_behind_y_tickets_the_counter_serves_first(self) -> None:
        # Counter 1 serves Y before X (order); counter 2 serves only Y.
        waiting = [ticket(1, X, -20), ticket(2, Y, -10), ticket(3, Y, -9), ticket(4, Y, -8)]
        plans = [
            counter(1, ServiceSlot(Y, position=0), ServiceSlot(X, position=1), free_in=4),
            counter(2, ServiceSlot(Y), free_in=1),
        ]
        f = forecast(waiting, plans, {X: 10, Y: 10}, NOW)
        # t=1: counter 2 calls Y2; t=4: counter 1 calls Y3; t=11: counter 2 calls Y4;
        # t=14: counter 1 finally reaches X1 — the only counter that serves X called one before.
        assert f.ticket(1).waiting_ahead == 1
        assert f.ticket(1).minutes == 14
        # Same-service-only counting (the old rule) would have said 0 ahead, "you are next".
        assert [f.ticket(t).waiting_ahead for t in (2, 3, 4)] == [0, 1, 2]

    def test_the_ageing_cap_lets_an_old_ticket_through_a_busy_first_service(self) -> None:
        waiting = [ticket(1, X, -29), *(ticket(10 + i, Y, -1) for i in range(5))]
        plan = counter(
            1,
            ServiceSlot(Y, position=0),
            ServiceSlot(X, position=1),
            ageing_cap=timedelta(minutes=30),
        )
        f = forecast(waiting, [plan], {X: 5, Y: 5}, NOW)
        # Y10 at 0; at 5 ticket 1 has waited 34 min, past the cap: it goes next.
        assert f.ticket(1).waiting_ahead == 1 and f.ticket(1).minutes == 5

    def test_the_priority_ratio_follows_the_counters_own_mix(self) -> None:
        waiting = [ticket(1, X, -10), ticket(2, X, -9), ticket(3, X, -1, priority=True)]
        fresh = counter(1, ServiceSlot(X), priority_share=1, normal_share=1)
        due_normal = counter(
            1, ServiceSlot(X), priority_share=1, normal_share=1, mix=CounterMix(cycle_pos=1)
        )
        assert forecast(waiting, [fresh], {X: 10}, NOW).ticket(3).waiting_ahead == 0
        assert forecast(waiting, [due_normal], {X: 10}, NOW).ticket(3).waiting_ahead == 1


class TestWait:
    def test_never_zero_while_every_counter_is_busy_and_someone_is_ahead(self) -> None:
        waiting = [ticket(1, X, -5), ticket(2, X, -4)]
        plans = [counter(1, ServiceSlot(X), free_in=0.2), counter(2, ServiceSlot(X), free_in=0.1)]
        f = forecast(waiting, plans, {X: 12}, NOW)
        second = f.ticket(2)
        assert second.waiting_ahead == 1
        assert second.minutes >= 1 and second.low >= 1 and second.high > second.low

    def test_nobody_ahead_but_the_counters_busy_is_not_zero_minutes(self) -> None:
        f = forecast([ticket(1, X, 0)], [counter(1, ServiceSlot(X), free_in=7)], {X: 10}, NOW)
        assert f.ticket(1) == Estimate(0, 7, 4, 12)

    def test_nobody_ahead_and_a_counter_free_is_the_only_zero(self) -> None:
        f = forecast([ticket(1, X, 0)], [counter(1, ServiceSlot(X))], {X: 10}, NOW)
        assert f.ticket(1) == Estimate(0, 0, 0, 0)

    def test_a_service_no_counter_serves_still_counts_its_own_line(self) -> None:
        waiting = [ticket(1, Y, -3), ticket(2, Y, -2), ticket(3, Y, -1, priority=True)]
        f = forecast(waiting, [counter(1, ServiceSlot(X))], {Y: 10}, NOW)
        assert [f.ticket(t).waiting_ahead for t in (3, 1, 2)] == [0, 1, 2]
        assert f.ticket(2).minutes == 30

    def test_a_newcomer_is_told_what_the_same_ticket_gets_once_issued(self) -> None:
        waiting = [ticket(1, Y, -10), ticket(2, X, -9), ticket(3, Y, -8), ticket(4, X, -7)]
        plans = [
            counter(1, ServiceSlot(Y, position=0), ServiceSlot(X, position=1), free_in=3),
            counter(2, ServiceSlot(X), ServiceSlot(Y), free_in=6),
        ]
        minutes = {X: 8, Y: 12}
        before = forecast(waiting, plans, minutes, NOW, newcomers=[X, Y])
        for service in (X, Y):
            issued = forecast([*waiting, ticket(99, service, 0)], plans, minutes, NOW)
            assert before.newcomers[service] == issued.ticket(99)


class TestDurations:
    def test_without_observations_the_standard_time_is_the_estimate(self) -> None:
        assert expected_minutes([], 15) == 15

    def test_observations_outweigh_the_standard_as_they_accumulate(self) -> None:
        few = expected_minutes([6.0], 15)
        many = expected_minutes([6.0] * 30, 15)
        assert 6 < many < few < 15
        assert abs(many - 6) < 1.5

    def test_one_forgotten_finish_does_not_drag_the_mean(self) -> None:
        samples = [8.0] * 19 + [240.0]
        assert expected_minutes(samples, 8) < 10

    def test_a_citizen_kept_past_the_expected_time_still_needs_a_while(self) -> None:
        assert remaining_minutes(10, 4) == 6
        assert 0 < remaining_minutes(10, 25) < 10


class TestRangeWording:
    def test_short_waits_in_minutes_longer_ones_in_fives(self) -> None:
        assert wait_range(3) == (2, 7)
        low, high = wait_range(15)
        assert low % 5 == 0 and high % 5 == 0 and low <= 15 <= high

    def test_the_range_as_people_read_it(self) -> None:
        assert wait_text(3, (10, 20)) == ("รอ 3 คิว (ประมาณ 10–20 นาที)", "3 ahead (about 10–20 min)")
        assert wait_text(0, (2, 6)) == (
            "ไม่มีคิวรอก่อนหน้า (ประมาณ 2–6 นาที)",
            "Nobody ahead (about 2–6 min)",
        )
        assert wait_text(0, (0, 0)) == ("ท่านเป็นคิวถัดไป", "You are next")
        assert service_wait_text(0, (0, 0)) == ("ไม่ต้องรอ", "no wait")
        assert "~" not in "".join(wait_text(4, (5, 10)))


class TestLongLines:
    """Past a long day's worth of calls the forecast extrapolates instead of replaying: within
    15 % of the full replay here, for waits up to a working day."""

    def office(self) -> tuple[list[Candidate], list[CounterPlan], dict[int, float]]:
        waiting = [
            ticket(i, X if i % 3 else Y, -200 + i * 0.5, priority=i % 17 == 0) for i in range(300)
        ]
        plans = [
            counter(1, ServiceSlot(X), ServiceSlot(Y), ageing_cap=timedelta(hours=12)),
            counter(2, ServiceSlot(X), ageing_cap=timedelta(hours=12), free_in=3),
            counter(3, ServiceSlot(Y), ServiceSlot(X), ageing_cap=timedelta(hours=12), free_in=6),
        ]
        return waiting, plans, {X: 9.0, Y: 13.0}

    def test_extrapolated_places_and_waits_stay_close_to_the_full_replay(self) -> None:
        waiting, plans, minutes = self.office()
        full = forecast(waiting, plans, minutes, NOW, max_calls=10_000)
        short = forecast(waiting, plans, minutes, NOW, max_calls=60)
        for c in waiting[::7]:
            exact, guess = full.ticket(c.ticket_id), short.ticket(c.ticket_id)
            if exact.minutes > 8 * 60:
                continue  # beyond the working day the replay itself means little
            assert abs(guess.waiting_ahead - exact.waiting_ahead) <= 0.15 * exact.waiting_ahead + 2
            assert abs(guess.minutes - exact.minutes) <= 0.15 * exact.minutes + 5

    def test_a_line_loaded_only_in_part_is_counted_by_its_length(self) -> None:
        waiting, plans, minutes = self.office()
        full = forecast(waiting, plans, minutes, NOW, max_calls=10_000)
        sizes: dict[tuple[int, bool], tuple[int, datetime]] = {}
        loaded: list[Candidate] = []
        for c in waiting:
            key = (c.service_id, c.priority)
            sizes[key] = (sizes.get(key, (0, NOW))[0] + 1, c.queued_at)
            if sizes[key][0] <= 20:
                loaded.append(c)
        part = forecast(loaded, plans, minutes, NOW, line_sizes=sizes)
        last = waiting[-1]
        exact, guess = full.ticket(last.ticket_id), part.wait_of(last)
        assert abs(guess.waiting_ahead - exact.waiting_ahead) <= 0.15 * exact.waiting_ahead + 2
        assert abs(guess.minutes - exact.minutes) <= 0.15 * exact.minutes + 5
