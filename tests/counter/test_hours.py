"""Issuing hours: when the office refuses a walk-in, and when it opens again."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from counter.queue.hours import OfficeHours, issuing_refusal, next_issuing_opening

BANGKOK = ZoneInfo("Asia/Bangkok")
# Monday 7 December 2026 is a working day; 10 December (Thursday) a holiday in these tests.
MONDAY = date(2026, 12, 7)
HOLIDAY = date(2026, 12, 10)


def first_open_moment(hours: OfficeHours, start: datetime, holidays: set[date]) -> datetime:
    """The independent answer: walk forward five minutes at a time (every opening time here is
    on a multiple of five, and so is `start`) until issuing is allowed."""
    at = start
    for _ in range(12 * 24 * 14):
        if issuing_refusal(hours, at, holidays=holidays) is None:
            return at
        at += timedelta(minutes=5)
    raise AssertionError("no opening within two weeks")


@pytest.mark.parametrize(
    "hours",
    [
        OfficeHours(),
        OfficeHours(lunch_service=False),
        OfficeHours(saturday=True, opens=time(8, 0), closes=time(15, 0)),
    ],
    ids=["default", "no-lunch-service", "saturday"],
)
def test_the_next_opening_is_the_first_minute_issuing_is_allowed(hours: OfficeHours) -> None:
    holidays = {HOLIDAY}
    # Every 25 minutes across a week that holds a holiday and a weekend.
    start = datetime.combine(MONDAY, time(0, 5), BANGKOK)
    for step in range(0, 7 * 24 * 60, 25):
        now = start + timedelta(minutes=step)
        opening = next_issuing_opening(hours, now, holidays)
        if issuing_refusal(hours, now, holidays=holidays) is None:
            assert opening is None, now
            continue
        assert opening == first_open_moment(hours, now, holidays), now
        assert opening.tzinfo is BANGKOK


def test_an_office_that_issues_at_any_hour_never_has_a_next_opening() -> None:
    hours = OfficeHours(enforced=False)
    sunday_night = datetime(2026, 12, 13, 23, 0, tzinfo=BANGKOK)
    assert next_issuing_opening(hours, sunday_night) is None


def test_after_closing_on_friday_the_office_opens_on_monday_morning() -> None:
    friday_evening = datetime(2026, 12, 11, 17, 0, tzinfo=BANGKOK)
    assert next_issuing_opening(OfficeHours(), friday_evening) == datetime(
        2026, 12, 14, 8, 30, tzinfo=BANGKOK
    )
