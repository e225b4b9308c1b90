"""Playwright (async API) with Debian's chromium, for any test package's conftest:

    from tests.browser_conftest_helpers import chromium  # noqa: F401  (the session fixture)

    async def test_x(chromium):
        page = await open_page(chromium, url, viewport=(1920, 1080))

Never `playwright install`: the browser is the distribution's /usr/bin/chromium
(scripts/system-deps.sh test installs it). A missing chromium fails the tests, never skips them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Kiosk and TV browsers run with this flag; without it audio stays suspended until a click.
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


async def launch_chromium(playwright: Any, *, autoplay: bool = True, **kwargs: Any) -> Browser:
    """Debian's chromium; `autoplay=False` launches it as a plain desktop browser would run, where
    audio stays locked until someone clicks."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium "
            "fonts-liberation fonts-thai-tlwg (or scripts/system-deps.sh test)"
        )
    args = CHROMIUM_ARGS if autoplay else [a for a in CHROMIUM_ARGS if "autoplay" not in a]
    browser: Browser = await playwright.chromium.launch(
        executable_path=CHROMIUM, args=args, **kwargs
    )
    return browser


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        yield browser
        await browser.close()


@pytest.fixture
async def close_what_the_test_opened(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Closes the browser contexts a test (or its function-scoped fixtures) opened and left open.
    An open page keeps its timers, reconnect loops and renderer process running in the run's one
    chromium for the rest of the run. Given to every test of the `browser` mark (conftest)."""
    if "chromium" not in request.fixturenames:
        yield
        return
    browser: Browser = request.getfixturevalue("chromium")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            await context.close()


@dataclass
class PageLog:
    """What a page reported: console errors, uncaught exceptions, and every request's URL."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def watch(page: Page) -> PageLog:
    log = PageLog()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.errors.append(f"uncaught: {exc}"))
    page.on("request", lambda request: log.requests.append(request.url))
    return log


async def new_context(browser: Browser, viewport: tuple[int, int] = (1280, 720)) -> BrowserContext:
    """A fresh profile: its own storage, as a separate device would have."""
    width, height = viewport
    return await browser.new_context(viewport={"width": width, "height": height}, locale="th-TH")


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


async def broken_phrases(page: Page) -> list[str]:
    """Thai phrases (`.ph`, Saduak.phrases) that the browser broke across lines although they
    fit on one: there a line ended inside a word. Empty when every line breaks between phrases."""
    broken: list[str] = await page.evaluate(
        """() => [...document.querySelectorAll(".ph")]
            .filter((span) => span.offsetParent !== null)
            .filter((span) => {
                const range = document.createRange();
                range.selectNodeContents(span);
                const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                // The phrase's width on one line, against the width its line box offers.
                const kept = span.style.whiteSpace;
                span.style.whiteSpace = "nowrap";
                const natural = span.getBoundingClientRect().width;
                span.style.whiteSpace = kept;
                const room = span.parentElement.getBoundingClientRect().width;
                return tops.size > 1 && natural <= room;
            })
            .map((span) => span.textContent)"""
    )
    return broken
