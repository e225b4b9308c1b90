"""The public complaint form on a phone (390×844) in a real browser: from a ticket's status page
to a tracking code, and the code looked up again; the staff register then acknowledges it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.console_fixtures import (
    Office,
    seeded_template_fixture,  # noqa: F401  (fixture)
    start_office,
)
from tests.browser_conftest_helpers import artifact, new_context, watch
from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser

PHONE = (390, 844)


@pytest.fixture
async def server(seeded_template: Path, tmp_path: Path) -> AsyncIterator[Office]:
    async with start_office(seeded_template, tmp_path) as office:
        yield office


async def test_a_citizen_complains_from_the_status_page_on_a_phone(
    chromium: Browser, server: Office
) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        r = await client.post(
            "/api/v1/auth/login",
            json={"username": "staff1", "password": DEMO_PASSWORDS["staff1"]},
        )
        staff = {"Authorization": f"Bearer {r.json()['token']}"}
        ticket = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=staff)
        status_url = ticket.json()["status_url"]

    context = await new_context(chromium, PHONE)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    log = watch(page)
    await page.goto(server.url + "/t/" + status_url.rstrip("/").rsplit("/", 1)[-1])
    await page.locator("#s-complaint").click()
    await expect(page.locator("h1")).to_contain_text("แจ้งข้อร้องเรียน")
    # Nothing sticks out sideways on a phone.
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    await page.screenshot(path=artifact("complaint-form-phone.png"), full_page=True)

    # Sending with a contact but without consent is refused with the reason in Thai.
    await page.locator("input[name=category][value=delay]").check()
    await page.locator("#c-text").fill("รอคิวนานกว่า 1 ชั่วโมง ช่องบริการ 2 ปิดไปนาน")
    await page.locator("#c-contact").fill("081-234-5678")
    await page.locator(".c-submit").click()
    await expect(page.locator("#c-error")).to_contain_text("ยินยอม")
    # What was typed is still there.
    await expect(page.locator("#c-text")).to_have_value("รอคิวนานกว่า 1 ชั่วโมง ช่องบริการ 2 ปิดไปนาน")
    await page.locator("input[name=consent]").check()
    await page.locator(".c-submit").click()

    code = (await page.locator("#c-code-value").text_content() or "").strip()
    assert len(code) == 9
    await expect(page.locator("#c-state")).to_contain_text("รับเรื่องแล้ว")
    assert "081-234-5678" not in await page.content()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    await page.screenshot(path=artifact("complaint-status-phone.png"), full_page=True)

    # Looked up again later by typing the code in lower case without the dash.
    await page.goto(server.url + "/complaint")
    await page.locator("#c-code").fill(code.lower().replace("-", ""))
    await page.locator(".c-lookup button").click()
    await expect(page.locator("#c-code-value")).to_have_text(code)
    # The refused first try is a 422 page, which the browser logs; nothing else went wrong.
    assert [e for e in log.errors if "422" not in e] == []

    # The staff register shows it; a click acknowledges it.
    staff_context = await new_context(chromium, (1280, 900))
    desk = await staff_context.new_page()
    desk.set_default_timeout(10_000)
    await desk.goto(server.url + "/login?next=/complaints")
    await desk.locator("input[name=username]").fill("staff1")
    await desk.locator("input[name=password]").fill(DEMO_PASSWORDS["staff1"])
    await desk.locator("form button[type=submit]").click()
    item = desk.locator(f".cr-item[data-code='{code}']")
    await expect(item).to_be_visible()
    await item.locator("button[data-step=acknowledge]").click()
    await expect(desk.locator(f".cr-item[data-code='{code}']")).to_contain_text("ตอบรับเรื่องแล้ว")
    await desk.screenshot(path=artifact("complaint-register.png"), full_page=True)
    await staff_context.close()
    await context.close()
