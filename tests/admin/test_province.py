"""The province view: offices share their key metrics with named users, who compare them.
The figures come from the reports engine (tests/reports/test_one_engine.py holds them against
every other surface)."""

from __future__ import annotations

import httpx
import pytest

from tests.admin.conftest import North, assert_thai_error, audit
from tests.conftest import DEMO_PASSWORDS, FakeClock, login


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
        assert demo["code"] == "demo" and demo["issued"] == 2 and demo["served"] == 2
        assert demo["wait"]["median"] == 15 * 60 and demo["wait"]["p90"] == 20 * 60
        assert demo["within_standard_pct"] == 50  # birth's standard is 10 minutes
        assert demo["satisfaction"]["percent"] is None
        assert demo["satisfaction"]["respondents"] == 0

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
        offices = {o["code"]: o for o in r.json()["offices"]}
        assert set(offices) == {"demo", "north"}
        assert offices["north"]["issued"] == 1 and offices["north"]["wait"]["median"] == 3 * 60
        # Another month holds nothing.
        r = await client.get(
            "/api/v1/province/compare",
            params={"from": "2026-10-01", "to": "2026-10-31"},
            headers=north_admin,
        )
        assert {o["issued"] for o in r.json()["offices"]} == {0}

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
        assert [o["code"] for o in r.json()["offices"]] == ["demo"]

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
        shares = (await client.get("/api/v1/admin/province/shares", headers=admin)).json()
        # Another office's account is listed by the name typed, and nothing more.
        assert [(s["username"], s["office_code"]) for s in shares] == [("north_staff", "")]
        r = await client.delete(f"/api/v1/admin/province/shares/{shares[0]['id']}", headers=admin)
        assert r.status_code == 204
        actions = [e["action"] for e in await audit(client, admin, action="province.")]
        assert actions == ["province.revoke", "province.grant"]

    @pytest.mark.parametrize(
        ("params", "thai"),
        [
            ({"from": "2026-11-30", "to": "2026-11-01"}, "วันเริ่มต้น"),
            ({"from": "2024-01-01", "to": "2026-11-01"}, "ยาวเกินไป"),
            ({"from": "2569-11-01", "to": "2569-11-30"}, "พ.ศ."),
        ],
    )
    async def test_a_bad_period_is_refused_in_thai(
        self, client: httpx.AsyncClient, manager: dict[str, str], params: dict[str, str], thai: str
    ) -> None:
        r = await client.get("/api/v1/province/compare", params=params, headers=manager)
        assert_thai_error(r, 422, thai)

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
