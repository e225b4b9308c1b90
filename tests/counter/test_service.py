"""Queue use cases through the service layer, on SQLite and PostgreSQL, with a controlled clock."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta

import pytest
from sqlmodel import col, select

from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Counter, CounterEvent, CounterService, Office, Service, TicketEvent
from counter.queue.errors import (
    AlreadyTaken,
    Conflict,
    CounterBusy,
    IllegalTransition,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from counter.queue.states import Action
from counter.seed import catalogue
from counter.service import QueueService
from tests.conftest import Demo, FakeClock

pytestmark = pytest.mark.usefixtures("demo")

OFFICE = 1


def staff(staff_id: int, role: Role = Role.STAFF) -> StaffPrincipal:
    return StaffPrincipal(staff_id, OFFICE, f"s{staff_id}", f"Staff {staff_id}", role)


# Demo accounts: 1 admin, 2 manager, 3 staff1, 4 staff2.
ADMIN, MANAGER, S1, S2 = staff(1, Role.ADMIN), staff(2, Role.MANAGER), staff(3), staff(4)


def events(db: Database, ticket_id: int | None = None) -> list[TicketEvent]:
    with db.read() as session:
        q = select(TicketEvent).order_by(col(TicketEvent.seq))
        if ticket_id is not None:
            q = q.where(TicketEvent.ticket_id == ticket_id)
        return list(session.exec(q).all())


def edit(db: Database, model: type, row_id: int, **values: object) -> None:
    with db.write() as session:
        row = session.get(model, row_id)
        for k, v in values.items():
            setattr(row, k, v)


class TestIssuing:
    async def test_numbers_count_up_per_prefix_and_show_three_digits(
        self, queue: QueueService
    ) -> None:
        a1 = await queue.issue_ticket(OFFICE, "birth")
        a2 = await queue.issue_ticket(OFFICE, "death")  # same prefix A: one line of numbers
        b1 = await queue.issue_ticket(OFFICE, "id_card_renewal")
        assert [a1.number, a2.number, b1.number] == ["A001", "A002", "B001"]
        assert a1.status == "waiting" and a1.waiting_ahead == 0
        assert a2.service == "death"

    async def test_people_ahead_and_estimate_follow_the_line(self, queue: QueueService) -> None:
        for _ in range(3):
            await queue.issue_ticket(OFFICE, "birth")
        fourth = await queue.issue_ticket(OFFICE, "birth")
        assert fourth.waiting_ahead == 3
        # birth: 10 standard minutes, served by counters 1 and 2 -> 3 * 10 / 2.
        assert fourth.estimated_wait_minutes == 15

    async def test_the_status_url_carries_an_unguessable_token(self, queue: QueueService) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        assert t.status_url.endswith("/t/" + t.token)
        assert t.token != str(t.id) and len(t.token) >= 20

    async def test_priority_must_be_a_known_group(self, queue: QueueService) -> None:
        with pytest.raises(InvalidInput):
            await queue.issue_ticket(OFFICE, "birth", "vip")

    async def test_unknown_service(self, queue: QueueService) -> None:
        with pytest.raises(NotFound):
            await queue.issue_ticket(OFFICE, "nothing")

    async def test_a_closed_service_gives_no_ticket(
        self, queue: QueueService, database: Database
    ) -> None:
        edit(database, Service, 6, active=False)  # birth
        with pytest.raises(ServiceUnavailable) as err:
            await queue.issue_ticket(OFFICE, "birth")
        assert "ปิดให้บริการ" in err.value.th

    async def test_the_daily_cap_stops_issuing_until_tomorrow(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        edit(database, Service, 6, daily_cap=2)
        await queue.issue_ticket(OFFICE, "birth")
        await queue.issue_ticket(OFFICE, "birth")
        with pytest.raises(ServiceUnavailable):
            await queue.issue_ticket(OFFICE, "birth")
        await queue.issue_ticket(OFFICE, "death")  # another service of the same prefix still issues
        clock.advance(days=1)
        assert (await queue.issue_ticket(OFFICE, "birth")).number == "A001"

    async def test_issuing_hours_are_enforced_when_the_office_says_so(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        edit(database, Office, OFFICE, hours_enforced=True)
        clock.now = clock.now.replace(hour=0)  # 07:00 in Bangkok
        with pytest.raises(ServiceUnavailable) as err:
            await queue.issue_ticket(OFFICE, "birth")
        assert "08.30" in err.value.th
        clock.now = clock.now.replace(hour=2)  # 09:00
        await queue.issue_ticket(OFFICE, "birth")
        edit(database, Service, 6, issue_cutoff=time(9, 30))
        clock.now = clock.now.replace(hour=2, minute=45)  # 09:45, past the cut-off
        with pytest.raises(ServiceUnavailable):
            await queue.issue_ticket(OFFICE, "birth")
        clock.now = clock.now.replace(day=29, hour=3)  # Sunday
        with pytest.raises(ServiceUnavailable):
            await queue.issue_ticket(OFFICE, "death")

    async def test_issuing_pauses_over_lunch_when_the_office_has_no_lunch_service(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        edit(database, Office, OFFICE, hours_enforced=True)
        clock.now = clock.now.replace(hour=5, minute=30)  # 12:30 in Bangkok
        await queue.issue_ticket(OFFICE, "birth")  # lunch service is on by default
        edit(database, Office, OFFICE, lunch_service=False)
        with pytest.raises(ServiceUnavailable) as err:
            await queue.issue_ticket(OFFICE, "birth")
        assert "13.00" in err.value.th and "lunch" in err.value.en
        clock.now = clock.now.replace(hour=6, minute=0)  # 13:00
        await queue.issue_ticket(OFFICE, "birth")

    async def test_the_kiosk_list_refuses_exactly_what_issuing_refuses(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        """The service list (what the kiosk greys, with its reason) and issuing give the same
        answer for every service: closed, past its cut-off, its cap reached, or open."""
        edit(database, Office, OFFICE, hours_enforced=True)
        with database.write() as session:
            by_code = {s.code: s for s in session.exec(select(Service)).all()}
            by_code["birth"].daily_cap = 1
            by_code["marriage"].issue_cutoff = time(8, 45)
            by_code["divorce"].active = False
        clock.now = clock.now.replace(hour=2)  # Friday 09:00 in Bangkok
        await queue.issue_ticket(OFFICE, "birth")
        seen: set[tuple[str, bool]] = set()
        for hour in (2, 0, 10):  # 09:00 (open), 07:00 (not yet open), 17:00 (closed)
            clock.now = clock.now.replace(hour=hour)
            listed = {q.service: q.refusal for q in await queue.queue(OFFICE)}
            assert len(listed) == len(catalogue())
            for code, refusal in listed.items():
                try:
                    await queue.issue_ticket(OFFICE, code)
                except ServiceUnavailable as err:
                    assert refusal == (err.th, err.en), (hour, code)
                    seen.add((code, False))
                else:
                    assert refusal is None, (hour, code)
                    seen.add((code, True))
        assert {("birth", False), ("marriage", False), ("divorce", False), ("death", True)} <= seen
        issuing = await queue.issuing(OFFICE)
        assert not issuing.open and issuing.reason is not None and "16.30" in issuing.reason[0]
        assert issuing.next_opening is not None
        assert issuing.next_opening.isoformat() == "2026-11-30T08:30:00+07:00"  # Monday


class TestDayRollover:
    async def test_numbers_restart_on_the_next_local_day(
        self, queue: QueueService, clock: FakeClock
    ) -> None:
        await queue.issue_ticket(OFFICE, "birth")
        clock.now = clock.now.replace(hour=16, minute=59)  # 23:59 Bangkok, same business day
        assert (await queue.issue_ticket(OFFICE, "birth")).number == "A002"
        clock.advance(minutes=2)  # 00:01 Bangkok: a new business day
        t = await queue.issue_ticket(OFFICE, "birth")
        assert t.number == "A001"
        assert t.business_day == date(2026, 11, 28)

    async def test_tickets_left_open_are_closed_unserved_and_can_never_be_called(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        serving = await queue.issue_ticket(OFFICE, "birth")
        called = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)  # calls `serving`
        await queue.act(S1, serving.id, Action.START)  # left in service
        assert (await queue.call_next(S2, 2)) is not None  # `called` is left called
        leftover = await queue.issue_ticket(OFFICE, "birth")
        clock.advance(days=1)
        fresh = await queue.issue_ticket(OFFICE, "birth")  # first action of the new day
        for t in (called, leftover):
            assert (await queue.ticket(OFFICE, t.id)).status == "unserved"
        # A day end never erases service: the ticket in service keeps it.
        assert (await queue.ticket(OFFICE, serving.id)).status == "serving"
        closing = [e for e in events(database) if e.kind == "closed_unserved"]
        assert {e.ticket_id for e in closing} == {called.id, leftover.id}
        # Counter 2 was closed at day end, so staff open it afresh; counter 1 still serves.
        with database.read() as session:
            day_end = session.exec(
                select(CounterEvent).where(CounterEvent.reason == "day_end")
            ).all()
        assert [e.counter_id for e in day_end] == [2]
        got = await queue.call_next(S2, 2)
        assert got is not None and got.id == fresh.id
        await queue.act(S2, fresh.id, Action.START)
        assert await queue.call_next(S2, 2) is None  # old tickets are never offered
        with pytest.raises(IllegalTransition):
            await queue.call_ticket(S2, leftover.id, 2, "citizen came back")

    async def test_a_service_running_past_midnight_is_finished_by_its_staff(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        clock.now = clock.now.replace(hour=16, minute=30)  # 23:30 Bangkok
        t = await queue.issue_ticket(OFFICE, "birth")
        clock.advance(minutes=5)
        await queue.call_next(S1, 1)
        clock.advance(minutes=5)  # 23:40
        await queue.act(S1, t.id, Action.START)
        clock.advance(minutes=21)  # 00:01: the next business day begins
        other = await queue.issue_ticket(OFFICE, "death")
        assert other.business_day == date(2026, 11, 28)
        clock.advance(minutes=3)  # 00:04
        done = await queue.act(S1, t.id, Action.FINISH)
        assert done.status == "done" and done.business_day == date(2026, 11, 27)
        log = events(database, t.id)
        assert [e.kind for e in log] == ["issued", "called", "started", "finished"]
        assert log[-1].at - log[-2].at == timedelta(minutes=24)
        # Counter 1 stayed open with its staff: no day-end close while it was serving.
        with database.read() as session:
            kinds = [
                e.kind
                for e in session.exec(
                    select(CounterEvent).where(CounterEvent.counter_id == 1)
                ).all()
            ]
        assert kinds == ["opened"]

    async def test_a_ticket_forgotten_in_service_for_a_whole_day_is_closed_unserved(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        await queue.act(S1, t.id, Action.START)
        clock.advance(days=1)
        await queue.issue_ticket(OFFICE, "birth")  # first rollover: kept in service
        assert (await queue.ticket(OFFICE, t.id)).status == "serving"
        clock.advance(days=1)
        await queue.issue_ticket(OFFICE, "birth")  # second rollover: its length is unknown
        assert (await queue.ticket(OFFICE, t.id)).status == "unserved"

    async def test_a_no_show_of_an_earlier_day_cannot_be_reactivated(
        self, queue: QueueService, clock: FakeClock
    ) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        await queue.act(S1, t.id, Action.NO_SHOW)
        clock.advance(days=1)
        await queue.issue_ticket(OFFICE, "birth")
        with pytest.raises(Conflict, match="earlier day"):
            await queue.act(S1, t.id, Action.REACTIVATE)


class TestServing:
    async def test_call_start_finish_logs_every_step_with_who_and_where(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        clock.advance(minutes=4)
        called = await queue.call_next(S1, 1)
        assert called is not None and called.id == t.id and called.counter == 1
        clock.advance(minutes=1)
        assert (await queue.act(S1, t.id, Action.START)).status == "serving"
        clock.advance(minutes=9)
        assert (await queue.act(S1, t.id, Action.FINISH)).status == "done"
        log = events(database, t.id)
        assert [e.kind for e in log] == ["issued", "called", "started", "finished"]
        assert [e.at - log[0].at for e in log] == [
            timedelta(0),
            timedelta(minutes=4),
            timedelta(minutes=5),
            timedelta(minutes=14),
        ]
        assert all(e.office_id == OFFICE and e.transaction_no == 1 for e in log)
        assert [e.staff_id for e in log[1:]] == [3, 3, 3]
        assert {e.counter_id for e in log[1:]} == {1}

    async def test_recall_counts_and_no_show_then_reactivate_keeps_the_number(
        self, queue: QueueService, database: Database
    ) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        assert (await queue.act(S1, t.id, Action.RECALL)).recall_count == 1
        assert (await queue.act(S1, t.id, Action.RECALL)).recall_count == 2
        assert (await queue.act(S1, t.id, Action.NO_SHOW)).status == "no_show"
        back = await queue.act(S1, t.id, Action.REACTIVATE)
        assert (back.status, back.number, back.counter) == ("waiting", t.number, None)
        again = await queue.call_next(S1, 1)
        assert again is not None and again.id == t.id and again.recall_count == 0
        kinds = [e.kind for e in events(database, t.id)]
        assert kinds == [
            "issued",
            "called",
            "recalled",
            "recalled",
            "no_show",
            "reactivated",
            "called",
        ]

    async def test_call_next_finishes_the_citizen_being_served(self, queue: QueueService) -> None:
        first = await queue.issue_ticket(OFFICE, "birth")
        second = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        await queue.act(S1, first.id, Action.START)
        nxt = await queue.call_next(S1, 1)
        assert nxt is not None and nxt.id == second.id
        assert (await queue.ticket(OFFICE, first.id)).status == "done"

    async def test_call_next_refuses_while_a_call_is_unanswered(self, queue: QueueService) -> None:
        first = await queue.issue_ticket(OFFICE, "birth")
        await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        with pytest.raises(Conflict) as err:
            await queue.call_next(S1, 1)
        assert first.number in err.value.th
        assert (await queue.ticket(OFFICE, first.id)).status == "called"

    async def test_nothing_waiting_gives_none(self, queue: QueueService) -> None:
        assert await queue.call_next(S1, 1) is None

    async def test_cancel_only_while_waiting(self, queue: QueueService) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        assert (await queue.act(S1, t.id, Action.CANCEL)).status == "cancelled"
        assert await queue.call_next(S1, 1) is None
        with pytest.raises(IllegalTransition):
            await queue.act(S1, t.id, Action.CANCEL)

    async def test_transfer_keeps_visit_and_number_and_starts_a_new_transaction(
        self, queue: QueueService, database: Database
    ) -> None:
        t = await queue.issue_ticket(OFFICE, "move_in")  # A, counters 1-2
        await queue.call_next(S1, 1)
        await queue.act(S1, t.id, Action.START)
        moved = await queue.transfer(S1, t.id, "id_card_address_change")  # B
        assert (moved.number, moved.status, moved.service) == (
            t.number,
            "waiting",
            "id_card_address_change",
        )
        assert moved.transaction_no == 2
        got = await queue.call_next(S2, 2)  # counter 2 serves ID cards first
        assert got is not None and got.id == t.id
        log = events(database, t.id)
        assert [(e.kind, e.transaction_no) for e in log] == [
            ("issued", 1),
            ("called", 1),
            ("started", 1),
            ("transferred", 1),
            ("requeued", 2),
            ("called", 2),
        ]
        assert log[3].service_id == 8 and log[4].service_id == 1

    async def test_hold_then_call_back_or_release(self, queue: QueueService) -> None:
        a = await queue.issue_ticket(OFFICE, "birth")
        b = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        await queue.act(S1, a.id, Action.START)
        assert (await queue.act(S1, a.id, Action.HOLD)).status == "held"
        # With a held ticket aside, the counter can call the next citizen.
        nxt = await queue.call_next(S1, 1)
        assert nxt is not None and nxt.id == b.id
        with pytest.raises(Conflict):
            await queue.act(S1, a.id, Action.UNHOLD)  # B is still at the counter
        await queue.act(S1, b.id, Action.HOLD)
        back = await queue.act(S1, a.id, Action.UNHOLD)
        assert (back.status, back.counter) == ("called", 1)
        released = await queue.act(S1, b.id, Action.RELEASE)
        assert (released.status, released.counter) == ("waiting", None)


class TestCallingOrder:
    async def test_priority_and_normal_alternate_at_the_default_ratio(
        self, queue: QueueService
    ) -> None:
        n1 = await queue.issue_ticket(OFFICE, "birth")
        n2 = await queue.issue_ticket(OFFICE, "birth")
        p1 = await queue.issue_ticket(OFFICE, "birth", "elderly")
        p2 = await queue.issue_ticket(OFFICE, "birth", "monk")
        order = []
        for _ in range(4):
            t = await queue.call_next(S1, 1)
            assert t is not None
            order.append(t.id)
            await queue.act(S1, t.id, Action.START)
        assert order == [p1.id, n1.id, p2.id, n2.id]

    async def test_weights_three_to_one_hold_from_one_call_to_the_next(
        self, queue: QueueService, database: Database
    ) -> None:
        """Each call is its own transaction: the weighted turn (the slots' credits) is written
        back by one and read by the next, so a 3 : 1 counter calls three, one, three, one."""

        await queue.set_counter_services(MANAGER, 1, ["birth", "marriage"])
        with database.write() as session:
            counter = session.exec(select(Counter).where(Counter.number == 1)).one()
            counter.mode = "weight"
            for slot in session.exec(
                select(CounterService).where(CounterService.counter_id == counter.id)
            ).all():
                slot.weight = 3 if slot.position == 0 else 1
        births = [(await queue.issue_ticket(OFFICE, "birth")).id for _ in range(8)]
        marriages = [(await queue.issue_ticket(OFFICE, "marriage")).id for _ in range(4)]
        called = []
        for _ in range(8):
            t = await queue.call_next(S1, 1)
            assert t is not None
            called.append("B" if t.id in births else "M" if t.id in marriages else "?")
            await queue.act(S1, t.id, Action.START)
        assert "".join(called) in {"BBBMBBBM", "BBMBBBMB", "BMBBBMBB", "MBBBMBBB"}

    async def test_a_ticket_past_the_ageing_cap_goes_first(
        self, queue: QueueService, clock: FakeClock
    ) -> None:
        old_id_card = await queue.issue_ticket(OFFICE, "id_card_renewal")  # counter 1's 2nd group
        clock.advance(minutes=31)
        await queue.issue_ticket(OFFICE, "birth")
        t = await queue.call_next(S1, 1)
        assert t is not None and t.id == old_id_card.id

    async def test_counter_order_puts_its_first_group_first(self, queue: QueueService) -> None:
        await queue.issue_ticket(OFFICE, "id_card_renewal")
        birth = await queue.issue_ticket(OFFICE, "birth")
        t = await queue.call_next(S1, 1)
        assert t is not None and t.id == birth.id

    async def test_out_of_order_call_needs_a_reason_and_is_logged(
        self, queue: QueueService, database: Database
    ) -> None:
        await queue.issue_ticket(OFFICE, "birth")
        later = await queue.issue_ticket(OFFICE, "birth")
        with pytest.raises(InvalidInput):
            await queue.call_ticket(S1, later.id, 1, "  ")
        t = await queue.call_ticket(S1, later.id, 1, "ผู้ป่วยนั่งรถเข็น")
        assert t.status == "called" and t.counter == 1
        called = [e for e in events(database, later.id) if e.kind == "called"]
        assert called[0].detail == {"reason": "out_of_order", "note": "ผู้ป่วยนั่งรถเข็น"}

    async def test_a_ticket_called_elsewhere_says_where(self, queue: QueueService) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        with pytest.raises(AlreadyTaken) as err:
            await queue.call_ticket(S2, t.id, 2, "ขอเรียก")
        assert err.value.th == f"บัตรคิว {t.number} ถูกเรียกที่ช่อง 1 แล้ว"


class TestCounters:
    async def test_a_counter_is_held_by_whoever_calls_first(self, queue: QueueService) -> None:
        await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        with pytest.raises(CounterBusy) as err:
            await queue.call_next(S2, 1)
        assert "เจ้าหน้าที่ 1" in err.value.th

    async def test_one_counter_per_staff_member(self, queue: QueueService) -> None:
        await queue.call_next(S1, 1)
        with pytest.raises(CounterBusy, match="counter 1"):
            await queue.call_next(S1, 2)
        await queue.close_counter(S1, 1)
        assert await queue.call_next(S1, 2) is None
        assert await queue.call_next(S2, 1) is None

    async def test_staff_cannot_act_on_another_counters_ticket_but_a_manager_can(
        self, queue: QueueService
    ) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        await queue.call_next(S1, 1)
        with pytest.raises(AlreadyTaken):
            await queue.act(S2, t.id, Action.START)
        assert (await queue.act(MANAGER, t.id, Action.NO_SHOW)).status == "no_show"

    async def test_a_paused_counter_is_offered_nothing_and_pauses_are_logged(
        self, queue: QueueService, database: Database
    ) -> None:
        await queue.call_next(S1, 1)
        await queue.pause_counter(S1, 1, "lunch")
        await queue.issue_ticket(OFFICE, "birth")
        with pytest.raises(Conflict, match="paused"):
            await queue.call_next(S1, 1)
        await queue.resume_counter(S1, 1)
        assert await queue.call_next(S1, 1) is not None
        with database.read() as session:
            kinds = [
                (e.kind, e.reason)
                for e in session.exec(select(CounterEvent).order_by(col(CounterEvent.seq))).all()
            ]
        assert kinds == [("opened", None), ("paused", "lunch"), ("resumed", "lunch")]

    async def test_pause_reason_must_be_known(self, queue: QueueService) -> None:
        await queue.call_next(S1, 1)
        with pytest.raises(InvalidInput):
            await queue.pause_counter(S1, 1, "nap")

    async def test_unknown_counter(self, queue: QueueService) -> None:
        with pytest.raises(NotFound):
            await queue.call_next(S1, 99)


class TestEventLog:
    async def test_sequence_is_gap_free_across_ticket_and_counter_events(
        self, queue: QueueService, database: Database
    ) -> None:
        for _ in range(3):
            await queue.issue_ticket(OFFICE, "birth")
        t = await queue.call_next(S1, 1)
        assert t is not None
        await queue.act(S1, t.id, Action.START)
        await queue.close_counter(S1, 1)
        with database.read() as session:
            seqs = sorted(
                [e.seq for e in session.exec(select(TicketEvent)).all()]
                + [e.seq for e in session.exec(select(CounterEvent)).all()]
            )
            office = session.get(Office, OFFICE)
            assert office is not None
        assert seqs == list(range(1, len(seqs) + 1))
        assert office.event_seq == len(seqs)

    async def test_events_are_published_after_commit_with_their_sequence(
        self, queue: QueueService
    ) -> None:
        async with queue.bus.subscribe("saduak.office.1") as sub:
            t = await queue.issue_ticket(OFFICE, "birth")
            await queue.call_next(S1, 1)
            messages = []
            for _ in range(3):
                async with asyncio.timeout(2):
                    messages.append(await sub.get())
        assert [m["type"] for m in messages] == ["ticket.issued", "counter.opened", "ticket.called"]
        assert [m["seq"] for m in messages] == [1, 2, 3]
        assert messages[2]["number"] == t.number and messages[2]["counter"] == 1

    async def test_a_failed_action_publishes_and_logs_nothing(
        self, queue: QueueService, database: Database
    ) -> None:
        t = await queue.issue_ticket(OFFICE, "birth")
        async with queue.bus.subscribe("saduak.office.1") as sub:
            with pytest.raises(IllegalTransition):
                await queue.act(S1, t.id, Action.FINISH)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.2):
                    await sub.get()
        assert [e.kind for e in events(database)] == ["issued"]


async def test_queue_summary_counts_waiting_and_oldest_wait(
    queue: QueueService, clock: FakeClock, demo: Demo
) -> None:
    await queue.issue_ticket(OFFICE, "birth")
    clock.advance(minutes=5)
    await queue.issue_ticket(OFFICE, "death")
    await queue.issue_ticket(OFFICE, "marriage")
    clock.advance(minutes=2)
    summary = {s.service: s for s in await queue.queue(OFFICE)}
    assert summary["birth"].waiting == 1 and summary["birth"].oldest_wait_seconds == 420
    assert summary["marriage"].oldest_wait_seconds == 120
    assert summary["divorce"].waiting == 0 and summary["divorce"].oldest_wait_seconds is None
    assert len(summary) == len(catalogue())


class TestCounterServicesForTheDay:
    async def test_a_managers_change_holds_for_the_day_and_the_standing_services_return(
        self, queue: QueueService, database: Database, clock: FakeClock
    ) -> None:
        def services_of(counter_id: int) -> dict[int, tuple[int, int]]:
            from counter.models import CounterService

            with database.read() as session:
                rows = session.exec(
                    select(CounterService).where(CounterService.counter_id == counter_id)
                ).all()
                return {r.service_id: (r.position, r.weight) for r in rows}

        with database.write() as session:
            from counter.models import CounterService

            row = session.get(CounterService, (1, 6))  # birth at counter 1
            assert row is not None
            row.weight = 3  # a weight that must survive the day's change
        standing = services_of(1)
        codes = await queue.set_counter_services(MANAGER, 1, ["marriage", "death"])
        assert set(codes) == {"death", "marriage"}
        assert set(services_of(1)) == {7, 10}
        marriage = await queue.issue_ticket(OFFICE, "marriage")
        assert (await queue.call_next(S1, 1)).id == marriage.id  # type: ignore[union-attr]

        clock.advance(days=1)
        await queue.issue_ticket(OFFICE, "birth")  # the first action of the new day
        assert services_of(1) == standing
        with database.read() as session:
            restored = session.exec(
                select(CounterEvent).where(CounterEvent.kind == "service_restored")
            ).all()
        assert restored
