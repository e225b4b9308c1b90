"""The LINE button on a phone (390×844) in a real browser: the status page offers "แจ้งเตือนผ่าน
LINE", the (fake) LINE chat opens with the prepared message, sending it links the ticket, and the
status page then says notifications are on. Screenshots go to tests/artifacts."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from counter.auth import DeviceKind, add_device
from counter.db import Database
from counter.seed import seed_demo
from counter.settings import Settings
from line import text
from line.fake import DEMO_USER, FakeLine, FakeLineServer
from saduak.app import create_app
from tests.browser_conftest_helpers import artifact, chromium, new_context, watch  # noqa: F401
from tests.conftest import DEMO_PASSWORDS, cached_hash
from tests.line.conftest import SECRET, TOKEN, connect_line, wait_until
from tests.live import served_in_process

pytestmark = pytest.mark.browser

PHONE = (390, 844)


@dataclass
class Site:
    url: str
    fake: FakeLine
    app: Any


@pytest.fixture
async def site(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Site]:
    path = tmp_path / "line.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    with db.write() as session:
        seed_demo(session, datetime.now(UTC), passwords=DEMO_PASSWORDS, make_hash=cached_hash)
    db.dispose()
    fake = FakeLine(access_token=TOKEN, channel_secret=SECRET)
    server = FakeLineServer(fake).start()
    settings = Settings(
        database_url=url,
        bus_url="",
        line_api_url=server.url,
        line_chat_url=f"{server.url}/oaMessage",
        line_timeout_seconds=2,
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app), served_in_process(app) as base:
            fake.webhook_url = f"{base}/line/webhook/demo"
            yield Site(base, fake, app)
    finally:
        server.stop()


async def test_a_citizen_turns_on_line_notifications_from_the_status_page(
    chromium: Browser,  # noqa: F811
    site: Site,
) -> None:
    async with httpx.AsyncClient(base_url=site.url) as client:
        r = await client.post(
            "/api/v1/auth/login",
            json={"username": "admin", "password": DEMO_PASSWORDS["admin"]},
        )
        admin = {"Authorization": f"Bearer {r.json()['token']}"}
        await connect_line(client, admin)
        with site.app.state.db.write() as session:
            _, kiosk_token = add_device(session, 1, DeviceKind.KIOSK, "k", datetime.now(UTC))
        kiosk = {"Authorization": f"Bearer {kiosk_token}"}
        for _ in range(2):
            r = await client.post("/api/v1/tickets", json={"service": "birth"}, headers=kiosk)
        ticket = r.json()
        token = ticket["status_url"].rsplit("/", 1)[-1]

    context = await new_context(chromium, PHONE)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    log = watch(page)
    await page.goto(f"{site.url}/t/{token}")
    button = page.locator("#s-line")
    await expect(button).to_be_visible()
    await expect(button).to_contain_text(text.NOTIFY_BUTTON[0])
    await page.screenshot(path=str(artifact("line-status-button-phone.png")), full_page=True)
    box = await button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300

    await button.click()
    # The (fake) LINE chat, with the message prepared: the ticket's number and a one-time code.
    prepared = page.locator("textarea[name=text]")
    await expect(prepared).to_contain_text(ticket["number"])
    await page.screenshot(path=str(artifact("line-chat-prepared-phone.png")))
    await page.locator("button[type=submit]").click()
    await wait_until(
        lambda: any("เชื่อมต่อบัตรคิว" in t for s in site.fake.replies(DEMO_USER) for t in s.texts)
    )
    # One ahead (threshold 3): the "near" notice follows at once.
    await wait_until(lambda: bool(site.fake.pushes(DEMO_USER)))
    await page.goto(f"{site.url}/t/{token}")
    await expect(page.locator("#s-line")).to_contain_text(text.NOTIFY_LINKED[0])
    await page.screenshot(path=str(artifact("line-status-linked-phone.png")), full_page=True)
    assert [e for e in log.errors if "favicon" not in e] == []
    await context.close()
