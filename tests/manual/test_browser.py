"""The citizen manual as people see it: the kiosk's ⓘ opens a large-print panel without taking a
ticket, and the service standards board prints on A4."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import catalogue, seed_demo
from tests.browser_conftest_helpers import artifact, new_context, watch
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.live import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
async def site(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[tuple[LiveServer, str]]:
    path = tmp_path / "manual.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    with db.write() as session:
        seed_demo(session, datetime.now(UTC), passwords=DEMO_PASSWORDS, make_hash=cached_hash)
        _, token = add_device(session, 1, DeviceKind.KIOSK, "front", datetime.now(UTC))
    db.dispose()
    live = LiveServer(url)
    await live.astart()
    try:
        yield live, token
    finally:
        await live.astop()


async def test_the_info_button_opens_the_manual_and_takes_no_ticket(
    chromium: Browser, site: tuple[LiveServer, str]
) -> None:
    server, token = site
    context = await new_context(chromium, (1080, 1920))
    page = await context.new_page()
    page.set_default_timeout(10_000)
    log = watch(page)
    await page.goto(f"{server.url}/kiosk?token={token}")
    await page.locator("[data-group=civil_registration]").click()
    await page.locator("[data-info=birth]").click()
    panel = page.locator("#screen-manual")
    await expect(panel).to_be_visible()
    await expect(page.locator("#manual-minutes")).to_contain_text("10 นาที")
    await expect(page.locator("#manual-documents li")).to_have_count(2)
    await page.screenshot(path=artifact("kiosk-manual-portrait.png"))
    await page.locator("#manual-close").click()
    await expect(panel).to_be_hidden()
    await expect(page.locator("#screen-ticket")).to_be_hidden()
    assert not [u for u in log.requests if u.endswith("/api/v1/tickets")]
    assert log.errors == []
    await context.close()


async def test_the_standards_board_prints_on_a4(
    chromium: Browser, site: tuple[LiveServer, str], tmp_path: Path
) -> None:
    server, _ = site
    context = await new_context(chromium, (1240, 1754))
    page = await context.new_page()
    await page.goto(f"{server.url}/standards")
    await expect(page.locator("tbody tr")).to_have_count(len(catalogue()))
    pdf = artifact("standards-board.pdf")
    await page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout and "594.96 x 841.92" in info.stdout  # portrait, in points
    pages = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )
    assert 1 <= pages <= 3
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(artifact("standards-board"))], check=True
    )
    await context.close()
