"""The complaint workflow table, business-day deadlines and the tracking code: plain asserts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints.workflow import (
    Overdue,
    Status,
    Step,
    StepNotAllowed,
    advance,
    deadlines,
    new_code,
    normalise_code,
    overdue,
)
from counter.queue.hours import OfficeHours, add_business_days, is_business_day

BKK = ZoneInfo("Asia/Bangkok")
HOURS = OfficeHours()
# Friday 27 Nov 2026; Monday 30 Nov made a holiday for these tests.
FRIDAY = date(2026, 11, 27)
HOLIDAY = date(2026, 11, 30)


class TestBusinessDays:
    def test_weekends_and_holidays_are_not_business_days(self) -> None:
        assert is_business_day(HOURS, FRIDAY)
        assert not is_business_day(HOURS, date(2026, 11, 28))  # Saturday
        assert not is_business_day(HOURS, date(2026, 11, 29))  # Sunday
        assert not is_business_day(HOURS, HOLIDAY, {HOLIDAY})
        assert is_business_day(OfficeHours(saturday=True), date(2026, 11, 28))

    def test_the_next_business_day_after_friday_skips_the_weekend_and_a_holiday(self) -> None:
        assert add_business_days(HOURS, FRIDAY, 1) == date(2026, 11, 30)
        assert add_business_days(HOURS, FRIDAY, 1, {HOLIDAY}) == date(2026, 12, 1)
        assert add_business_days(HOURS, FRIDAY, 0, {HOLIDAY}) == FRIDAY

    def test_counting_from_a_sunday_starts_on_monday(self) -> None:
        assert add_business_days(HOURS, date(2026, 11, 29), 1) == date(2026, 11, 30)

    def test_fifteen_business_days_match_a_day_by_day_count(self) -> None:
        holidays = {HOLIDAY, date(2026, 12, 7), date(2026, 12, 10)}
        day, left = FRIDAY, 15
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in holidays:
                left -= 1
        assert add_business_days(HOURS, FRIDAY, 15, holidays) == day == date(2026, 12, 23)


class TestDeadlines:
    def test_acknowledge_by_the_end_of_the_business_day_after_a_holiday(self) -> None:
        received = datetime(2026, 11, 27, 16, 45, tzinfo=BKK)  # Friday, after office hours
        due = deadlines(received.astimezone(UTC), "Asia/Bangkok", HOURS, {HOLIDAY}, 1, 15)
        # The whole of Tuesday 1 Dec is allowed: the deadline is local midnight after it.
        assert due.acknowledge_by == datetime(2026, 12, 2, 0, 0, tzinfo=BKK)
        # 15 business days: 1–4, 7–11, 14–18, 21 December; the 21st is the last allowed day.
        assert due.resolve_by == datetime(2026, 12, 22, 0, 0, tzinfo=BKK)

    def test_the_local_day_counts_not_the_utc_day(self) -> None:
        # 00:30 on Saturday in Bangkok is still Friday in UTC.
        received = datetime(2026, 11, 28, 0, 30, tzinfo=BKK)
        due = deadlines(received.astimezone(UTC), "Asia/Bangkok", HOURS, (), 1, 15)
        assert due.acknowledge_by == datetime(2026, 12, 1, 0, 0, tzinfo=BKK)


class TestWorkflow:
    @pytest.mark.parametrize(
        ("status", "step", "to"),
        [
            (Status.RECEIVED, Step.ACKNOWLEDGE, Status.ACKNOWLEDGED),
            (Status.ACKNOWLEDGED, Step.START, Status.IN_PROGRESS),
            (Status.IN_PROGRESS, Step.RESOLVE, Status.RESOLVED),
            (Status.RECEIVED, Step.RESOLVE, Status.RESOLVED),
            (Status.RESOLVED, Step.CLOSE, Status.CLOSED),
            (Status.ACKNOWLEDGED, Step.REFER, Status.REFERRED),
        ],
    )
    def test_allowed_steps(self, status: Status, step: Step, to: Status) -> None:
        assert advance(status, step) is to

    @pytest.mark.parametrize(
        ("status", "step"),
        [
            (Status.RECEIVED, Step.CLOSE),
            (Status.ACKNOWLEDGED, Step.ACKNOWLEDGE),
            (Status.CLOSED, Step.RESOLVE),
            (Status.REFERRED, Step.CLOSE),
            (Status.RESOLVED, Step.REFER),
        ],
    )
    def test_refused_steps(self, status: Status, step: Step) -> None:
        with pytest.raises(StepNotAllowed):
            advance(status, step)

    def test_overdue_names_the_missed_deadline(self) -> None:
        ack_by = datetime(2026, 12, 1, tzinfo=UTC)
        resolve_by = datetime(2026, 12, 20, tzinfo=UTC)
        before = ack_by - timedelta(seconds=1)
        after_ack = ack_by + timedelta(seconds=1)
        after_all = resolve_by + timedelta(seconds=1)
        assert overdue(Status.RECEIVED, None, ack_by, resolve_by, before) is None
        assert overdue(Status.RECEIVED, None, ack_by, resolve_by, after_ack) is Overdue.ACKNOWLEDGE
        assert overdue(Status.ACKNOWLEDGED, before, ack_by, resolve_by, after_ack) is None
        assert overdue(Status.IN_PROGRESS, before, ack_by, resolve_by, after_all) is Overdue.RESOLVE
        assert overdue(Status.CLOSED, before, ack_by, resolve_by, after_all) is None


def test_codes_are_readable_and_normalised_from_what_people_type() -> None:
    code = new_code()
    assert len(code) == 9 and code[4] == "-"
    assert not set(code) & set("01ILOU")
    assert normalise_code(code.lower().replace("-", " ")) == code
