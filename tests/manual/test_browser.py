"""The citizen manual as people see it: the kiosk's ⓘ opens a large-print panel without taking a
ticket, and the service standards board prints on A4."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from counter.seed import catalogue
from tests.browser.console_fixtures import (
    Office,
    seeded_template_fixture,  # noqa: F401  (fixture)
    start_office,
)
from tests.browser_conftest_helpers import artifact, new_context, watch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
async def site(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Office, str]]:
    """One served demo office for the module: neither test changes it."""
    async with start_office(seeded_template, tmp_path_factory.mktemp("manual")) as office:
        yield office, office.kiosk_token


async def test_the_info_button_opens_the_manual_and_takes_no_ticket(
    chromium: Browser, site: tuple[Office, str]
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
    chromium: Browser, site: tuple[Office, str], tmp_path: Path
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
