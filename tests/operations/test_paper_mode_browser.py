"""Paper mode in a real browser: the kiosk and the hall display say where to get a paper ticket
when the server process is gone, keep retrying, and come back by themselves when it returns."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import seed_demo
from tests.browser_conftest_helpers import artifact, new_context, watch
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.live import LiveServer

pytestmark = pytest.mark.browser

PAPER_TH = "ระบบขัดข้อง กรุณารับบัตรคิวที่โต๊ะประชาสัมพันธ์"
# The kiosk and display retry every few seconds (at most 10 s apart): generous, bounded waits.
RECOVERY_MS = 30_000


@dataclass
class Hall:
    server: LiveServer
    kiosk_token: str
    display_token: str


@pytest.fixture
async def hall(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Hall]:
    path = tmp_path / "paper.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    now = datetime.now(UTC)
    with db.write() as session:
        seed_demo(session, now, passwords=DEMO_PASSWORDS, make_hash=cached_hash)
        _, kiosk = add_device(session, 1, DeviceKind.KIOSK, "kiosk", now, printer="none")
        _, display = add_device(session, 1, DeviceKind.DISPLAY, "hall", now)
    db.dispose()
    server = LiveServer(url)
    await server.astart()
    try:
        yield Hall(server, kiosk, display)
    finally:
        await server.astop()


async def test_the_kiosk_sends_people_to_the_desk_while_the_server_is_down_and_recovers(
    chromium: Browser, hall: Hall
) -> None:
    context = await new_context(chromium, (1080, 1920))
    page = await context.new_page()
    watch(page)
    await page.goto(f"{hall.server.url}/kiosk?token={hall.kiosk_token}")
    offline = page.locator("#screen-offline")
    await expect(page.locator("[data-group=civil_registration]")).to_be_visible()
    await expect(offline).to_be_hidden()

    await hall.server.akill()
    # A citizen taps a service: no ticket can be issued, the kiosk says where to go instead.
    await page.locator("[data-group=civil_registration]").click()
    await page.locator("[data-service=birth]").click()
    await expect(offline).to_be_visible(timeout=RECOVERY_MS)
    await expect(offline).to_contain_text(PAPER_TH)
    assert await page.evaluate("document.body.dataset.connection") == "offline"
    await page.screenshot(path=artifact("kiosk-offline-paper-mode.png"))

    await hall.server.astart()  # the same port, the same database
    await expect(offline).to_be_hidden(timeout=RECOVERY_MS)
    assert await page.evaluate("document.body.dataset.connection") == "live"
    await page.locator("[data-group=civil_registration]").click()
    await page.locator("[data-service=birth]").click()
    await expect(page.locator("#ticket-number")).to_have_text("A001")
    await context.close()


async def test_the_hall_display_shows_paper_mode_while_the_server_is_down_and_recovers(
    chromium: Browser, hall: Hall
) -> None:
    context = await new_context(chromium, (1920, 1080))
    page = await context.new_page()
    watch(page)
    await page.goto(f"{hall.server.url}/display?token={hall.display_token}")
    await page.wait_for_function("() => document.body.dataset.connection === 'live'")
    banner = page.locator("#banner")
    await expect(banner).to_be_hidden()

    await hall.server.akill()
    await expect(banner).to_be_visible(timeout=RECOVERY_MS)
    await expect(banner).to_contain_text(PAPER_TH)
    await page.screenshot(path=artifact("display-offline-paper-mode.png"))

    await hall.server.astart()
    await page.wait_for_function(
        "() => document.body.dataset.connection === 'live'", timeout=RECOVERY_MS
    )
    await expect(banner).to_be_hidden()
    await context.close()
