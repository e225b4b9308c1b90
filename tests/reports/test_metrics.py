"""The pure report arithmetic, with plain asserts: transactions from events, statistics, survey
figures, Yamane, hour classes, periods, the XLSX writer and counter sessions."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from counter.queue.errors import InvalidInput
from reports import periods, xlsx
from reports.breakdowns import breakdowns_from_rows, heatmap, hourly
from reports.metrics import (
    Event,
    ScoreTally,
    SortedRuns,
    count_at_most,
    duration_stats,
    merge_sorted,
    nearest_rank,
    outside_class,
    pack,
    transactions_of,
    unpack,
    wait_bands,
    yamane,
)
from reports.rollup import (
    DayServiceAgg,
    OfficeClock,
    Thresholds,
    fixed,
    summarise_overall,
    summarise_services,
)
from reports.sessions import counter_intervals

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 09:00 in Bangkok
BKK = ZoneInfo("Asia/Bangkok")


def ev(
    seq: int, kind: str, minute: float, txn: int = 1, service: int = 1, counter: int | None = 1
) -> Event:
    return Event(seq, kind, T0 + timedelta(minutes=minute), txn, service, counter, 7)


class TestTransactionsFromEvents:
    def test_a_plain_visit(self) -> None:
        [tx] = transactions_of(
            1,
            [
                ev(1, "issued", 0, counter=None),
                ev(2, "called", 10),
                ev(3, "started", 12),
                ev(4, "finished", 30),
            ],
        )
        assert (tx.outcome, tx.wait_s, tx.walk_s, tx.service_s, tx.total_s) == (
            "done",
            600,
            120,
            1080,
            1800,
        )
        assert tx.counter_id == 1 and tx.staff_id == 7

    def test_events_are_replayed_in_sequence_order_whatever_order_they_come_in(self) -> None:
        events = [
            ev(4, "finished", 30),
            ev(1, "issued", 0),
            ev(3, "started", 12),
            ev(2, "called", 10),
        ]
        assert transactions_of(1, events)[0].service_s == 1080

    def test_after_a_no_show_and_reactivation_the_last_call_counts(self) -> None:
        [tx] = transactions_of(
            1,
            [
                ev(1, "issued", 0),
                ev(2, "called", 5),
                ev(3, "recalled", 7),
                ev(4, "no_show", 9),
                ev(5, "reactivated", 20),
                ev(6, "called", 40),
                ev(7, "started", 41),
                ev(8, "finished", 50),
            ],
        )
        assert (tx.wait_s, tx.walk_s, tx.recalls, tx.outcome) == (2400, 60, 1, "done")

    def test_hold_time_is_its_own_interval_never_service(self) -> None:
        [tx] = transactions_of(
            1,
            [
                ev(1, "issued", 0),
                ev(2, "called", 1),
                ev(3, "started", 2),
                ev(4, "held", 6),
                ev(5, "unheld", 16),
                ev(6, "started", 17),
                ev(7, "finished", 20),
            ],
        )
        assert tx.service_s == (4 + 3) * 60 and tx.hold_s == 10 * 60 and tx.walk_s == 60

    def test_a_transfer_splits_the_visit_into_two_transactions(self) -> None:
        a, b = transactions_of(
            1,
            [
                ev(1, "issued", 0),
                ev(2, "called", 5),
                ev(3, "started", 6),
                ev(4, "transferred", 16),
                ev(5, "requeued", 16, txn=2, service=2, counter=None),
                ev(6, "called", 30, txn=2, service=2, counter=2),
                ev(7, "started", 31, 2, 2, 2),
                ev(8, "finished", 45, 2, 2, 2),
            ],
        )
        assert (a.outcome, a.service_id, a.wait_s, a.service_s, a.total_s) == (
            "transferred",
            1,
            300,
            600,
            None,
        )
        assert (b.outcome, b.service_id, b.arrival, b.wait_s, b.counter_id) == (
            "done",
            2,
            "requeued",
            14 * 60,
            2,
        )
        assert b.total_s == 45 * 60  # the whole visit, from the first issue

    @pytest.mark.parametrize(
        "ending, outcome",
        [("no_show", "no_show"), ("cancelled", "cancelled"), ("closed_unserved", "unserved")],
    )
    def test_no_shows_cancels_and_unserved_carry_no_durations(
        self, ending: str, outcome: str
    ) -> None:
        [tx] = transactions_of(1, [ev(1, "issued", 0), ev(2, "called", 5), ev(3, ending, 9)])
        assert tx.outcome == outcome
        assert (tx.wait_s, tx.walk_s, tx.service_s, tx.total_s) == (None, None, None, None)

    def test_unknown_kinds_such_as_print_status_are_ignored(self) -> None:
        [tx] = transactions_of(
            1,
            [
                ev(1, "issued", 0),
                ev(2, "print_ok", 0),
                ev(3, "called", 2),
                ev(4, "started", 3),
                ev(5, "finished", 4),
            ],
        )
        assert tx.service_s == 60

    def test_a_ticket_still_waiting_is_open(self) -> None:
        [tx] = transactions_of(1, [ev(1, "issued", 0)])
        assert tx.outcome == "open" and tx.wait_s is None


class TestStatistics:
    def test_median_is_the_usual_middle_and_p90_the_nearest_rank(self) -> None:
        s = duration_stats([1, 2, 3, 4])
        assert (s.n, s.mean, s.median, s.p90, s.max) == (4, 2.5, 2.5, 4, 4)
        assert duration_stats([1, 3, 5]).median == 3
        assert nearest_rank(list(range(1, 11)), 90) == 9
        assert nearest_rank(list(range(1, 101)), 90) == 90
        assert duration_stats([]).mean is None

    def test_wait_bands_include_their_upper_edge(self) -> None:
        waits = sorted(m * 60 for m in (0, 15, 15.01, 30, 45, 60, 61))
        assert wait_bands(waits) == {"le15": 2, "15to30": 2, "30to60": 2, "gt60": 1}
        assert count_at_most(waits, 900) == 2

    def test_sorted_runs_pack_and_merge_exactly(self) -> None:
        a, b = [5, 1, 9], [2, 8]
        merged = merge_sorted([unpack(pack(a)), unpack(pack(b))])
        assert merged == [1, 2, 5, 8, 9]
        assert list(unpack(pack([-3]))) == [0]  # clock skew never goes negative

    def test_sorted_runs_read_as_one_list_give_the_same_statistics(self) -> None:
        import random

        rng = random.Random(5)
        for _ in range(50):
            runs = [
                sorted(rng.randint(0, 300) for _ in range(rng.randint(0, 9)))
                for _ in range(rng.randint(1, 5))
            ]
            merged = sorted(v for r in runs for v in r)
            view = SortedRuns(runs)
            assert len(view) == len(merged)
            assert [view[k] for k in range(len(merged))] == merged
            search = SortedRuns(runs)
            search.SHORT_RUN = 0  # the binary search long runs take (a year's months)
            assert [search[k] for k in range(len(merged))] == merged
            merge = SortedRuns(runs)
            merge.SHORT_RUN = 10**9  # the merge short runs take (a month's days)
            assert [merge[k] for k in range(len(merged))] == merged
            assert duration_stats(view) == duration_stats(merged)
            assert wait_bands(view) == wait_bands(merged)
            assert count_at_most(view, 150) == count_at_most(merged, 150)

    def test_a_period_summary_merges_days_and_applies_each_services_thresholds(self) -> None:
        day1 = DayServiceAgg(1, date(2026, 1, 5), 1, waits=[60, 1200], services=[600, 900])
        day2 = DayServiceAgg(1, date(2026, 1, 6), 1, waits=[300], services=[700])
        other = DayServiceAgg(1, date(2026, 1, 5), 2, waits=[4000], services=[100])
        for agg, served in ((day1, 2), (day2, 1), (other, 1)):
            agg.counts["served"] = served
        overall, per = summarise_services(
            [day1, day2, other], fixed({1: Thresholds(720, 900), 2: Thresholds(60, 3600)})
        )
        assert per[1]["wait"]["median"] == 300 and per[1]["served"] == 3
        assert per[1]["within_standard"] == 2 and per[1]["within_target"] == 2
        assert per[2]["within_standard"] == 0 and per[2]["within_target"] == 0
        assert overall["wait"]["max"] == 4000 and overall["within_standard"] == 2
        assert overall["served"] == 4
        # The overall alone (a trend's months, the evidence pack's quarters) is the same.
        th = fixed({1: Thresholds(720, 900), 2: Thresholds(60, 3600)})
        light = {k: v for k, v in overall.items() if k not in ("walk", "total")}
        assert summarise_overall([day1, day2, other], th) == light


class TestSatisfaction:
    def test_mean_sample_sd_and_percent(self) -> None:
        tally = ScoreTally()
        for score in (5, 4, 4, 3):
            tally.add(score)
        assert tally.mean == 4 and tally.percent == 80
        assert tally.sd == pytest.approx((2 / 3) ** 0.5)
        assert ScoreTally().as_dict() == {"answers": 0, "mean": None, "sd": None, "percent": None}

    def test_yamane_sample_sizes(self) -> None:
        # n = N / (1 + N e²), rounded up: the familiar 400 for a large population.
        assert yamane(0) == 0
        assert yamane(100) == 80
        assert yamane(1_000) == 286
        assert yamane(150_000) == 399


class TestHours:
    def test_outside_normal_hours(self) -> None:
        opens, closes = time(8, 30), time(16, 30)

        def cls(d: date, hhmm: str, holidays: frozenset[date] = frozenset()) -> str | None:
            h, m = map(int, hhmm.split(":"))
            return outside_class(datetime.combine(d, time(h, m)), opens, closes, holidays)

        friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
        assert cls(friday, "08:29") == "before" and cls(friday, "08:30") is None
        assert cls(friday, "12:00") == "lunch" and cls(friday, "13:00") is None
        assert cls(friday, "16:30") == "after" and cls(friday, "16:29") is None
        assert cls(saturday, "10:00") == "saturday"
        assert cls(friday, "10:00", frozenset({friday})) == "holiday"


class TestPeriods:
    def test_fiscal_years_and_quarters(self) -> None:
        fy = periods.fiscal(2569)
        assert (fy.first, fy.last) == (date(2025, 10, 1), date(2026, 9, 30))
        assert fy.label_th == "ปีงบประมาณ พ.ศ. 2569"
        q1 = periods.quarter(2569, 1)
        assert (q1.first, q1.last) == (date(2025, 10, 1), date(2025, 12, 31))
        assert periods.quarter_of(date(2026, 9, 30)).label_th == (
            "ไตรมาสที่ 4 ปีงบประมาณ พ.ศ. 2569 (ก.ค.–ก.ย. 2569)"
        )
        assert periods.quarter_of(date(2026, 10, 1)).label_th == (
            "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2570 (ต.ค.–ธ.ค. 2569)"
        )
        assert periods.fiscal_of(date(2026, 10, 1)).first == date(2026, 10, 1)

    def test_day_week_month_and_custom(self) -> None:
        today = date(2026, 11, 27)
        assert periods.resolve("week", today).first == date(2026, 11, 23)
        assert periods.resolve("week", today).last == date(2026, 11, 29)
        feb = periods.resolve("month", today, on="2028-02-10")
        assert (feb.first, feb.last) == (date(2028, 2, 1), date(2028, 2, 29))
        assert periods.resolve(None, today).label_th == "เดือนพฤศจิกายน พ.ศ. 2569"
        assert periods.resolve("day", today).label_th == "วันที่ 27 พ.ย. 2569"
        custom = periods.resolve("custom", today, first="2026-11-01", last="2026-11-15")
        assert custom.days == 15 and custom.label_th == "1 พ.ย. 2569 – 15 พ.ย. 2569"
        assert periods.resolve("fy", today, fy="2570").first == date(2026, 10, 1)
        assert [m[0].month for m in periods.months_of(periods.fiscal(2569))][:4] == [10, 11, 12, 1]

    @pytest.mark.parametrize("bad", ["2026-02-30", "27/11/2026", "", "2569-11-27", "20261127"])
    def test_bad_dates_say_why_in_thai(self, bad: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            periods.parse_date(bad)
        assert "ค.ศ." in caught.value.th

    def test_ranges_must_be_ordered_and_bounded(self) -> None:
        with pytest.raises(InvalidInput):
            periods.custom(date(2026, 2, 1), date(2026, 1, 1))
        with pytest.raises(InvalidInput):
            periods.custom(date(2020, 1, 1), date(2026, 1, 1))
        with pytest.raises(InvalidInput):
            periods.parse_fy("2026")


class TestCounterSessions:
    def test_open_and_paused_time_and_the_day_end_close_at_closing_time(self) -> None:
        clock = OfficeClock(BKK, time(8, 30), time(16, 30))

        def local(hhmm: str, day: int = 27) -> datetime:
            h, m = map(int, hhmm.split(":"))
            return datetime(2026, 11, day, h, m, tzinfo=BKK).astimezone(UTC)

        events = [
            (1, "opened", local("08:30"), None, 1),
            (1, "paused", local("12:00"), "lunch", 2),
            (1, "resumed", local("12:30"), "lunch", 3),
            # Closed by the next morning's rollover.
            (1, "closed", local("08:00", 28), "day_end", 4),
        ]
        start, end = local("00:00"), local("00:00", 28)
        intervals = counter_intervals(events, clock, start, end, now=local("09:00", 28))
        spans = {(i.kind, i.reason): i.seconds for i in intervals}
        assert spans == {("open", None): 8 * 3600, ("paused", "lunch"): 30 * 60}

    def test_a_counter_still_open_counts_up_to_now(self) -> None:
        clock = OfficeClock(BKK, time(8, 30), time(16, 30))
        at = lambda h, m=0: datetime(2026, 11, 27, h, m, tzinfo=BKK).astimezone(UTC)  # noqa: E731
        start, end = at(0), at(0) + timedelta(days=1)
        events = [(1, "opened", at(8, 40), None, 1, 3)]
        [one] = counter_intervals(events, clock, start, end, now=at(10, 10))
        assert (one.kind, one.seconds, one.staff_id) == ("open", 90 * 60, 3)

    def test_a_session_begun_before_the_period_counts_from_its_start(self) -> None:
        """Opened the evening before and never closed (open now), or paused before midnight
        and closed today: neither may show 0.0 hours."""
        clock = OfficeClock(BKK, time(8, 30), time(16, 30))
        at = lambda h, m=0: datetime(2026, 11, 27, h, m, tzinfo=BKK).astimezone(UTC)  # noqa: E731
        start, end = at(0), at(0) + timedelta(days=1)
        events = [
            (2, "resumed", at(1), "break", 1, 4),
            (2, "closed", at(2), None, 2, 4),
        ]
        intervals = counter_intervals(events, clock, start, end, now=at(9), open_before={1: 3})
        spans = {(i.counter_id, i.kind): (i.seconds, i.staff_id) for i in intervals}
        assert spans == {
            (1, "open"): (9 * 3600, 3),
            (2, "open"): (2 * 3600, 4),
            (2, "paused"): (3600, 4),
        }


class TestHeatmap:
    def test_average_arrivals_per_day_of_each_weekday(self) -> None:
        from reports.metrics import TransactionRow

        def row(day: date, hour: int) -> TransactionRow:
            return TransactionRow(
                1,
                1,
                day,
                1,
                None,
                "issued",
                "done",
                1,
                1,
                1,
                1,
                1,
                0,
                1,
                hour,
                day.weekday(),
                hour,
                None,
            )

        mondays = [date(2026, 11, 23), date(2026, 11, 30)]
        rows = [row(mondays[0], 9)] * 3 + [row(mondays[1], 9)] + [row(mondays[1], 10)]
        parts = breakdowns_from_rows(rows, fixed({}))
        grid = heatmap(parts, mondays)
        assert grid["hours"] == [9, 10]
        assert grid["grid"][0] == [2.0, 0.5] and grid["days"][0] == 2
        # A Monday the office was open without a single arrival still counts as a day.
        grid = heatmap(parts, [*mondays, date(2026, 12, 7)])
        assert grid["grid"][0] == [4 / 3, 1 / 3] and grid["days"][0] == 3

    def test_hourly_averages_divide_by_the_days_the_office_was_open(self) -> None:
        from reports.metrics import TransactionRow

        rows = [
            TransactionRow(
                1, 1, date(2026, 11, 23), 1, None, "issued", "done",
                1, 1, 1, 1, 1, 0, 1, 9, 0, 10, None,
            )
        ] * 4  # fmt: skip
        clock = OfficeClock(ZoneInfo("Asia/Bangkok"), time(8, 30), time(16, 30))
        [nine, ten] = hourly(breakdowns_from_rows(rows, fixed({})), [], clock, open_days=2)
        assert nine["arrivals_per_day"] == 2 and nine["served_per_day"] == 0
        assert ten["served_per_day"] == 2


class TestXlsxWriter:
    def test_openpyxl_reads_back_numbers_text_dates_and_times(self, tmp_path: Path) -> None:
        path = tmp_path / "t.xlsx"
        rows = [
            [
                date(2026, 11, 27),
                "A001 <&> \x01",
                540,
                1.5,
                None,
                datetime(2026, 11, 27, 10, 35, 7),
            ],
        ]
        xlsx.write(
            path,
            [
                xlsx.Sheet(
                    "รายการ: ทดสอบ/1", ["วันที่", "หมายเลข", "รอ", "x", "y", "เวลา"], rows, [12, 10]
                )
            ],
            title="ท",
        )
        wb = load_workbook(path)
        ws = wb.worksheets[0]
        assert ws.title == "รายการ  ทดสอบ 1"
        assert [c.value for c in ws[1]] == ["วันที่", "หมายเลข", "รอ", "x", "y", "เวลา"]
        values = [c.value for c in ws[2]]
        assert values[0] == datetime(2026, 11, 27, 0, 0)
        assert values[1:5] == ["A001 <&> ", 540, 1.5, None]
        assert values[5] == datetime(2026, 11, 27, 10, 35, 7)
        assert ws.freeze_panes == "A2"
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None
            assert b"Saduak" in zf.read("docProps/core.xml")
