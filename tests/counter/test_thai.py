"""Specification of Thai calendar conventions: BE dates, fiscal years and quarters, Thai digits."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from counter.queue.thai import (
    be_year,
    business_day,
    fiscal_quarter,
    fiscal_quarter_range,
    fiscal_year,
    fiscal_year_range,
    format_thai_date,
    format_thai_date_long,
    format_thai_time,
    to_thai_digits,
)


class TestBuddhistEra:
    @pytest.mark.parametrize(
        ("d", "expected"),
        [
            (date(2026, 11, 26), 2569),
            (date(2025, 1, 1), 2568),
            (date(2000, 2, 29), 2543),
        ],
    )
    def test_be_year_is_ce_plus_543(self, d: date, expected: int) -> None:
        assert be_year(d) == expected

    def test_be_year_of_an_instant_uses_the_bangkok_date(self) -> None:
        new_year_in_bangkok = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
        assert be_year(new_year_in_bangkok) == 2569


class TestFormatThaiDate:
    @pytest.mark.parametrize(
        ("d", "expected"),
        [
            (date(2026, 11, 26), "26 พ.ย. 2569"),
            (date(2026, 1, 1), "1 ม.ค. 2569"),
            (date(2025, 10, 1), "1 ต.ค. 2568"),
            (date(2024, 2, 29), "29 ก.พ. 2567"),
            (date(2026, 4, 13), "13 เม.ย. 2569"),
            (date(2026, 12, 31), "31 ธ.ค. 2569"),
        ],
    )
    def test_short_form_uses_abbreviated_month_and_be_year(self, d: date, expected: str) -> None:
        assert format_thai_date(d) == expected

    @pytest.mark.parametrize(
        ("d", "expected"),
        [
            (date(2026, 11, 26), "26 พฤศจิกายน พ.ศ. 2569"),
            (date(2026, 2, 1), "1 กุมภาพันธ์ พ.ศ. 2569"),
            (date(2026, 7, 15), "15 กรกฎาคม พ.ศ. 2569"),
        ],
    )
    def test_long_form_spells_the_month_and_marks_the_era(self, d: date, expected: str) -> None:
        assert format_thai_date_long(d) == expected

    def test_short_form_with_time_shows_bangkok_time_with_a_dot_and_nor(self) -> None:
        instant = datetime(2026, 11, 26, 3, 35, tzinfo=UTC)
        assert format_thai_date(instant, with_time=True) == "26 พ.ย. 2569 10.35 น."

    def test_long_form_with_time_says_wela(self) -> None:
        instant = datetime(2026, 11, 26, 3, 35, tzinfo=UTC)
        expected = "26 พฤศจิกายน พ.ศ. 2569 เวลา 10.35 น."
        assert format_thai_date_long(instant, with_time=True) == expected

    def test_a_utc_evening_is_the_next_day_in_bangkok(self) -> None:
        instant = datetime(2026, 11, 26, 18, 5, tzinfo=UTC)
        assert format_thai_date(instant, with_time=True) == "27 พ.ย. 2569 01.05 น."

    def test_an_instant_in_another_offset_is_converted_too(self) -> None:
        tokyo = timezone(timedelta(hours=9))
        instant = datetime(2026, 11, 26, 12, 35, tzinfo=tokyo)
        assert format_thai_date(instant, with_time=True) == "26 พ.ย. 2569 10.35 น."

    def test_another_display_timezone_can_be_chosen(self) -> None:
        instant = datetime(2026, 11, 26, 3, 35, tzinfo=UTC)
        assert format_thai_date(instant, tz="UTC", with_time=True) == "26 พ.ย. 2569 03.35 น."

    def test_a_datetime_without_time_is_just_the_local_date(self) -> None:
        instant = datetime(2026, 11, 26, 18, 5, tzinfo=UTC)
        assert format_thai_date(instant) == "27 พ.ย. 2569"

    def test_time_alone_is_hour_dot_minute_nor(self) -> None:
        assert format_thai_time(datetime(2026, 1, 5, 1, 30, tzinfo=UTC)) == "08.30 น."

    @pytest.mark.parametrize("formatter", [format_thai_date, format_thai_date_long])
    def test_naive_datetimes_are_rejected(self, formatter: Callable[..., str]) -> None:
        with pytest.raises(ValueError, match="naive"):
            formatter(datetime(2026, 11, 26, 10, 35))

    def test_a_plain_date_cannot_be_shown_with_a_time(self) -> None:
        with pytest.raises(ValueError, match="datetime"):
            format_thai_date(date(2026, 11, 26), with_time=True)


class TestFiscalYear:
    @pytest.mark.parametrize(
        ("d", "fy", "quarter"),
        [
            (date(2025, 9, 30), 2568, 4),
            (date(2025, 10, 1), 2569, 1),
            (date(2025, 12, 31), 2569, 1),
            (date(2026, 1, 1), 2569, 2),
            (date(2026, 3, 31), 2569, 2),
            (date(2026, 4, 1), 2569, 3),
            (date(2026, 6, 30), 2569, 3),
            (date(2026, 7, 1), 2569, 4),
            (date(2026, 9, 30), 2569, 4),
            (date(2026, 10, 1), 2570, 1),
        ],
    )
    def test_boundaries(self, d: date, fy: int, quarter: int) -> None:
        assert fiscal_year(d) == fy
        assert fiscal_quarter(d) == (fy, quarter)

    def test_leap_day_is_in_the_second_quarter(self) -> None:
        assert fiscal_quarter(date(2024, 2, 29)) == (2567, 2)

    def test_fiscal_year_2569_runs_from_1_oct_2568_to_30_sep_2569(self) -> None:
        assert fiscal_year_range(2569) == (date(2025, 10, 1), date(2026, 9, 30))

    @pytest.mark.parametrize(
        ("quarter", "start", "end"),
        [
            (1, date(2025, 10, 1), date(2025, 12, 31)),
            (2, date(2026, 1, 1), date(2026, 3, 31)),
            (3, date(2026, 4, 1), date(2026, 6, 30)),
            (4, date(2026, 7, 1), date(2026, 9, 30)),
        ],
    )
    def test_quarter_ranges_of_2569(self, quarter: int, start: date, end: date) -> None:
        assert fiscal_quarter_range(2569, quarter) == (start, end)

    def test_a_leap_year_second_quarter_includes_29_february(self) -> None:
        start, end = fiscal_quarter_range(2567, 2)
        assert start <= date(2024, 2, 29) <= end
        assert (end - start).days + 1 == 91

    @pytest.mark.parametrize("quarter", [0, 5, -1])
    def test_quarters_outside_1_to_4_are_rejected(self, quarter: int) -> None:
        with pytest.raises(ValueError, match="quarter"):
            fiscal_quarter_range(2569, quarter)

    @pytest.mark.parametrize("ce_year", [2026, 1999])
    def test_a_ce_year_given_as_a_fiscal_year_is_rejected(self, ce_year: int) -> None:
        with pytest.raises(ValueError, match="BE"):
            fiscal_year_range(ce_year)

    def test_every_day_of_several_years_agrees_with_the_ranges(self) -> None:
        # Walk the calendar one day at a time, independently of the month arithmetic inside.
        first_fy, last_fy = 2562, 2575
        day = fiscal_year_range(first_fy)[0]
        for fy in range(first_fy, last_fy + 1):
            fy_start, fy_end = fiscal_year_range(fy)
            assert fy_start == day, "fiscal years must follow each other without gaps"
            days_in_year = 0
            for quarter in range(1, 5):
                q_start, q_end = fiscal_quarter_range(fy, quarter)
                assert q_start == day, "quarters must follow each other without gaps"
                while day <= q_end:
                    assert fiscal_year(day) == fy
                    assert fiscal_quarter(day) == (fy, quarter)
                    day += timedelta(days=1)
                    days_in_year += 1
            assert day - timedelta(days=1) == fy_end
            assert days_in_year in (365, 366)


class TestBusinessDay:
    def test_half_past_five_utc_on_30_september_is_1_october_in_bangkok(self) -> None:
        instant = datetime(2025, 9, 30, 17, 30, tzinfo=UTC)
        assert business_day(instant, "Asia/Bangkok") == date(2025, 10, 1)
        assert fiscal_year(business_day(instant, "Asia/Bangkok")) == 2569
        assert fiscal_year(instant) == 2569
        assert fiscal_quarter(instant) == (2569, 1)

    def test_just_before_bangkok_midnight_is_still_30_september(self) -> None:
        instant = datetime(2025, 9, 30, 16, 59, 59, tzinfo=UTC)
        assert business_day(instant, "Asia/Bangkok") == date(2025, 9, 30)
        assert fiscal_year(instant) == 2568

    def test_the_office_timezone_is_a_parameter(self) -> None:
        instant = datetime(2025, 9, 30, 17, 30, tzinfo=UTC)
        assert business_day(instant, "UTC") == date(2025, 9, 30)
        assert fiscal_year(instant, tz="UTC") == 2568

    def test_naive_instants_are_rejected(self) -> None:
        with pytest.raises(ValueError, match="naive"):
            business_day(datetime(2025, 9, 30, 17, 30), "Asia/Bangkok")
        with pytest.raises(ValueError, match="naive"):
            fiscal_year(datetime(2025, 9, 30, 17, 30))


class TestThaiDigits:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("0123456789", "๐๑๒๓๔๕๖๗๘๙"),
            ("26 พ.ย. 2569", "๒๖ พ.ย. ๒๕๖๙"),
            ("B015", "B๐๑๕"),
            ("", ""),
            (2569, "๒๕๖๙"),
        ],
    )
    def test_only_arabic_digits_change(self, text: str | int, expected: str) -> None:
        assert to_thai_digits(text) == expected
