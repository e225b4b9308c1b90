"""Advance booking through the HTTP API: slots, booking, limits, cancel and move by code, and
check-in into a booked ticket (the shape of POST /api/v1/tickets) within its window."""

from __future__ import annotations

import math
from datetime import timedelta

import httpx
import pytest

from counter.db import Database
from counter.models import Holiday
from tests.bookings.conftest import MONDAY, bkk, book
from tests.conftest import Demo, FakeClock

pytestmark = pytest.mark.usefixtures("demo")


class TestSlots:
    async def test_a_day_is_cut_into_slots_with_capacity_from_counters_and_standard(
        self, app_client: httpx.AsyncClient
    ) -> None:
        r = await app_client.get(
            "/api/v1/bookings/slots", params={"service": "birth", "date": MONDAY}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["closed"] is None
        times = [s["time"] for s in body["slots"]]
        # 08:30–16:30 in 30-minute slots, each ending by closing time.
        assert times[0] == "08:30" and times[-1] == "16:00" and len(times) == 16
        services = {
            s["code"]: s for s in (await app_client.get("/api/v1/bookings/services")).json()
        }
        birth = services["birth"]
        # Independent arithmetic: counters x 30 min / 10 min standard x 50 %.
        assert birth["derived_capacity"] == math.floor(birth["counters"] * 30 / 10 * 0.5)
        assert all(s["capacity"] == birth["capacity"] == s["remaining"] for s in body["slots"])

    @pytest.mark.parametrize(
        ("day", "reason"),
        [
            ("2026-11-27", "too_soon"),  # today: take a ticket at the kiosk
            ("2026-11-28", "closed_day"),  # Saturday
            ("2026-12-31", "too_far"),  # beyond 15 days
            ("2026-12-07", "holiday"),
        ],
    )
    async def test_days_that_cannot_be_booked_say_why(
        self, app_client: httpx.AsyncClient, database: Database, demo: Demo, day: str, reason: str
    ) -> None:
        from datetime import date

        with database.write() as session:
            session.add(Holiday(office_id=demo.office_id, day=date(2026, 12, 7), name="วันหยุด"))
        r = await app_client.get("/api/v1/bookings/slots", params={"service": "birth", "date": day})
        assert r.status_code == 200
        assert r.json()["slots"] == [] and r.json()["closed"] == reason
        assert r.json()["closed_th"].startswith("ขออภัย")

    async def test_booking_for_tomorrow_closes_at_16_the_day_before(
        self, app_client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        clock.now = bkk(2026, 11, 29, 15, 59)  # Sunday
        assert (await book(app_client)).status_code == 201
        clock.now = bkk(2026, 11, 29, 16, 0)
        r = await book(app_client, phone="0899999999")
        assert r.status_code == 422 and "16.00" in r.json()["detail_th"]


class TestBooking:
    async def test_book_returns_201_with_a_code_and_takes_a_place(
        self, app_client: httpx.AsyncClient
    ) -> None:
        r = await book(app_client)
        assert r.status_code == 201, r.text
        body = r.json()
        assert len(body["code"]) == 8 and body["code"].isdigit()
        assert body["status"] == "booked" and body["time"] == "10:00"
        assert body["phone"] == "0812345678"
        slots = (
            await app_client.get(
                "/api/v1/bookings/slots", params={"service": "birth", "date": MONDAY}
            )
        ).json()["slots"]
        ten = next(s for s in slots if s["time"] == "10:00")
        assert ten["booked"] == 1 and ten["remaining"] == ten["capacity"] - 1
        # Anyone with the code sees it, the phone masked.
        found = (await app_client.get(f"/api/v1/bookings/{body['code']}")).json()
        assert found["phone"] == "•••••••678" and found["service"] == "birth"

    async def test_a_full_slot_is_refused(self, app_client: httpx.AsyncClient) -> None:
        capacity = next(
            s["capacity"]
            for s in (await app_client.get("/api/v1/bookings/services")).json()
            if s["code"] == "birth"
        )
        for i in range(capacity):
            assert (await book(app_client, phone=f"08100000{i:02d}")).status_code == 201
        r = await book(app_client, phone="0819999999")
        assert r.status_code == 409 and "เต็ม" in r.json()["detail_th"]

    async def test_one_phone_holds_at_most_two_bookings_a_day(
        self, app_client: httpx.AsyncClient
    ) -> None:
        assert (await book(app_client, time="09:00")).status_code == 201
        assert (await book(app_client, time="09:30")).status_code == 201
        r = await book(app_client, time="11:00")
        assert r.status_code == 409 and "2" in r.json()["detail_th"]
        # Another day is fine.
        assert (await book(app_client, day="2026-12-01")).status_code == 201

    @pytest.mark.parametrize(
        ("fields", "status", "words"),
        [
            ({"consent": False}, 422, "ยินยอม"),
            ({"phone": "12345"}, 422, "โทรศัพท์"),
            ({"time": "10:10"}, 422, "ช่วงเวลา"),
            ({"service": "nope"}, 404, "บริการ"),
            ({"name": "   "}, 422, "ชื่อ"),
        ],
    )
    async def test_bad_bookings_are_4xx_in_thai(
        self, app_client: httpx.AsyncClient, fields: dict, status: int, words: str
    ) -> None:
        r = await book(app_client, **fields)
        assert r.status_code == status, r.text
        assert words in r.json()["detail_th"]

    async def test_cancel_by_code_frees_the_place(self, app_client: httpx.AsyncClient) -> None:
        code = (await book(app_client)).json()["code"]
        r = await app_client.delete(f"/api/v1/bookings/{code}")
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        again = await app_client.delete(f"/api/v1/bookings/{code}")
        assert again.status_code == 409
        assert (await app_client.delete("/api/v1/bookings/00000000")).status_code == 404

    async def test_move_by_code_keeps_the_code(self, app_client: httpx.AsyncClient) -> None:
        code = (await book(app_client)).json()["code"]
        r = await app_client.patch(
            f"/api/v1/bookings/{code}", json={"date": "2026-12-01", "time": "13:00"}
        )
        assert r.status_code == 200, r.text
        assert r.json()["code"] == code and r.json()["date"] == "2026-12-01"
        assert r.json()["time"] == "13:00"

    async def test_staff_book_for_a_caller_today(
        self, app_client: httpx.AsyncClient, staff1: dict[str, str]
    ) -> None:
        r = await book(app_client, day="2026-11-27", time="14:00", consent=False, headers=staff1)
        assert r.status_code == 201, r.text
        assert r.json()["source"] == "staff"
        listed = (await app_client.get("/api/v1/bookings", headers=staff1)).json()
        assert [b["code"] for b in listed] == [r.json()["code"]]


class TestCheckIn:
    async def test_check_in_gives_a_booked_ticket_then_409(
        self, app_client: httpx.AsyncClient, clock: FakeClock, kiosk: dict[str, str]
    ) -> None:
        code = (await book(app_client)).json()["code"]
        clock.now = bkk(2026, 11, 30, 9, 40)
        r = await app_client.post(f"/api/v1/bookings/{code}/check-in", headers=kiosk)
        assert r.status_code == 201, r.text
        ticket = r.json()
        # The shape of POST /api/v1/tickets.
        walk_in = await app_client.post("/api/v1/tickets", json={"service": "birth"}, headers=kiosk)
        assert set(ticket) == set(walk_in.json())
        assert ticket["service"] == "birth" and ticket["status"] == "waiting"
        assert ticket["booked_for"] is not None
        assert ticket["booked_for"].startswith("2026-11-30T03:00")
        again = await app_client.post(f"/api/v1/bookings/{code}/check-in", headers=kiosk)
        assert again.status_code == 409 and ticket["number"] in again.json()["detail_th"]
        found = (await app_client.get(f"/api/v1/bookings/{code}")).json()
        assert found["status"] == "checked_in" and found["ticket_number"] == ticket["number"]

    @pytest.mark.parametrize(
        ("minutes", "status", "reason"),
        [(-31, 422, "ยังไม่ถึงเวลา"), (-30, 201, None), (15, 201, None), (16, 422, "เลยเวลา")],
    )
    async def test_the_window_is_30_before_to_15_after(
        self,
        app_client: httpx.AsyncClient,
        clock: FakeClock,
        kiosk: dict[str, str],
        minutes: int,
        status: int,
        reason: str | None,
    ) -> None:
        code = (await book(app_client)).json()["code"]
        clock.now = bkk(2026, 11, 30, 10, 0) + timedelta(minutes=minutes)
        r = await app_client.post(f"/api/v1/bookings/{code}/check-in", headers=kiosk)
        assert r.status_code == status, r.text
        if reason:
            assert reason in r.json()["detail_th"]
            assert r.json()["detail_th"].startswith("ขออภัย")

    async def test_late_means_an_ordinary_ticket(
        self, app_client: httpx.AsyncClient, clock: FakeClock, kiosk: dict[str, str]
    ) -> None:
        code = (await book(app_client)).json()["code"]
        clock.now = bkk(2026, 11, 30, 11, 0)
        r = await app_client.post(f"/api/v1/bookings/{code}/check-in", headers=kiosk)
        assert r.status_code == 422 and "บัตรคิวทั่วไป" in r.json()["detail_th"]

    async def test_staff_check_in_and_a_display_may_not(
        self,
        app_client: httpx.AsyncClient,
        clock: FakeClock,
        staff1: dict[str, str],
        database: Database,
    ) -> None:
        from counter.auth import DeviceKind
        from tests.conftest import device_headers

        code = (await book(app_client)).json()["code"]
        clock.now = bkk(2026, 11, 30, 10, 5)
        display = device_headers(database, clock, DeviceKind.DISPLAY)
        assert (
            await app_client.post(f"/api/v1/bookings/{code}/check-in", headers=display)
        ).status_code == 403
        r = await app_client.post(f"/api/v1/bookings/{code}/check-in", headers=staff1)
        assert r.status_code == 201 and r.json()["booked_for"] is not None
