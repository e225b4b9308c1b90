"""Fixtures of the console browser tests: a server over a fresh copy of the seeded demo office,
staff signed in through the real login, and helpers to read the console as a person would."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import seed_demo
from tests.browser_conftest_helpers import (
    PageLog,
    artifact,
    new_context,
    watch,
)
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.live import Served, serve

LAPTOP = (1366, 768)
DESKTOP = (1920, 1080)


@dataclass
class Office:
    """A running server over the demo office, with a kiosk and a display paired."""

    server: Served
    kiosk_token: str
    display_token: str

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=10.0, headers=headers or {})

    async def issue(self, service: str = "birth", priority: str | None = None) -> dict:
        """A citizen takes a ticket at the kiosk."""
        async with self.api({"Authorization": f"Bearer {self.kiosk_token}"}) as client:
            body = {"service": service, "priority": priority}
            r = await client.post("/api/v1/tickets", json=body)
            assert r.status_code == 201, r.text
            return dict(r.json())

    async def bearer(self, username: str) -> dict[str, str]:
        async with self.api() as client:
            r = await client.post(
                "/api/v1/auth/login",
                json={"username": username, "password": DEMO_PASSWORDS[username]},
            )
            assert r.status_code == 200, r.text
            return {"Authorization": f"Bearer {r.json()['token']}"}


def seed(url: str) -> tuple[str, str]:
    now = datetime.now(UTC)
    db = Database(url)
    try:
        with db.write() as session:
            seed_demo(session, now, passwords=DEMO_PASSWORDS, make_hash=cached_hash)
            _, kiosk = add_device(session, 1, DeviceKind.KIOSK, "ตู้กดบัตรคิว 1", now)
            _, display = add_device(session, 1, DeviceKind.DISPLAY, "จอห้องโถง", now)
    finally:
        db.dispose()
    return kiosk, display


@pytest.fixture(scope="session", name="browser")
def browser_fixture(chromium: Browser) -> Browser:
    """The run's one chromium (tests/browser_conftest_helpers.py), by the name these tests use."""
    return chromium


@pytest.fixture(scope="session", name="seeded_template")
def seeded_template_fixture(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The migrated demo office, seeded once and copied for every test."""
    path = tmp_path_factory.mktemp("console-template") / "office.db"
    shutil.copy(sqlite_template, path)
    tokens = seed(f"sqlite:///{path}")
    (path.parent / "tokens").write_text("\n".join(tokens))
    return path


@asynccontextmanager
async def start_office(template: Path, folder: Path, **settings: Any) -> AsyncIterator[Office]:
    """A copy of the seeded office served in this process (`settings` as `Settings` takes
    them), stopped on the way out."""
    path = folder / "office.db"
    shutil.copy(template, path)
    kiosk, display = (template.parent / "tokens").read_text().split("\n")
    async with serve(f"sqlite:///{path}", var_dir=folder / "var", **settings) as server:
        yield Office(server, kiosk, display)


@pytest.fixture(name="office")
async def office_fixture(seeded_template: Path, tmp_path: Path) -> AsyncIterator[Office]:
    """A fresh office and server per test: each test starts from nobody at any counter."""
    async with start_office(seeded_template, tmp_path) as started:
        yield started


@pytest.fixture(scope="module", name="office")
async def module_office_fixture(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Office]:
    """One office and server for a whole module (import this instead of `office_fixture`):
    cheaper, for tests that keep out of each other's way (their own counters, services)."""
    async with start_office(seeded_template, tmp_path_factory.mktemp("office")) as started:
        yield started


@dataclass
class Staff:
    """One person at one browser: their own context (cookies), page and console log."""

    context: BrowserContext
    page: Page
    log: PageLog

    async def close(self) -> None:
        await self.context.close()


async def sign_in(
    browser: Browser,
    office: Office,
    username: str,
    *,
    viewport: tuple[int, int] = LAPTOP,
    path: str = "/counter",
    on_the_way: bool = True,
) -> Staff:
    """Sign in through the login page as a person does, and land on `path`: on the way to it
    (`/login?next=path`), or, with `on_the_way=False`, as the role's own start page."""
    context = await new_context(browser, viewport)
    page = await context.new_page()
    log = watch(page)
    await page.goto(f"{office.url}/login" + (f"?next={path}" if on_the_way else ""))
    await page.get_by_label("ชื่อผู้ใช้").fill(username)
    await page.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORDS[username])
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{office.url}{path}")
    return Staff(context, page, log)


async def open_counter(staff: Staff, number: int) -> None:
    """Choose a counter on the chooser with its number key."""
    page = staff.page
    await expect(page.locator("#chooser")).to_be_visible()
    await page.keyboard.press(f"Digit{number}")
    await expect(page.locator("#topbar-counter")).to_contain_text(f"ช่อง {number}")
    await expect(page.locator("#console")).to_be_visible()


async def shot(page: Page, name: str) -> Path:
    path = artifact(name)
    await page.screenshot(path=str(path), full_page=False)
    return path
