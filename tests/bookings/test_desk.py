"""The staff side of booking: the console's panel and the desk page, and the counter setting
that bounds booked tickets in a row (Admin → Counters)."""

from __future__ import annotations

import httpx
import pytest

from tests.bookings.conftest import book
from tests.conftest import sign_in

pytestmark = pytest.mark.usefixtures("demo")


async def test_the_console_loads_the_bookings_panel_which_lists_today(
    app_client: httpx.AsyncClient, staff1: dict[str, str]
) -> None:
    made = await book(app_client, day="2026-11-27", time="15:00", consent=False, headers=staff1)
    assert made.status_code == 201, made.text
    await sign_in(app_client, "staff1")
    console = await app_client.get("/counter")
    assert console.status_code == 200
    assert '<script src="/static/bookings/desk.js"></script>' in console.text
    assert 'id="console-panels"' in console.text
    panel = await app_client.get("/bookings/panel")
    assert panel.status_code == 200
    assert "นัดหมายวันนี้" in panel.text and made.json()["code_text"] in panel.text
    assert f'data-check-in="{made.json()["code"]}"' in panel.text
    desk = await app_client.get("/bookings")
    assert desk.status_code == 200
    # Staff see neither the import nor the rules.
    assert 'id="bk-import"' not in desk.text and 'id="bk-rules-card"' not in desk.text


async def test_the_admin_desk_has_the_import_and_the_rules(app_client: httpx.AsyncClient) -> None:
    await sign_in(app_client, "admin")
    desk = await app_client.get("/bookings")
    assert desk.status_code == 200
    assert 'id="bk-import"' in desk.text and 'data-service="birth"' in desk.text


async def test_booked_in_row_is_a_counter_setting(
    app_client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    counters = (await app_client.get("/api/v1/admin/counters", headers=admin)).json()
    first = counters[0]
    assert first["booked_in_row"] == 2
    r = await app_client.patch(
        f"/api/v1/admin/counters/{first['id']}", json={"booked_in_row": 1}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["booked_in_row"] == 1
    bad = await app_client.patch(
        f"/api/v1/admin/counters/{first['id']}", json={"booked_in_row": 99}, headers=admin
    )
    assert bad.status_code == 422
