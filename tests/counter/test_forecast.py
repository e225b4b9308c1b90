"""Position and wait from the rules that call: the pure forecast, checked by hand-worked cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from counter.queue.forecast import (
    CounterPlan,
    Estimate,
    arrival_rates,
    expected_minutes,
    forecast,
    remaining_minutes,
    wait_range,
)
from counter.queue.policy import Candidate, CounterMix, CounterPolicy, Line, ServiceSlot
from kiosk.texts import service_wait_text, wait_text

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
X, Y = 1, 2  # two services
DAY = timedelta(hours=12)


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


def steady(service: int, every: float, priority: bool = False) -> list[Candidate]:
    """Tickets that joined a line every `every` minutes over the last hour."""
    return [
        ticket(1000 + k, service, -60 + every * (k + 0.5), priority)
        for k in range(round(60 / every))
    ]


class TestArrivals:
    """Tickets not issued yet go first too: expected at the rate their line was joined in the
    last hour, and called by the counters' own rule."""

    def test_a_normal_ticket_waits_longer_the_faster_priority_tickets_arrive(self) -> None:
        # One counter, 10 minutes a call, priority tickets always first (no ageing cap within
        # the day); ticket 5 has four normal tickets ahead.
        waiting = [ticket(i, X, -6 + i) for i in range(1, 6)]
        plan = counter(1, ServiceSlot(X), priority_share=1, normal_share=0, ageing_cap=DAY)
        told = []
        for every in (None, 60, 30, 20):
            joins = [] if every is None else steady(X, every, priority=True)
            f = forecast(waiting, [plan], {X: 10}, NOW, arrivals=arrival_rates(joins, NOW))
            told.append(f.ticket(5))
            # Worked independently: the call comes once the 40 minutes of work ahead and the
            # priority work arriving meanwhile are done, t = 40 + t × 10 / every.
            share = 0 if every is None else 10 / every
            assert abs(told[-1].minutes - 40 / (1 - share)) <= 5, every
        assert [e.minutes for e in told] == [40, 50, 60, 80]
        # People ahead are the tickets that exist: the expected ones only lengthen the wait.
        assert [e.waiting_ahead for e in told] == [4, 4, 4, 4]
        assert all(e.low <= e.minutes <= e.high for e in told)

    def test_later_tickets_of_a_service_the_counter_serves_first_go_ahead(self) -> None:
        waiting = [ticket(1, X, -3), ticket(2, X, -2), ticket(3, X, -1)]
        arrivals = arrival_rates(steady(Y, 15), NOW)
        first = counter(1, ServiceSlot(Y, position=0), ServiceSlot(X, position=1), ageing_cap=DAY)
        one_line = counter(1, ServiceSlot(Y), ServiceSlot(X), ageing_cap=DAY)
        minutes = {X: 10, Y: 5}
        quiet = forecast(waiting, [first], minutes, NOW).ticket(3)
        assert quiet.minutes == 20
        # Y first: a Y ticket every 15 minutes, 5 minutes each, takes a third of the counter.
        busy = forecast(waiting, [first], minutes, NOW, arrivals=arrivals).ticket(3)
        assert abs(busy.minutes - 20 / (1 - 5 / 15)) <= 5 and busy.minutes > quiet.minutes
        # X and Y in one line, first come first served: later Y tickets wait behind ticket 3.
        fair = forecast(waiting, [one_line], minutes, NOW, arrivals=arrivals).ticket(3)
        assert fair == quiet

    def test_later_tickets_of_its_own_line_never_go_ahead(self) -> None:
        waiting = [ticket(1, X, -3), ticket(2, X, -2), ticket(3, X, -1)]
        plans = [counter(1, ServiceSlot(X)), counter(2, ServiceSlot(X), free_in=4)]
        quiet = forecast(waiting, plans, {X: 10}, NOW).ticket(3)
        arrivals = arrival_rates(steady(X, 2), NOW)
        assert forecast(waiting, plans, {X: 10}, NOW, arrivals=arrivals).ticket(3) == quiet

    def test_nobody_is_expected_once_the_office_stops_issuing(self) -> None:
        waiting = [ticket(i, X, -6 + i) for i in range(1, 6)]
        plan = counter(1, ServiceSlot(X), priority_share=1, normal_share=0, ageing_cap=DAY)
        arrivals = arrival_rates(steady(X, 20, priority=True), NOW)
        closed = forecast(waiting, [plan], {X: 10}, NOW, arrivals=arrivals, arrivals_until=NOW)
        assert closed.ticket(5).minutes == 40
        # Closing in 35 minutes: the priority tickets due at 10 and 30 come, the rest do not.
        late = forecast(waiting, [plan], {X: 10}, NOW, arrivals=arrivals, arrivals_until=at(35))
        assert late.ticket(5).minutes == 60

    def test_the_newcomer_list_expects_the_same_arrivals(self) -> None:
        waiting = [ticket(1, X, -3), ticket(2, Y, -2), ticket(3, X, -1)]
        plans = [
            counter(1, ServiceSlot(Y, position=0), ServiceSlot(X, position=1)),
            counter(2, ServiceSlot(X), ServiceSlot(Y), free_in=6),
        ]
        minutes = {X: 8, Y: 12}
        arrivals = arrival_rates([*steady(Y, 10), *steady(X, 30, priority=True)], NOW)
        before = forecast(waiting, plans, minutes, NOW, newcomers=[X, Y], arrivals=arrivals)
        for service in (X, Y):
            issued = forecast(
                [*waiting, ticket(99, service, 0)], plans, minutes, NOW, arrivals=arrivals
            )
            assert before.newcomers[service] == issued.ticket(99)

    def test_rates_are_those_of_the_last_hour_or_of_the_day_so_far(self) -> None:
        joins = [
            ticket(1, X, -90),  # before the hour
            ticket(2, X, -50),
            ticket(3, X, -10),
            ticket(4, X, -5, priority=True),
            Candidate(5, X, False, at(-55), at(-20)),  # checked in early, due 20 minutes ago
            Candidate(6, X, False, at(-8), at(30)),  # not due yet
        ]
        assert arrival_rates(joins, NOW) == {
            (X, Line.NORMAL): 2 / 60,
            (X, Line.PRIORITY): 1 / 60,
            (X, Line.BOOKED): 1 / 60,
        }
        # A day younger than the hour is measured since its first ticket, over no less than a
        # quarter hour.
        young = [ticket(1, X, -30), ticket(2, X, -20), ticket(3, X, -5)]
        assert arrival_rates(young, NOW, day_began=at(-30)) == {(X, Line.NORMAL): 3 / 30}
        assert arrival_rates(young[2:], NOW, day_began=at(-5)) == {(X, Line.NORMAL): 1 / 15}


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


def test_a_newcomer_behind_priority_tickets_is_told_the_ratio_it_will_meet() -> None:
    """Three priority tickets wait and the counter alternates 1:1: a normal ticket taken now is
    called second, and the kiosk says so (it once said fourth: the ratio only turns while both
    kinds wait, and the newcomer is what makes both wait)."""
    waiting = [ticket(i, X, -5 + i, priority=True) for i in (1, 2, 3)]
    plan = counter(1, ServiceSlot(X), priority_share=1, normal_share=1)
    told = forecast(waiting, [plan], {X: 10}, NOW, newcomers=[X]).newcomers[X]
    issued = forecast([*waiting, ticket(99, X, 0)], [plan], {X: 10}, NOW).ticket(99)
    assert told == issued == Estimate(1, 10, 5, 20)
