"""Dates are entered the Thai way — day, month name, Buddhist Era year — on the reports and admin
pages (counter/static/thai-date.js, one component for every date field), and reach the server
as the right ISO date in the Common Era."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser_conftest_helpers import (
    artifact,
    chromium,  # noqa: F401  (session fixture)
    new_context,
    watch,
)
from tests.conftest import DEMO_PASSWORDS
from tests.live import Served, serve

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
async def server(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Served]:
    tmp = tmp_path_factory.mktemp("thai-date")
    shutil.copy(seeded_template, tmp / "office.db")
    async with serve(f"sqlite:///{tmp / 'office.db'}", var_dir=tmp / "var") as served:
        yield served


async def token_of(server: Served, user: str) -> str:
    async with httpx.AsyncClient(base_url=server.url) as client:
        r = await client.post(
            "/api/v1/auth/login", json={"username": user, "password": DEMO_PASSWORDS[user]}
        )
    token: str = r.json()["token"]
    return token


@pytest.fixture
async def page(
    request: pytest.FixtureRequest,
    chromium: Browser,  # noqa: F811
    server: Served,
) -> AsyncIterator[Page]:
    """A page signed in as the demo user a test names: parametrize("page", [user], indirect)."""
    context = await new_context(chromium, (1366, 900))
    token = await token_of(server, request.param)
    await context.add_cookies([{"name": "saduak_session", "value": token, "url": server.url}])
    page = await context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        await context.close()


def signed_in_as(user: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("page", [user], indirect=True)


async def enter(
    page: Page, name: str, day: int, month: int, year_be: str, time: str | None = None
) -> None:
    """Type a date (and the time, in a date-and-time field) into the Thai date entry that stands
    in for the field called `name`."""
    box = page.locator(f"input[name={name}] + .thai-date")
    await box.locator(".td-day").select_option(str(day))
    await box.locator(".td-month").select_option(str(month))
    await box.locator(".td-year").fill(year_be)
    if time is None:
        await box.locator(".td-year").press("Tab")
    else:
        await box.locator(".td-time").fill(time)


@signed_in_as("manager")
async def test_a_custom_report_range_in_thai_dates_reaches_the_server_in_iso(
    page: Page, server: Served
) -> None:
    log = watch(page)
    await page.goto(f"{server.url}/reports")
    # No browser calendar left: every date field is the Thai entry.
    assert await page.locator("input[type=date]").count() == 0
    month_names = await page.locator(".only-anchor .td-month option").all_text_contents()
    assert month_names[1:4] == ["ม.ค.", "ก.พ.", "มี.ค."]
    await page.locator("#period-kind").select_option("custom")
    await expect(page.locator("input[name=from] + .thai-date .td-day")).to_be_enabled()
    await enter(page, "from", 5, 3, "2569")
    await enter(page, "to", 20, 3, "2569")
    await page.screenshot(
        path=artifact("thai-date-reports.png"), clip={"x": 0, "y": 0, "width": 1366, "height": 200}
    )
    await page.locator("form.filters button[type=submit]").click()
    await page.wait_for_load_state("load")
    query = parse_qs(urlparse(page.url).query)
    assert query["from"] == ["2026-03-05"] and query["to"] == ["2026-03-20"], page.url
    assert "anchor" not in query and "on" not in query  # the disabled anchor date is not sent
    # The page shows the range it was given, back in Thai dates.
    box = page.locator("input[name=from] + .thai-date")
    assert await box.locator(".td-year").input_value() == "2569"
    assert await box.locator(".td-month").input_value() == "3"
    assert not log.errors, log.errors


@signed_in_as("admin")
async def test_a_holiday_entered_in_thai_is_stored_as_its_iso_day(
    page: Page, server: Served
) -> None:
    await page.goto(f"{server.url}/admin/office?year=2569")
    # 31 February does not exist: the entry says so and sends nothing.
    await enter(page, "day", 31, 2, "2569")
    assert await page.locator("input[name=day]").input_value() == ""
    await expect(page.locator("input[name=day] + .thai-date")).to_have_class("thai-date invalid")
    await enter(page, "day", 5, 12, "2569")
    assert await page.locator("input[name=day]").input_value() == "2026-12-05"
    await page.locator("input[name=name]").fill("วันพ่อแห่งชาติ")
    await page.locator("#holidays .inline-form button[type=submit]").click()
    await expect(page.locator("#holidays tbody")).to_contain_text("วันพ่อแห่งชาติ")
    token = await token_of(server, "admin")
    async with httpx.AsyncClient(base_url=server.url) as client:
        office = await client.get(
            "/api/v1/admin/office", headers={"Authorization": f"Bearer {token}"}
        )
    days = {h["day"]: h["name"] for h in office.json()["holidays"]}
    assert days["2026-12-05"] == "วันพ่อแห่งชาติ"


@signed_in_as("manager")
async def test_an_incident_time_entered_in_thai_reaches_the_server_as_iso(
    page: Page, server: Served
) -> None:
    """A date-and-time field (the incident log): the same entry with a 24-hour time."""
    await page.goto(f"{server.url}/operations")
    form = page.locator("form[data-record]")
    await enter(page, "started_at", 3, 12, "2569", time="09.15")
    assert await form.locator("input[name=started_at]").input_value() == "2026-12-03T09:15"
    await form.locator("input[name=summary]").fill("เครื่องพิมพ์ตู้ 1 กระดาษติด")
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state("load")
    await expect(page.locator("tr[data-incident]").first).to_contain_text("กระดาษติด")
    await expect(page.locator("tr[data-incident]").first).to_contain_text("09.15")
