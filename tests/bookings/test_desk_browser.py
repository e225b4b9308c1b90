"""The bookings desk in a real browser: staff book for a caller from the console's panel and
check the booking in; the admin's desk shows the import and the rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from counter.settings import Settings
from saduak.app import create_app
from tests.bookings.conftest import bkk
from tests.browser_conftest_helpers import artifact, new_context, watch
from tests.conftest import DEMO_PASSWORDS, FakeClock, seeded_sqlite
from tests.live import served_in_process

pytestmark = pytest.mark.browser


@pytest.fixture
async def base(tmp_path: Path, sqlite_template: Path, clock: FakeClock) -> AsyncIterator[str]:
    url = seeded_sqlite(tmp_path / "desk.db", sqlite_template, clock())
    settings = Settings(database_url=url, bus_url="", public_url="http://127.0.0.1")
    async with served_in_process(create_app(settings, clock=clock)) as served:
        yield served


async def test_staff_book_for_a_caller_from_the_console_and_check_in(
    chromium: Browser, base: str, clock: FakeClock
) -> None:
    clock.now = bkk(2026, 11, 30, 9, 0)  # Monday
    context = await new_context(chromium, (1366, 900))
    login = await context.request.post(
        f"{base}/api/v1/auth/login",
        data={"username": "staff1", "password": DEMO_PASSWORDS["staff1"]},
    )
    assert login.ok
    page = await context.new_page()
    page.set_default_timeout(10_000)
    log = watch(page)
    await page.goto(f"{base}/counter")
    # The console's chooser first: sit at counter 1, then the panel is beside the line.
    await page.locator("#counter-grid .counter-card").first.click()
    await expect(page.locator("#console")).to_be_visible()
    panel = page.locator("#bk-desk")
    await expect(panel).to_contain_text("นัดหมายวันนี้")
    await page.locator("#bk-book-open").click()
    await page.locator("#bk-service").select_option("birth")
    await expect(page.locator("#bk-time option[value='09:30']")).to_have_count(1)
    await page.locator("#bk-time").select_option("09:30")
    await page.locator("#bk-name").fill("นายโทร มาจอง")
    await page.locator("#bk-phone").fill("0891112222")
    await page.screenshot(path=artifact("booking-console-dialog.png"))
    await page.locator("#bk-save").click()
    await expect(page.locator("#bk-ok")).to_contain_text("รหัสนัดหมาย")
    item = page.locator(".bk-item[data-status=booked]")
    await expect(item).to_contain_text("นายโทร มาจอง")
    await item.locator("[data-check-in]").click()
    await expect(page.locator("#bk-ok")).to_contain_text("ออกบัตรคิว A")
    await expect(page.locator(".bk-item[data-status=checked_in]")).to_have_count(1)
    # The booked ticket waits in the console's line, marked with its slot.
    await expect(page.locator("#waiting-list .booked")).to_contain_text("ตามนัด 09.30")
    await page.screenshot(path=artifact("booking-console-panel.png"))
    assert log.errors == []
