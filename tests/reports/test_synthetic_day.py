"""A whole office day driven through the queue's use cases with a controlled clock; every report
metric is checked against numbers worked out by hand from the script below.

The script (Bangkok times, Friday 27 Nov 2026; counter 1 = staff1, counter 2 = staff2):

    08:00 A001 birth issued            08:05 called at 1, 08:07 started, 08:20 finished
    08:01 B001 ID card, elderly        08:06 called at 2, 08:06 started, 08:10 held,
                                       08:15 unheld, 08:16 started, 08:30 finished by call-next
    08:10 A002 birth                   08:21 called at 1, 08:23 recalled, 08:26 no-show,
                                       08:40 reactivated, 08:45 called at 1, 08:47 started,
                                       09:00 transferred to ID card;
                                       09:10 called at 2 (call-next), 09:11 started, 09:30 finished
    08:15 A003 birth                   08:20 cancelled
    08:30 B002 ID card                 08:30 called at 2 (call-next), 08:32 started, 08:50 finished
    10:00–10:15 counter 2 paused (break)
    12:10 A004 birth                   12:20 called at 1, 12:21 started, 12:40 finished (lunch)
    12:45–13:00 counter 1 paused (lunch)
    14:00 B003 ID card                 14:05 called at 2, 14:12 no-show
    16:20 A005 birth                   16:35 called at 1, 16:36 started, 16:50 finished (late)
    16:25 A006 birth                   never called: unserved at day end
    17:00 counter 1 closed; counter 2 left open (closed by the next day's rollover)
"""

from __future__ import annotations

import math
import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from counter.auth import Role, StaffPrincipal
from counter.db import Database
from counter.models import Service
from counter.queue.states import Action
from counter.service import QueueService
from reports import repository as repo
from reports.models import ReportDay
from reports.periods import custom, day, month
from reports.service import ReportService
from reports.survey import SurveyService
from tests.conftest import FakeClock

pytestmark = pytest.mark.usefixtures("demo")

OFFICE = 1
DAY = date(2026, 11, 27)
S1 = StaffPrincipal(3, OFFICE, "staff1", "เจ้าหน้าที่ 1", Role.STAFF)
S2 = StaffPrincipal(4, OFFICE, "staff2", "เจ้าหน้าที่ 2", Role.STAFF)


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 27, h, m, tzinfo=UTC) - timedelta(hours=7)


# Hand-worked transactions: (service, outcome, wait, walk, service, hold, total) in minutes.
BIRTH, CARD = "birth", "id_card_renewal"
EXPECTED = {
    "A001": [(BIRTH, "done", 5, 2, 13, 0, 20)],
    "B001": [(CARD, "done", 5, 0, 4 + 14, 5, 29)],
    "A002": [(BIRTH, "transferred", 35, 2, 13, 0, None), (CARD, "done", 10, 1, 19, 0, 80)],
    "A003": [(BIRTH, "cancelled", None, None, None, 0, None)],
    "B002": [(CARD, "done", 0, 2, 18, 0, 20)],
    "A004": [(BIRTH, "done", 10, 1, 19, 0, 30)],
    "B003": [(CARD, "no_show", None, None, None, 0, None)],
    "A005": [(BIRTH, "done", 15, 1, 14, 0, 30)],
    "A006": [(BIRTH, "unserved", None, None, None, 0, None)],
}
OUTSIDE = {"A001": "before", "B001": "before", "A004": "lunch", "A005": "after"}


async def play_the_day(queue: QueueService, clock: FakeClock) -> dict[str, Any]:
    """Drive the script; returns number -> ticket view (for ids and tokens)."""
    tickets: dict[str, Any] = {}

    async def when(hhmm: str) -> None:
        clock.now = at(hhmm)

    async def issue(hhmm: str, service: str, priority: str | None = None) -> None:
        await when(hhmm)
        view = await queue.issue_ticket(OFFICE, service, priority)
        tickets[view.number] = view

    async def call(hhmm: str, who: StaffPrincipal, counter: int, number: str) -> None:
        await when(hhmm)
        await queue.call_ticket(who, tickets[number].id, counter, "ตามลำดับในบททดสอบ")

    async def call_next(hhmm: str, who: StaffPrincipal, counter: int, number: str) -> None:
        await when(hhmm)
        view = await queue.call_next(who, counter)
        assert view is not None and view.number == number

    async def act(hhmm: str, who: StaffPrincipal, number: str, action: Action) -> None:
        await when(hhmm)
        await queue.act(who, tickets[number].id, action)

    await issue("08:00", BIRTH)
    await issue("08:01", CARD, "elderly")
    await call("08:05", S1, 1, "A001")
    await call("08:06", S2, 2, "B001")
    await act("08:06", S2, "B001", Action.START)
    await act("08:07", S1, "A001", Action.START)
    await act("08:10", S2, "B001", Action.HOLD)
    await issue("08:10", BIRTH)  # A002
    await issue("08:15", BIRTH)  # A003
    await act("08:15", S2, "B001", Action.UNHOLD)
    await act("08:16", S2, "B001", Action.START)
    await act("08:20", S1, "A001", Action.FINISH)
    await act("08:20", S1, "A003", Action.CANCEL)
    await call("08:21", S1, 1, "A002")
    await act("08:23", S1, "A002", Action.RECALL)
    await act("08:26", S1, "A002", Action.NO_SHOW)
    await issue("08:30", CARD)  # B002
    await call_next("08:30", S2, 2, "B002")  # finishes B001
    await act("08:32", S2, "B002", Action.START)
    await act("08:40", S1, "A002", Action.REACTIVATE)
    await call("08:45", S1, 1, "A002")
    await act("08:47", S1, "A002", Action.START)
    await act("08:50", S2, "B002", Action.FINISH)
    await when("09:00")
    await queue.transfer(S1, tickets["A002"].id, CARD)
    await call_next("09:10", S2, 2, "A002")
    await act("09:11", S2, "A002", Action.START)
    await act("09:30", S2, "A002", Action.FINISH)
    await when("10:00")
    await queue.pause_counter(S2, 2, "break")
    await when("10:15")
    await queue.resume_counter(S2, 2)
    await issue("12:10", BIRTH)  # A004
    await call("12:20", S1, 1, "A004")
    await act("12:21", S1, "A004", Action.START)
    await act("12:40", S1, "A004", Action.FINISH)
    await when("12:45")
    await queue.pause_counter(S1, 1, "lunch")
    await when("13:00")
    await queue.resume_counter(S1, 1)
    await issue("14:00", CARD)  # B003
    await call("14:05", S2, 2, "B003")
    await act("14:12", S2, "B003", Action.NO_SHOW)
    await issue("16:20", BIRTH)  # A005
    await issue("16:25", BIRTH)  # A006
    await call("16:35", S1, 1, "A005")
    await act("16:36", S1, "A005", Action.START)
    await act("16:50", S1, "A005", Action.FINISH)
    await when("17:00")
    await queue.close_counter(S1, 1)
    return tickets


async def next_morning(queue: QueueService, clock: FakeClock) -> None:
    """Any write on the next business day runs the rollover, which makes the day final."""
    clock.now = at("08:00") + timedelta(days=1)
    await queue.issue_ticket(OFFICE, BIRTH)


# ------------------------------------------------------------------ the independent computation


def minutes_list(service: str | None, field: int) -> list[float]:
    return sorted(
        tx[field] * 60
        for txs in EXPECTED.values()
        for tx in txs
        if (service is None or tx[0] == service) and tx[field] is not None
    )


def p90(values: list[float]) -> float:
    return sorted(values)[math.ceil(0.9 * len(values)) - 1]


def expect_stats(values: list[float]) -> dict[str, float | None]:
    return {
        "n": len(values),
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "p90": p90(values),
        "max": max(values),
    }


def expect_counts(service: str | None) -> dict[str, int]:
    txs = [
        (number, i, tx)
        for number, txs in EXPECTED.items()
        for i, tx in enumerate(txs)
        if service is None or tx[0] == service
    ]
    outcomes = [tx[1] for _, _, tx in txs]
    return {
        "issued": sum(1 for _, i, _ in txs if i == 0),
        "transferred_in": sum(1 for _, i, _ in txs if i > 0),
        "served": outcomes.count("done"),
        "transferred": outcomes.count("transferred"),
        "no_show": outcomes.count("no_show"),
        "cancelled": outcomes.count("cancelled"),
        "unserved": outcomes.count("unserved"),
    }


def check_group(got: dict[str, Any], service: str | None, standards: dict[str, int]) -> None:
    for key, value in expect_counts(service).items():
        assert got[key] == value, (service, key)
    for name, field in (("wait", 2), ("walk", 3), ("service", 4), ("total", 6)):
        expected = expect_stats(minutes_list(service, field))
        assert got[name] == pytest.approx(expected), (service, name)
    waits = minutes_list(service, 2)
    assert got["wait_bands"] == {
        "le15": sum(w <= 15 * 60 for w in waits),
        "15to30": sum(15 * 60 < w <= 30 * 60 for w in waits),
        "30to60": sum(30 * 60 < w <= 60 * 60 for w in waits),
        "gt60": sum(w > 60 * 60 for w in waits),
    }
    # The demo's wait target is 15 minutes for every service.
    assert got["within_target_pct"] == pytest.approx(
        100 * sum(w <= 15 * 60 for w in waits) / len(waits)
    )
    completed = [
        (tx[0], tx[4] * 60)
        for txs in EXPECTED.values()
        for tx in txs
        if tx[4] is not None and (service is None or tx[0] == service)
    ]
    within = sum(s <= standards[code] * 60 for code, s in completed)
    assert got["within_standard_pct"] == pytest.approx(100 * within / len(completed))
    assert got["hold_s"] == sum(
        tx[5] * 60 for txs in EXPECTED.values() for tx in txs if service in (None, tx[0])
    )


def standards(database: Database) -> dict[str, int]:
    with database.read() as session:
        from sqlmodel import select

        return {s.code: s.standard_minutes for s in session.exec(select(Service)).all()}


def service_ids(database: Database) -> dict[int, str]:
    with database.read() as session:
        from sqlmodel import select

        return {s.id: s.code for s in session.exec(select(Service)).all() if s.id}


# ------------------------------------------------------------------ the tests


class TestTheSyntheticDay:
    async def test_the_summary_matches_the_hand_worked_day_once_the_day_is_final(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        await play_the_day(queue, clock)
        await next_morning(queue, clock)
        reports = ReportService(database, clock)
        summary = await reports.summary(OFFICE, day(DAY))

        std = standards(database)
        check_group(summary["overall"], None, std)
        codes = service_ids(database)
        by_code = {codes[s["service_id"]]: s for s in summary["services"]}
        assert set(by_code) == {BIRTH, CARD}
        check_group(by_code[BIRTH], BIRTH, std)
        check_group(by_code[CARD], CARD, std)
        # The next morning's ticket belongs to the next business day, not this one.
        assert summary["overall"]["issued"] == 9

    async def test_the_day_is_sealed_once_and_the_stored_rows_give_the_same_answer(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        await play_the_day(queue, clock)
        reports = ReportService(database, clock)
        live = await reports.summary(OFFICE, day(DAY))
        # Before the rollover A006 is still waiting: open, not yet unserved.
        assert live["overall"]["open"] == 1 and live["overall"]["unserved"] == 0
        assert reports.seal(OFFICE) == 0

        await next_morning(queue, clock)
        assert reports.seal(OFFICE) == 1
        assert reports.seal(OFFICE) == 0
        sealed = await reports.summary(OFFICE, day(DAY))
        assert sealed["overall"]["unserved"] == 1 and sealed["overall"]["open"] == 0
        for key in ("wait", "walk", "service", "total", "wait_bands", "within_target_pct"):
            assert sealed["overall"][key] == live["overall"][key]

    async def test_a_finished_month_is_read_from_its_month_rollup_with_the_same_figures(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        await play_the_day(queue, clock)
        # The first write of December closes November.
        clock.now = at("08:00") + timedelta(days=5)
        await queue.issue_ticket(OFFICE, BIRTH)
        reports = ReportService(database, clock)
        the_day = await reports.summary(OFFICE, day(DAY))
        with database.read() as session:
            assert repo.built_months(session, OFFICE) == {date(2026, 11, 1)}
        november = await reports.summary(OFFICE, month(DAY))
        for key in ("overall", "services", "satisfaction"):
            assert november[key] == the_day[key], key
        december = await reports.summary(OFFICE, month(date(2026, 12, 2)))
        assert december["overall"]["issued"] == 1  # today's ticket, read live

    async def test_rollups_built_by_older_rules_are_rebuilt(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        await play_the_day(queue, clock)
        await next_morning(queue, clock)
        reports = ReportService(database, clock)
        before = await reports.summary(OFFICE, day(DAY))
        with database.write() as session:
            session.execute(sa.update(ReportDay).values(version=0))
        assert reports.seal(OFFICE) == 1
        assert await reports.summary(OFFICE, day(DAY)) == {
            **before,
            "generated_at": before["generated_at"],
        }

    async def test_the_dashboard_breakdowns_match_the_script(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        await play_the_day(queue, clock)
        await next_morning(queue, clock)
        reports = ReportService(database, clock)
        dash = await reports.dashboard(OFFICE, day(DAY), include_staff=True)
        summary = await reports.summary(OFFICE, day(DAY))

        # The rows behind the breakdowns and the rollup behind the summary agree.
        for key in ("wait", "walk", "service", "total", "wait_bands", "served", "no_show"):
            assert dash["overall"][key] == summary["overall"][key], key

        by_counter = {c["name_th"].split()[1]: c for c in dash["counters"]}
        # Counter 1 served A001, A002 (first part), A004, A005; counter 2 the rest.
        assert by_counter["1"]["wait"]["n"] == 4 and by_counter["2"]["wait"]["n"] == 3
        assert by_counter["1"]["wait"]["mean"] == pytest.approx((5 + 35 + 10 + 15) * 60 / 4)
        assert {s["name"]: s["wait"]["n"] for s in dash["staff"]} == {
            "เจ้าหน้าที่ 1": 4,
            "เจ้าหน้าที่ 2": 3,
        }

        priority = {p["priority"]: p for p in dash["priority"]}
        assert priority["elderly"]["issued"] == 1 and priority["elderly"]["wait"]["mean"] == 300
        assert priority[""]["issued"] == 8

        outside = {o["outside"]: o["served"] + o["transferred"] for o in dash["outside"]}
        assert outside == {"before": 2, "lunch": 1, "after": 1}

        hourly = {h["hour"]: h for h in dash["hourly"]}
        assert {h: v["arrivals_total"] for h, v in hourly.items() if v["arrivals_total"]} == {
            8: 5,
            12: 1,
            14: 1,
            16: 2,
        }
        assert {h: v["served_total"] for h, v in hourly.items() if v["served_total"]} == {
            8: 3,
            9: 1,
            12: 1,
            16: 1,
        }
        # 08:00–09:00: counter 1 open from 08:05, counter 2 from 08:06 -> 55 + 54 minutes.
        assert hourly[8]["open_counters"] == pytest.approx((55 + 54) / 60)
        # Friday (weekday 4), 08:00: five arrivals on the one Friday.
        heat = dash["heatmap"]
        assert heat["grid"][4][heat["hours"].index(8)] == 5

        times = {c["number"]: c for c in dash["counter_time"]}
        # Counter 1: 08:05–17:00 open, lunch 15 min, busy = walk + service of its 4 services.
        assert times[1]["open_s"] == (17 * 60 - (8 * 60 + 5)) * 60
        assert times[1]["paused_by_reason"] == {"lunch": 15 * 60}
        assert times[1]["busy_s"] == (2 + 13 + 2 + 13 + 1 + 19 + 1 + 14) * 60
        assert times[1]["idle_s"] == times[1]["open_s"] - 15 * 60 - times[1]["busy_s"]
        # Counter 2 was closed by the rollover: its session ends at the 16:30 closing time.
        assert times[2]["open_s"] == (16 * 60 + 30 - (8 * 60 + 6)) * 60
        assert times[2]["paused_by_reason"] == {"break": 15 * 60}
        assert times[2]["busy_s"] == (0 + 18 + 2 + 18 + 1 + 19) * 60

    async def test_satisfaction_statistics_and_the_yamane_warning(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        tickets = await play_the_day(queue, clock)
        survey = SurveyService(queue.work)
        answers = {
            "A001": [5, 4, 5, 3, 5],
            "B001": [4, 4, 3, 3, 4],
            "A002": [2, 5, 4, 4, 3],
        }
        items = ["speed", "courtesy", "clarity", "facilities", "overall"]
        for number, scores in answers.items():
            await survey.answer(tickets[number].token, dict(zip(items, scores, strict=True)), "")
        await next_morning(queue, clock)
        summary = await ReportService(database, clock).summary(OFFICE, day(DAY))
        sat = summary["satisfaction"]
        for i, code in enumerate(items):
            column = [scores[i] for scores in answers.values()]
            got = next(x for x in sat["items"] if x["code"] == code)
            assert got["answers"] == 3 and "n" not in got
            assert got["mean"] == pytest.approx(statistics.fmean(column))
            assert got["sd"] == pytest.approx(statistics.stdev(column))
            assert got["percent"] == pytest.approx(statistics.fmean(column) / 5 * 100)
        pooled = [s for scores in answers.values() for s in scores]
        assert summary["overall"]["satisfaction"]["mean"] == pytest.approx(statistics.fmean(pooled))
        assert summary["overall"]["satisfaction"]["sd"] == pytest.approx(statistics.stdev(pooled))
        # Per service: A002's answer counts for the ID card service, where its visit ended.
        codes = service_ids(database)
        per = {codes[s["service_id"]]: s["satisfaction"] for s in summary["services"]}
        # Respondents are people (one per ticket); answers are item answers (five each).
        assert per[BIRTH]["respondents"] == 1 and per[BIRTH]["answers"] == 5
        assert per[CARD]["respondents"] == 2 and per[CARD]["answers"] == 10
        overall = summary["overall"]["satisfaction"]
        assert overall["respondents"] == 3 and overall["answers"] == 15 and "n" not in overall
        # Nine visitors need ceil(9 / (1 + 9 × 0.05²)) = 9 answers; three is too few.
        assert sat["visitors"] == 9 and sat["yamane_required"] == 9
        assert sat["respondents"] == 3 and sat["sample_ok"] is False
        assert "9" in sat["warning_th"] and "Yamane" in sat["warning_en"]


class TestPeriodsAndBoundaries:
    async def test_business_days_follow_bangkok_not_utc(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        # 23:50 on the 27th in Bangkok is 16:50 UTC; 00:10 on the 28th is still the 27th in UTC.
        clock.now = datetime(2026, 11, 27, 16, 50, tzinfo=UTC)
        await queue.issue_ticket(OFFICE, BIRTH)
        clock.now = datetime(2026, 11, 27, 17, 10, tzinfo=UTC)
        await queue.issue_ticket(OFFICE, BIRTH)
        reports = ReportService(database, clock)
        assert (await reports.summary(OFFICE, day(date(2026, 11, 27))))["overall"]["issued"] == 1
        assert (await reports.summary(OFFICE, day(date(2026, 11, 28))))["overall"]["issued"] == 1
        both = await reports.summary(OFFICE, custom(date(2026, 11, 27), date(2026, 11, 28)))
        assert both["overall"]["issued"] == 2

    async def test_fiscal_years_split_on_the_first_of_october(
        self, queue: QueueService, clock: FakeClock, database: Database
    ) -> None:
        # 30 Sep 2026 is the last day of FY 2569; 1 Oct 2026 the first of FY 2570.
        for when in (datetime(2026, 9, 30, 9, 0), datetime(2026, 10, 1, 2, 0)):
            clock.now = when.replace(tzinfo=UTC)
            await queue.issue_ticket(OFFICE, BIRTH)
        clock.now = datetime(2026, 10, 2, 2, 0, tzinfo=UTC)
        await queue.issue_ticket(OFFICE, BIRTH)
        reports = ReportService(database, clock)
        fy69 = await reports.evidence(OFFICE, 2569)
        fy70 = await reports.evidence(OFFICE, 2570)
        assert fy69["overall"]["issued"] == 1
        assert fy70["overall"]["issued"] == 2
        assert [q["issued"] for q in fy69["quarters"]] == [0, 0, 0, 1]
        assert [q["issued"] for q in fy70["quarters"]] == [2, 0, 0, 0]
        assert fy69["period"]["from"] == "2025-10-01" and fy69["period"]["to"] == "2026-09-30"
        assert fy69["months"][-1]["issued"] == 1 and fy70["months"][0]["issued"] == 2
