"""What a screen is told on connect, read from each database after real queue use cases."""

from __future__ import annotations

from typing import Any

from counter import repository as repo
from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Office
from counter.queue.states import Action
from counter.service import QueueService
from displays.snapshot import read_snapshot, read_waiting
from displays.voice import VoiceOptions, announcement_clips
from tests.conftest import Demo, FakeClock


def staff(database: Database, username: str) -> StaffPrincipal:
    with database.read() as session:
        row = repo.staff_by_username(session, username)
        assert row is not None and row.id is not None
        return StaffPrincipal(row.id, row.office_id, row.username, row.display_name, Role(row.role))


def snapshot(database: Database, clock: FakeClock, last_calls: int = 8) -> dict[str, Any]:
    result = read_snapshot(database, 1, clock(), last_calls=last_calls, voice=VoiceOptions())
    assert result is not None
    return result


class TestSnapshot:
    def test_an_office_before_opening_has_closed_counters_and_nobody_waiting(
        self, database: Database, demo: Demo, clock: FakeClock
    ) -> None:
        snap = snapshot(database, clock)
        assert (snap["type"], snap["seq"], snap["office"]) == ("snapshot", 0, 1)
        assert [c["number"] for c in snap["counters"]] == [1, 2, 3, 4]
        assert all(c["state"] == "closed" and c["current"] is None for c in snap["counters"])
        assert snap["last_calls"] == []
        assert [line["prefix"] for line in snap["lines"]] == ["A", "B", "C", "D", "E"]
        assert all(line["waiting"] == 0 for line in snap["lines"])
        assert snap["office_info"]["message"].startswith("ยินดีต้อนรับ")

    async def test_it_shows_each_counters_call_the_last_calls_and_who_waits(
        self, database: Database, demo: Demo, clock: FakeClock, queue: QueueService
    ) -> None:
        for service in ("birth", "birth", "death", "marriage", "marriage"):
            await queue.issue_ticket(1, service)
        first = await queue.call_next(staff(database, "staff1"), 1)
        clock.advance(seconds=30)
        second = await queue.call_next(staff(database, "manager"), 3)
        assert first is not None and second is not None
        await queue.act(staff(database, "manager"), second.id, Action.START)
        await queue.pause_counter(staff(database, "staff1"), 1, "lunch")

        snap = snapshot(database, clock)

        with database.read() as session:
            office = session.get(Office, 1)
            assert office is not None
            assert snap["seq"] == office.event_seq
        counters = {c["number"]: c for c in snap["counters"]}
        assert counters[1]["current"]["number"] == first.number
        assert counters[1]["state"] == "paused"
        assert counters[3]["current"]["number"] == second.number
        assert counters[3]["current"]["status"] == "serving"
        assert counters[2]["current"] is None
        calls = [(c["number"], c["counter"]) for c in snap["last_calls"]]
        assert calls == [(second.number, 3), (first.number, 1)]
        assert snap["last_calls"][0]["clips"] == announcement_clips(second.number, 3)
        assert snap["last_calls"][0]["seq"] > snap["last_calls"][1]["seq"]
        lines = {line["prefix"]: line["waiting"] for line in snap["lines"]}
        assert (lines["A"], lines["C"]) == (2, 1)
        services = {s["code"]: s["waiting"] for s in snap["services"]}
        assert (services["birth"], services["death"], services["marriage"]) == (1, 1, 1)
        assert read_waiting(database, 1, clock()) == {
            "services": snap["services"],
            "lines": snap["lines"],
        }

    async def test_a_recall_is_a_call_of_its_own_in_the_last_calls(
        self, database: Database, demo: Demo, clock: FakeClock, queue: QueueService
    ) -> None:
        await queue.issue_ticket(1, "birth")
        called = await queue.call_next(staff(database, "staff1"), 1)
        assert called is not None
        await queue.act(staff(database, "staff1"), called.id, Action.RECALL)

        calls = snapshot(database, clock)["last_calls"]

        assert [(c["number"], c["recall"]) for c in calls] == [
            (called.number, True),
            (called.number, False),
        ]

    async def test_each_last_call_says_how_it_ended_so_a_missed_call_can_be_marked(
        self, database: Database, demo: Demo, clock: FakeClock, queue: QueueService
    ) -> None:
        desk = staff(database, "staff1")
        for _ in range(3):
            await queue.issue_ticket(1, "birth")
        missed = await queue.call_next(desk, 1)
        assert missed is not None
        await queue.act(desk, missed.id, Action.NO_SHOW)
        served = await queue.call_next(desk, 1)
        assert served is not None
        await queue.act(desk, served.id, Action.START)
        await queue.act(desk, served.id, Action.FINISH)
        called = await queue.call_next(desk, 1)
        assert called is not None

        calls = snapshot(database, clock)["last_calls"]

        assert [(c["number"], c["status"]) for c in calls] == [
            (called.number, "called"),
            (served.number, "done"),
            (missed.number, "no_show"),
        ]

    async def test_the_number_of_last_calls_is_bounded(
        self, database: Database, demo: Demo, clock: FakeClock, queue: QueueService
    ) -> None:
        desk = staff(database, "staff1")
        for _ in range(4):
            await queue.issue_ticket(1, "birth")
            called = await queue.call_next(desk, 1)
            assert called is not None
            await queue.act(desk, called.id, Action.START)

        assert len(snapshot(database, clock, last_calls=3)["last_calls"]) == 3

    async def test_the_next_morning_starts_with_a_clean_screen(
        self, database: Database, demo: Demo, clock: FakeClock, queue: QueueService
    ) -> None:
        await queue.issue_ticket(1, "birth")
        await queue.issue_ticket(1, "birth")
        assert await queue.call_next(staff(database, "staff1"), 1) is not None
        clock.advance(days=1)

        snap = snapshot(database, clock)

        assert snap["last_calls"] == []
        assert all(c["current"] is None for c in snap["counters"])
        assert all(line["waiting"] == 0 for line in snap["lines"])

    async def test_a_quiet_morning_after_a_busy_day_shows_only_todays_calls(
        self, database: Database, demo: Demo, clock: FakeClock, queue: QueueService
    ) -> None:
        desk = staff(database, "staff1")
        for _ in range(5):
            await queue.issue_ticket(1, "birth")
            called = await queue.call_next(desk, 1)
            assert called is not None
            await queue.act(desk, called.id, Action.START)
        clock.advance(days=1)
        await queue.issue_ticket(1, "birth")
        await queue.issue_ticket(1, "death")
        today = await queue.call_next(desk, 1)
        assert today is not None
        await queue.act(desk, today.id, Action.RECALL)

        calls = snapshot(database, clock)["last_calls"]

        assert [(c["number"], c["recall"]) for c in calls] == [
            (today.number, True),
            (today.number, False),
        ]

    def test_an_office_that_no_longer_exists_has_no_snapshot(
        self, database: Database, demo: Demo, clock: FakeClock
    ) -> None:
        assert read_snapshot(database, 99, clock(), last_calls=8, voice=VoiceOptions()) is None
        assert read_waiting(database, 99, clock()) is None


async def test_calls_are_spoken_with_the_offices_own_voice_options(
    database: Database, clock: FakeClock, queue: QueueService, demo: Demo
) -> None:
    from counter.models import OfficeSettings

    await queue.issue_ticket(1, "birth")
    await queue.call_next(staff(database, "staff1"), 1)
    assert snapshot(database, clock)["voice"] == {"repeat": 1, "english": False, "polite": "ka"}
    with database.write() as session:
        session.add(
            OfficeSettings(office_id=1, voice_repeat=2, voice_english=True, voice_polite="krap")
        )
    state = snapshot(database, clock)
    assert state["voice"] == {"repeat": 2, "english": True, "polite": "krap"}
    call = state["last_calls"][0]
    assert call["repeat"] == 2 and call["text_en"] and "ครับ" in call["text"]
