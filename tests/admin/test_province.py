"""The province view: offices share their key metrics with named users, who compare them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from admin.metrics import Event, Standards, office_metrics, percentile
from tests.admin.conftest import North, assert_thai_error, audit
from tests.conftest import DEMO_PASSWORDS, FakeClock, login

T0 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def events(*rows: tuple[int, int, str, float, int]) -> list[Event]:
    return [
        Event(ticket, tx, kind, at(minute), service) for ticket, tx, kind, minute, service in rows
    ]


STANDARDS = {1: Standards(standard_minutes=15, wait_target_minutes=15), 2: Standards(10, 5)}


class TestMetrics:
    def test_wait_runs_from_issue_to_the_call_that_led_to_service(self) -> None:
        m = office_metrics(
            events(
                (1, 1, "issued", 0, 1),
                (1, 1, "called", 10, 1),
                (1, 1, "no_show", 12, 1),
                (1, 1, "reactivated", 20, 1),
                (1, 1, "called", 30, 1),
                (1, 1, "started", 31, 1),
                (1, 1, "finished", 36, 1),
            ),
            STANDARDS,
        )
        assert m.tickets == 1 and m.served == 1
        assert m.wait_median_minutes == 30
        assert m.within_target_pct == 0 and m.within_standard_pct == 100

    def test_held_time_is_not_service_time(self) -> None:
        m = office_metrics(
            events(
                (1, 1, "issued", 0, 1),
                (1, 1, "called", 5, 1),
                (1, 1, "started", 6, 1),
                (1, 1, "held", 15, 1),
                (1, 1, "unheld", 40, 1),
                (1, 1, "started", 41, 1),
                (1, 1, "finished", 47, 1),
            ),
            STANDARDS,
        )
        # 9 + 6 = 15 minutes of service: within the 15-minute standard despite the long hold.
        assert m.within_standard_pct == 100
        assert m.wait_median_minutes == 5

    def test_a_transfer_is_two_transactions_of_one_ticket(self) -> None:
        m = office_metrics(
            events(
                (1, 1, "issued", 0, 1),
                (1, 1, "called", 4, 1),
                (1, 1, "started", 5, 1),
                (1, 1, "transferred", 25, 1),
                (1, 2, "requeued", 25, 2),
                (1, 2, "called", 35, 2),
                (1, 2, "started", 36, 2),
                (1, 2, "finished", 40, 2),
            ),
            STANDARDS,
        )
        assert m.tickets == 1 and m.served == 2 and m.waits == 2
        assert m.wait_median_minutes == 7  # waits 4 and 10
        assert m.within_standard_pct == 50  # 20 > 15, then 4 <= 10
        assert m.within_target_pct == 50  # 4 <= 15, then 10 > 5

    def test_unserved_tickets_count_as_volume_only(self) -> None:
        m = office_metrics(
            events((1, 1, "issued", 0, 1), (2, 1, "issued", 1, 1), (2, 1, "cancelled", 3, 1)),
            STANDARDS,
        )
        assert m.tickets == 2 and m.served == 0 and m.wait_median_minutes is None
        assert m.within_standard_pct is None

    def test_p90_is_a_value_that_occurred(self) -> None:
        assert percentile([float(n) for n in range(1, 11)], 90) == 9
        assert percentile([4.0], 90) == 4
        assert percentile([], 90) is None


async def serve_one(
    client: httpx.AsyncClient,
    clock: FakeClock,
    issuer: dict[str, str],
    worker: dict[str, str],
    service: str,
    counter: int,
    wait: float,
    service_minutes: float,
) -> None:
    r = await client.post("/api/v1/tickets", json={"service": service}, headers=issuer)
    assert r.status_code == 201, r.text
    clock.advance(minutes=wait)
    ticket = (await client.post(f"/api/v1/counters/{counter}/call-next", headers=worker)).json()
    await client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=worker)
    clock.advance(minutes=service_minutes)
    r = await client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=worker)
    assert r.status_code == 200, r.text


@pytest.fixture
async def two_busy_offices(
    client: httpx.AsyncClient, clock: FakeClock, north: North, admin: dict[str, str]
) -> None:
    staff1 = await login(client, "staff1", DEMO_PASSWORDS["staff1"])
    north_staff = await login(client, "north_staff", north.passwords["north_staff"])
    await serve_one(client, clock, admin, staff1, "birth", 1, wait=10, service_minutes=5)
    await serve_one(client, clock, admin, staff1, "birth", 1, wait=20, service_minutes=15)
    await serve_one(client, clock, north.kiosk, north_staff, "north_secret", 1, 3, 4)


class TestComparison:
    async def test_a_manager_sees_their_own_office(
        self, client: httpx.AsyncClient, manager: dict[str, str], two_busy_offices: None
    ) -> None:
        r = await client.get("/api/v1/province/compare", headers=manager)
        assert r.status_code == 200, r.text
        [demo] = r.json()["offices"]
        assert demo["office"] == "demo" and demo["tickets"] == 2 and demo["served"] == 2
        assert demo["wait_median_minutes"] == 15 and demo["wait_p90_minutes"] == 20
        assert demo["within_standard_pct"] == 50  # birth's standard is 10 minutes
        assert demo["satisfaction_pct"] is None

    async def test_a_province_user_compares_the_offices_that_shared_with_them(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        north: North,
        two_busy_offices: None,
    ) -> None:
        north_admin = await login(client, "north_admin", north.passwords["north_admin"])
        r = await client.post(
            "/api/v1/admin/province/shares", json={"username": "north_admin"}, headers=admin
        )
        assert r.status_code == 201, r.text
        r = await client.get(
            "/api/v1/province/compare",
            params={"from": "2026-11-01", "to": "2026-11-30"},
            headers=north_admin,
        )
        offices = {o["office"]: o for o in r.json()["offices"]}
        assert set(offices) == {"demo", "north"}
        assert offices["north"]["tickets"] == 1 and offices["north"]["wait_median_minutes"] == 3
        # Another month holds nothing.
        r = await client.get(
            "/api/v1/province/compare",
            params={"from": "2026-10-01", "to": "2026-10-31"},
            headers=north_admin,
        )
        assert {o["tickets"] for o in r.json()["offices"]} == {0}

    async def test_staff_without_a_share_may_not_compare(
        self, client: httpx.AsyncClient, north: North, admin: dict[str, str]
    ) -> None:
        north_staff = await login(client, "north_staff", north.passwords["north_staff"])
        r = await client.get("/api/v1/province/compare", headers=north_staff)
        assert_thai_error(r, 403, "สิทธิ์เปรียบเทียบ")
        await client.post(
            "/api/v1/admin/province/shares", json={"username": "north_staff"}, headers=admin
        )
        r = await client.get("/api/v1/province/compare", headers=north_staff)
        assert [o["office"] for o in r.json()["offices"]] == ["demo"]

    async def test_shares_are_granted_and_removed_with_an_audit_trail(
        self, client: httpx.AsyncClient, admin: dict[str, str], north: North
    ) -> None:
        r = await client.post(
            "/api/v1/admin/province/shares", json={"username": "north_staff"}, headers=admin
        )
        assert r.status_code == 201
        again = await client.post(
            "/api/v1/admin/province/shares", json={"username": "north_staff"}, headers=admin
        )
        assert_thai_error(again, 409, "อยู่แล้ว")
        nobody = await client.post(
            "/api/v1/admin/province/shares", json={"username": "ghost"}, headers=admin
        )
        assert_thai_error(nobody, 404, "ghost")
        shares = (await client.get("/api/v1/admin/province/shares", headers=admin)).json()
        assert [(s["username"], s["office_code"]) for s in shares] == [("north_staff", "north")]
        r = await client.delete(f"/api/v1/admin/province/shares/{north.staff_id}", headers=admin)
        assert r.status_code == 204
        actions = [e["action"] for e in await audit(client, admin, action="province.")]
        assert actions == ["province.revoke", "province.grant"]

    @pytest.mark.parametrize(
        "params",
        [{"from": "2026-11-30", "to": "2026-11-01"}, {"from": "2025-01-01", "to": "2026-11-01"}],
    )
    async def test_a_bad_period_is_refused_in_thai(
        self, client: httpx.AsyncClient, manager: dict[str, str], params: dict[str, str]
    ) -> None:
        r = await client.get("/api/v1/province/compare", params=params, headers=manager)
        assert_thai_error(r, 422, "ช่วงวันที่")

    async def test_the_comparison_page_shows_the_table(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        north: North,
        two_busy_offices: None,
    ) -> None:
        await client.post(
            "/api/v1/admin/province/shares", json={"username": "north_admin"}, headers=admin
        )
        north_admin = await login(client, "north_admin", north.passwords["north_admin"])
        r = await client.get("/province", headers=north_admin)
        assert r.status_code == 200
        assert 'data-office="demo"' in r.text and 'data-office="north"' in r.text
        assert "ความพึงพอใจ" in r.text
