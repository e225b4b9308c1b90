"""Staff assessment: per staff member figures against a hand count of one working morning, and
who may see them (the office head only)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import DEMO_PASSWORDS, FakeClock, login

pytestmark = pytest.mark.usefixtures("demo")

DAY = "2026-11-27"


async def as_(client: httpx.AsyncClient, who: str) -> dict[str, str]:
    return await login(client, who, DEMO_PASSWORDS[who])


async def test_per_staff_figures_match_a_hand_count(
    app_client: httpx.AsyncClient, clock: FakeClock
) -> None:
    s1, s2 = await as_(app_client, "staff1"), await as_(app_client, "staff2")
    manager = await as_(app_client, "manager")
    post = app_client.post
    tickets = [
        (await post("/api/v1/tickets", json={"service": "birth"}, headers=s1)).json()
        for _ in range(4)
    ]
    assert (await post("/api/v1/counters/1/open", headers=s1)).status_code == 204
    assert (await post("/api/v1/counters/2/open", headers=s2)).status_code == 204

    async def serve(headers: dict[str, str], counter: int, minutes: float) -> dict:
        called = (await post(f"/api/v1/counters/{counter}/call-next", headers=headers)).json()
        await post(f"/api/v1/tickets/{called['id']}/start", headers=headers)
        clock.advance(minutes=minutes)
        return called

    # staff1: one service within the 10-minute standard of birth registration, one over it.
    first = await serve(s1, 1, 5)
    await post(f"/api/v1/tickets/{first['id']}/finish", headers=s1)
    second = await serve(s1, 1, 15)
    await post(f"/api/v1/tickets/{second['id']}/finish", headers=s1)
    # staff1 calls a third who never comes; then takes a 10-minute break.
    third = (await post("/api/v1/counters/1/call-next", headers=s1)).json()
    assert (await post(f"/api/v1/tickets/{third['id']}/no-show", headers=s1)).status_code == 200
    await post("/api/v1/counters/1/pause", json={"reason": "break"}, headers=s1)
    clock.advance(minutes=10)
    await post("/api/v1/counters/1/resume", headers=s1)
    # staff2 serves the fourth for 3 minutes, then sends it on to the ID card line.
    fourth = await serve(s2, 2, 3)
    r = await post(
        f"/api/v1/tickets/{fourth['id']}/transfer", json={"service": "id_card_first"}, headers=s2
    )
    assert r.status_code == 200, r.text
    clock.advance(minutes=2)
    await post("/api/v1/counters/1/close", headers=s1)
    await post("/api/v1/counters/2/close", headers=s2)
    assert {t["id"] for t in tickets} == {first["id"], second["id"], third["id"], fourth["id"]}

    # The first citizen rates every item 4.
    token = first["status_url"].rstrip("/").rsplit("/", 1)[-1]
    form = (await app_client.get(f"/api/v1/survey/{token}")).json()
    answers = {item["code"]: 4 for item in form["items"]}
    assert (await post(f"/api/v1/survey/{token}", json={"answers": answers})).status_code == 201

    r = await app_client.get(f"/api/v1/reports/staff?from={DAY}&to={DAY}", headers=manager)
    assert r.status_code == 200, r.text
    rows = {row["name"]: row for row in r.json()["staff"]}
    one, two = rows["เจ้าหน้าที่ 1"], rows["เจ้าหน้าที่ 2"]

    assert one["transactions"] == 2 and one["within_standard"] == 1
    assert one["within_standard_pct"] == pytest.approx(50.0)
    assert one["no_show"] == 1 and one["no_show_pct"] == pytest.approx(100 / 3)
    assert one["transferred"] == 0 and one["transfer_pct"] == pytest.approx(0.0)
    assert one["satisfaction"]["respondents"] == 1
    assert one["satisfaction"]["percent"] == pytest.approx(80.0)
    # Counter 1 was open from the start to the close: 5 + 15 + 10 + 3 + 2 minutes.
    assert one["open_s"] == 35 * 60
    assert one["paused_s"] == 600 and one["paused_by_reason"] == {"break": 600}

    assert two["transactions"] == 1 and two["transferred"] == 1
    assert two["transfer_pct"] == pytest.approx(100.0)
    assert two["no_show"] == 0 and two["satisfaction"] is None
    assert two["open_s"] == 35 * 60 and two["paused_s"] == 0

    page = await app_client.get(f"/reports/staff?from={DAY}&to={DAY}")  # manager's cookie
    assert page.status_code == 200 and 'id="staff-table"' in page.text
    assert "เจ้าหน้าที่ 1" in page.text and "50.0" in page.text


@pytest.mark.parametrize("who", ["staff1", "admin"])
async def test_only_the_office_head_sees_staff_figures(
    app_client: httpx.AsyncClient, who: str
) -> None:
    headers = await as_(app_client, who)
    r = await app_client.get(f"/api/v1/reports/staff?from={DAY}&to={DAY}", headers=headers)
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    page = await app_client.get(f"/reports/staff?from={DAY}&to={DAY}")
    assert page.status_code == 403
